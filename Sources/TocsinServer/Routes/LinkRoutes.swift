import Foundation
import Hummingbird
import NIOCore
import TocsinCore
import TocsinDelivery
import TocsinStore

/// The one-click links in pages: `GET /api/v1/incidents/{id}/ack?token=…` (and `resolve`).
///
/// The GET only shows a confirmation page (mail scanners that prefetch links change nothing);
/// its button POSTs the token to `…/{action}/confirm`, which acts as the person the link was sent
/// to, through the channel it was sent by (`email-link`, `webhook-link`). A link sent to a shared
/// channel (team chat) asks who is acting, from the people of the incident's policies, and acts as
/// that person via the channel (`team-chat link`).
struct LinkRoutes {
    let store: any StateStore
    let clock: any TocsinClock
    /// A fixed signing key (tests); nil: the database's current one, read for each link, so a
    /// rotation (`tocsin links rotate-key`) refuses every earlier link at once.
    let linkKey: [UInt8]?
    /// The policy directory, for the people of the schedules an incident's policies page.
    let policies: ConfigurationStore
    let wakeEngine: @Sendable () -> Void

    /// The form a confirmation page posts.
    struct ConfirmationForm: Decodable {
        var token: String?
        /// Who is acting, for a shared channel's link.
        var person: String?

        init(token: String? = nil, person: String? = nil) {
            self.token = token
            self.person = person
        }
    }

    /// Mounted at `/api/v1/incidents`, beside the incident API (these carry their own token).
    var collection: RouteCollection<TocsinRequestContext> {
        let routes = RouteCollection(context: TocsinRequestContext.self)
        for action in LinkAction.allCases {
            routes.get("{id}/\(action.rawValue)") { request, context in
                try await confirmationPage(request, context: context, action: action)
            }
            routes.post("{id}/\(action.rawValue)/confirm") { request, context in
                try await confirm(request, context: context, action: action)
            }
        }
        return routes
    }

    /// The incident id of a link; a mangled one fails the signature check, with the page any bad link gets.
    private func incidentID(_ context: TocsinRequestContext) -> Int64 {
        (try? context.parameters.require("id", as: Int64.self)) ?? 0
    }

    private func confirmationPage(_ request: Request, context: TocsinRequestContext, action: LinkAction) async throws -> Response {
        let token = request.uri.queryParameters["token"].map(String.init) ?? ""
        let id = incidentID(context)
        let signer = try await store.linkSigner(fixedKey: linkKey)
        let grant: LinkSigner.Grant
        do {
            grant = try signer.verify(token, incidentID: id, action: action.rawValue, now: clock.now)
        } catch {
            return HTMLPage.response(rejection: error)
        }
        if let refusal = try await revokedRefusal(grant.sharedChannel == nil ? grant.actor : nil) { return refusal }
        let detail: IncidentDetail
        do {
            detail = try await store.incident(id: id)
        } catch {
            return HTMLPage.incidentNotFound(id)
        }
        let verb = action.verb
        let summary = """
            <p><strong>#\(id) \(HTMLPage.escape(detail.incident.title))</strong></p>
            <p>State: \(detail.incident.state.rawValue), severity \(HTMLPage.escape(detail.incident.severity)),
            \(detail.incident.firingCount) of \(detail.incident.alertCount) alerts firing.</p>
            """
        let form = Self.form(id: id, action: action, token: token, grant: grant, people: responders(of: detail))
        return HTMLPage.response(status: .ok, title: "\(verb) incident #\(id)?", html: summary + form)
    }

    /// The confirmation form: one button acting as the link's person, or, for a shared channel's
    /// link, a choice of who is acting.
    static func form(id: Int64, action: LinkAction, token: String, grant: LinkSigner.Grant, people: [String], problem: String? = nil)
        -> String
    {
        let verb = action.verb
        var html = """
            <form method="post" action="/api/v1/incidents/\(id)/\(action.rawValue)/confirm">
            <input type="hidden" name="token" value="\(HTMLPage.escape(token))">

            """
        if let problem { html += "<p><strong>\(HTMLPage.escape(problem))</strong></p>\n" }
        if let channel = grant.sharedChannel, !people.isEmpty {
            html += "<fieldset><legend>Who is acting? (this link was sent to \(HTMLPage.escape(channel)))</legend>\n"
            for person in people {
                let escaped = HTMLPage.escape(person)
                html += "<p><label><input type=\"radio\" name=\"person\" value=\"\(escaped)\" required> \(escaped)</label></p>\n"
            }
            html += "</fieldset>\n<button type=\"submit\">\(verb)</button>\n"
        } else {
            html += "<button type=\"submit\">\(verb) as \(HTMLPage.escape(grant.sharedChannel ?? grant.actor))</button>\n"
        }
        return html + "</form>"
    }

