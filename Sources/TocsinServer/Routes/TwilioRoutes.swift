import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import TocsinCore
import TocsinDelivery
import TocsinStore

/// What Twilio calls back, mounted at `/twilio` without a bearer token; every request must carry a
/// valid `X-Twilio-Signature` (403 otherwise, and nothing changes):
/// - `POST /status/{delivery id}?attempt=N`: a text's or a call's status; a failure of the latest
///   attempt is retried or dead (one about an earlier attempt changes nothing);
/// - `POST /sms`: a reply to a text (`42A`, `42R`, `ack 42`, `resolve 42`), from a known phone;
/// - `POST /voice/{incident id}/{token}`: what a call says (TwiML), with a signed URL per call;
/// - `POST /voice/{incident id}/{token}/gather`: the key pressed: 1 acknowledges, 2 resolves.
struct TwilioRoutes {
    let store: any StateStore
    let clock: any TocsinClock
    let policies: ConfigurationStore
    let twilio: TwilioSettings?
    /// The URL Twilio reaches Tocsin at (`--public-url`): signatures are over the URL it requested.
    let publicURL: String
    let deliveryPolicy: DeliveryPolicy
    let linkKey: [UInt8]?
    let wakeEngine: @Sendable () -> Void

    var collection: RouteCollection<TocsinRequestContext> {
        let routes = RouteCollection(context: TocsinRequestContext.self)
        routes.post("status/{id}") { request, context in
            let form = try await verifiedForm(request, context)
            let id = try context.parameters.requireID(of: "delivery")
            let attempt = request.uri.queryParameters.get("attempt", as: Int.self)
            let status = form.first { $0.0 == "MessageStatus" || $0.0 == "CallStatus" }?.1 ?? ""
            var change = PhoneStatusChange.notYetRecorded
            // A failure can outrun the recording of the send it is about (Twilio answered 201 a few
            // milliseconds ago): wait for it a bounded while rather than lose the failure.
            for wait in 0..<40 {
                if wait > 0 { try await Task.sleep(for: .milliseconds(50)) }
                change = try await store.recordPhoneStatus(
                    deliveryID: id, attempt: attempt, status: status, errorCode: form.first { $0.0 == "ErrorCode" }?.1,
                    policy: TwilioSettings.redial(deliveryPolicy), now: clock.now, random: Double.random(in: 0..<1))
                if change != .notYetRecorded { break }
            }
            if case .retry = change { wakeEngine() }
            if change != .none, change != .stale {
                context.logger.notice("text or call failed", metadata: ["delivery_id": "\(id)", "status": "\(status)", "change": "\(change)"])
            }
            return Response(status: .noContent)
        }
        routes.post("sms") { request, context in
            let form = try await verifiedForm(request, context)
            let from = form.first { $0.0 == "From" }?.1 ?? ""
            let text = form.first { $0.0 == "Body" }?.1 ?? ""
            return Self.twiml("<Message>\(EmailMessage.escapeHTML(try await reply(to: text, from: from)))</Message>")
        }
        routes.post("voice/{id}/{token}") { request, context in
            _ = try await verifiedForm(request, context)
            let (id, _) = try await callGrant(context)
            let incident = try await store.incident(id: id).incident
            guard incident.state == .triggered else {
                let who = (incident.state == .acknowledged ? incident.acknowledgedBy : incident.resolvedBy) ?? "someone"
                return Self.twiml("<Say>Tocsin. Incident \(id) was already \(incident.state.rawValue) by \(Self.spoken(who)). Goodbye.</Say>")
            }
            let action = EmailMessage.escapeHTML(publicURL + request.uri.path + "/gather")
            return Self.twiml("""
                <Gather numDigits="1" action="\(action)" method="POST" timeout="10">\
                <Say>This is Tocsin. \(Self.spoken(incident.severity)) incident \(id): \(Self.spoken(incident.title)). \
                Press 1 to acknowledge. Press 2 to resolve.</Say></Gather><Say>No key was pressed. Goodbye.</Say>
                """)
        }
        routes.post("voice/{id}/{token}/gather") { request, context in
            let form = try await verifiedForm(request, context)
            let (id, grant) = try await callGrant(context)
            let actor = Actor(name: grant.actor, channel: "voice")
            let digits = form.first(where: { $0.0 == "Digits" })?.1
            guard let action: PhoneReply.Action = digits == "1" ? .acknowledge : digits == "2" ? .resolve : nil else {
                return Self.twiml("<Say>Nothing was changed. Goodbye.</Say>")
            }
            return Self.twiml("<Say>\(Self.spoken(try await act(action, on: id, as: actor))) Goodbye.</Say>")
        }
        return routes
    }