    /// The people who may act on a shared channel's link: everyone the incident's policies name,
    /// everyone in the rotations of the schedules they page, and everyone already paged, sorted.
    func responders(of detail: IncidentDetail) -> [String] {
        let configuration = policies.configuration
        var people: Set<String> = []
        for target in detail.escalations.flatMap({ $0.snapshot.policy.steps.flatMap(\.notify) }) {
            switch target {
            case .person(let name): people.insert(name)
            case .oncall(let schedule, _): people.formUnion(configuration.schedule(schedule)?.layers.flatMap(\.people) ?? [])
            case .channel, .email: break
            }
        }
        for target in detail.notifications.map(\.target) where target.hasPrefix("person:") {
            people.insert(String(target.dropFirst("person:".count)))
        }
        return people.sorted()
    }

    private func confirm(_ request: Request, context: TocsinRequestContext, action: LinkAction) async throws -> Response {
        let id = incidentID(context)
        // A form that does not decode (a mangled escape, a repeated field) is a link without a
        // token: the same page as any bad link.
        let body = String(buffer: try await request.body.collect(upTo: 16 * 1024))
        let form = (try? URLEncodedFormDecoder().decode(ConfirmationForm.self, from: body)) ?? ConfirmationForm()
        let token = form.token ?? ""
        let signer = try await store.linkSigner(fixedKey: linkKey)
        let grant: LinkSigner.Grant
        do {
            grant = try signer.verify(token, incidentID: id, action: action.rawValue, now: clock.now)
        } catch {
            context.logger.notice("rejected a link", metadata: ["incident_id": "\(id)", "reason": "\(error)"])
            return HTMLPage.response(rejection: error)
        }
        var actor = Actor(name: grant.actor, channel: grant.channel)
        if let channel = grant.sharedChannel {
            // A shared channel's link acts as the person who says they are acting, one of the
            // incident's responders; the timeline records them via the channel's link.
            let people: [String]
            do {
                people = responders(of: try await store.incident(id: id))
            } catch {
                if case .notFound = error { return HTMLPage.incidentNotFound(id) }
                throw error
            }
            actor = Actor(name: channel, channel: "\(channel) link")
            if !people.isEmpty {
                guard let person = form.person, people.contains(person) else {
                    let verb = action.verb
                    let html = Self.form(
                        id: id, action: action, token: token, grant: grant, people: people,
                        problem: "Choose who is acting: one of the people of this incident's policies.")
                    return HTMLPage.response(status: .badRequest, title: "\(verb) incident #\(id)?", html: html)
                }
                actor.name = person
            }
        }
        if let refusal = try await revokedRefusal(actor.name) {
            context.logger.notice("rejected a link", metadata: ["incident_id": "\(id)", "reason": "access of \(actor.name) revoked"])
            return refusal
        }
        let result: IncidentCommandResult
        do {
            result = try await perform(action, id: id, actor: actor)
        } catch {
            switch error {
            case .conflict(let reason): return HTMLPage.response(status: .conflict, title: "Not possible", message: reason)
            case .notFound:
                return HTMLPage.incidentNotFound(id)
            default: throw error
            }
        }
        if result.changed { wakeEngine() }
        let done = action.pastTense
        let message = result.changed
            ? "Incident #\(id) is \(done) by \(actor.name). Escalation stopped."
            : "Incident #\(id) was already \(result.incident.state.rawValue); nothing changed."
        return HTMLPage.response(status: .ok, title: "Incident #\(id) \(done)", message: message)
    }


    /// A 403 page when `person` is a user whose access was revoked (`tocsin users revoke`): a link
    /// sent to them stops acting as them.
    private func revokedRefusal(_ person: String?) async throws -> Response? {
        guard let person, try await store.accessRevoked(userName: person) else { return nil }
        return HTMLPage.response(
            status: .forbidden, title: "This link is not valid",
            message: "\(person)'s access to Tocsin was revoked, so links sent to them no longer work. Nothing was changed.")
    }

    private func perform(_ action: LinkAction, id: Int64, actor: Actor) async throws(StoreError) -> IncidentCommandResult {
        switch action {
        case .ack: try await store.acknowledge(id: id, by: actor, note: nil, now: clock.now)
        case .resolve: try await store.resolve(id: id, by: actor, note: nil, now: clock.now)
        }
    }
}