    /// The reply to a text: acknowledges or resolves as the person whose phone sent it; anything
    /// else is answered with how to reply, and changes nothing.
    private func reply(to text: String, from number: String) async throws -> String {
        guard let person = policies.configuration.person(withPhone: number) else {
            return "Tocsin does not know this number; nothing was changed."
        }
        guard let reply = PhoneReply(text) else {
            return "Reply with the incident number and A to acknowledge or R to resolve, e.g. 42A."
        }
        // A phone acts only on incidents that texted or called it.
        switch try await store.phoned(incidentID: reply.incidentID, address: number) {
        case nil: return "Incident #\(reply.incidentID) does not exist; nothing was changed."
        case false?: return "Incident #\(reply.incidentID) did not page this phone; nothing was changed. Use the console."
        case true?: return try await act(reply.action, on: reply.incidentID, as: Actor(name: person.name, channel: "sms"))
        }
    }

    /// Acknowledges or resolves incident `id` as `actor`, and says what happened in a sentence:
    /// an unknown incident, or one already handled, changes nothing and says so.
    private func act(_ action: PhoneReply.Action, on id: Int64, as actor: Actor) async throws -> String {
        let result: IncidentCommandResult
        do {
            switch action {
            case .acknowledge: result = try await store.acknowledge(id: id, by: actor, note: nil, now: clock.now)
            case .resolve: result = try await store.resolve(id: id, by: actor, note: nil, now: clock.now)
            }
        } catch {
            if case .notFound = error { return "Incident #\(id) does not exist; nothing was changed." }
            if case .conflict(let why) = error { return "Incident #\(id): \(why); nothing was changed." }
            throw error
        }
        if result.changed { wakeEngine() }
        let done = action == .acknowledge ? "Acknowledged" : "Resolved"
        return result.changed
            ? "\(done) #\(id): \(result.incident.title)"
            : "Incident #\(id) is already \(result.incident.state.rawValue)."
    }

    /// The incident of a call's URL and what its signed token grants (403 when it is not valid).
    private func callGrant(_ context: TocsinRequestContext) async throws -> (Int64, LinkSigner.Grant) {
        let id = try context.parameters.requireID(of: "incident")
        let token = context.parameters.get("token") ?? ""
        let signer = try await store.linkSigner(fixedKey: linkKey)
        do {
            return (id, try signer.verify(token, incidentID: id, action: TwilioSettings.voiceAction, now: clock.now))
        } catch {
            throw APIError(.forbidden, code: "invalid_link", message: "this call's link is not valid: \(error)")
        }
    }

    /// The request's form, after checking Twilio signed it for the URL it requested.
    private func verifiedForm(_ request: Request, _ context: TocsinRequestContext) async throws -> [(String, String)] {
        guard let twilio else {
            throw APIError(.notFound, code: "not_found", message: "no Twilio account is configured (tocsin serve --twilio-account-sid)")
        }
        let body = String(buffer: try await request.body.collect(upTo: 64 * 1024))
        let form = TwilioSignature.parseForm(body)
        let url = publicURL + request.uri.description
        guard let signature = request.headers[TwilioRoutes.signatureHeader],
            TwilioSigner.isValid(signature: signature, url: url, parameters: form, authToken: twilio.authToken)
        else {
            context.logger.notice("Twilio request refused: bad signature", metadata: ["path": "\(request.uri.path)"])
            await store.auditFailedAuthentication(
                client: context.remoteAddress, detail: "a request to \(request.uri.path) without a valid X-Twilio-Signature",
                now: clock.now)
            throw APIError(.forbidden, code: "invalid_signature", message: "missing or invalid X-Twilio-Signature")
        }
        return form
    }

    static let signatureHeader = HTTPField.Name(TwilioSignature.headerName) ?? .authorization

    /// A TwiML answer around `verbs`.
    static func twiml(_ verbs: String) -> Response {
        Response(
            status: .ok, headers: [.contentType: "text/xml; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response>\(verbs)</Response>")))
    }

    /// Text for `<Say>`: escaped, on one line, and not longer than a person listens to.
    static func spoken(_ text: String) -> String {
        let flat = text.split(whereSeparator: \.isNewline).joined(separator: " ")
        return EmailMessage.escapeHTML(flat.count > 200 ? String(flat.prefix(200)) : flat)
    }
}
