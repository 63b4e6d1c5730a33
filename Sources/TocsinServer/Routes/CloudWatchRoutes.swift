import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import TocsinAPI
import TocsinCore
import TocsinDelivery
import TocsinStore

/// CloudWatch alarms through an SNS HTTPS subscription: `POST /api/v1/ingest/cloudwatch/{key}`,
/// `key` being the key of a `cloudwatch` integration.
///
/// Every message must carry a valid SNS signature (SignatureVersion 1 or 2), made with the key of
/// the certificate at its `SigningCertURL`, which must be https on `sns.<region>.amazonaws.com`;
/// anything else is a 403 and changes nothing. A `SubscriptionConfirmation` is confirmed by
/// fetching its `SubscribeURL` (on an SNS host too), and audited. A `Notification` whose
/// `Message` is a CloudWatch alarm becomes an alert: `ALARM` fires, `OK` resolves, and
/// `INSUFFICIENT_DATA` does what the integration says (ignored by default).
struct CloudWatchRoutes {
    let ingestor: Ingestor
    let gate: IngestGate
    /// Which hosts may serve certificates and confirm subscriptions: Amazon's, unless a test says otherwise.
    let trust: SNSMessage.Trust
    let certificates = SNSCertificates()
    /// The fields whose absence or misuse makes a message unsigned (a 403, as a bad signature).
    static let signatureFields: Set<String> = ["Signature", "SignatureVersion", "SigningCertURL"]
    /// SNS messages are at most 256 KiB.
    static let maxBodyBytes = 256 * 1024

    var collection: RouteCollection<TocsinRequestContext> {
        let routes = RouteCollection(context: TocsinRequestContext.self)
        routes.post("cloudwatch/{key}") { request, context in
            try await Ingestor.counted { try await receive(request, context: context) }
        }
        return routes
    }

    private func receive(_ request: Request, context: TocsinRequestContext) async throws -> IngestResultResource {
        let integration = try await ingestor.integration(
            presenting: context.parameters.get("key"), source: .cloudwatch, field: "key", request: request, context: context)
        // SNS posts with Content-Type: text/plain, so the media type is not checked.
        let body = try await gate.collectBody(request, sourceLimit: Self.maxBodyBytes)
        let message: SNSMessage
        do {
            message = try SNSMessage.decode(body.readableBytesView)
        } catch {
            // A message without a (usable) signature is refused as unsigned, not as malformed.
            if Self.signatureFields.contains(error.field) {
                throw Self.forbidden(field: error.field, "unsigned: \(error.description)", context: context)
            }
            throw APIError.invalidPayload(error)
        }
        if let declared = request.headers[HTTPField.Name("x-amz-sns-message-type")!], declared != message.type.rawValue {
            throw APIError(
                .badRequest, code: "invalid_payload", field: "Type",
                message: "the body's Type is \(message.type.rawValue) but x-amz-sns-message-type says \(declared)")
        }
        try await verify(message, context: context)
        // A signature proves only that some SNS topic sent the message: the integration takes one.
        let topic = try await ingestor.store.pinTopic(integration: integration.name, topic: message.topicArn, now: ingestor.clock.now)
        guard topic == message.topicArn else {
            throw Self.forbidden(
                field: "TopicArn", "integration \(integration.name) takes messages from \(topic) only, not \(message.topicArn)",
                context: context)
        }
        let now = ingestor.clock.now
        switch message.type {
        case .subscriptionConfirmation:
            try await confirm(message, integration: integration, context: context)
            return IngestResultResource(.nothing)
        case .unsubscribeConfirmation:
            context.logger.notice("SNS unsubscribed", metadata: ["integration": "\(integration.name)", "topic": "\(message.topicArn)"])
            return IngestResultResource(.nothing)
        case .notification:
            let batch: AlertBatch?
            do {
                batch = try CloudWatchAlarm.decode(notification: message).alertBatch(
                    integration: integration.receiver, labels: integration.labels,
                    insufficientData: integration.insufficientData ?? .ignore, receivedAt: now)
            } catch {
                context.logger.notice("rejected CloudWatch alarm", metadata: ["problem": "\(error)"])
                throw APIError.invalidPayload(error)
            }
            guard let batch else {
                context.logger.info("CloudWatch alarm ignored (INSUFFICIENT_DATA)", metadata: ["integration": "\(integration.name)"])
                return IngestResultResource(.nothing)
            }
            return IngestResultResource(try await ingestor.commit(batch, now: now, context: context))
        }
    }

    /// A 403 unless the message is signed with the key of a certificate from a trusted host.
    private func verify(_ message: SNSMessage, context: TocsinRequestContext) async throws {
        if let problem = message.signingCertificateURLProblem(trust: trust) {
            throw Self.forbidden(field: problem.field, problem.description, context: context)
        }
        let verifier: SNSSignatureVerifier
        do {
            verifier = try await certificates.verifier(for: message.signingCertURL, now: ingestor.clock.now)
        } catch .unreachable(let reason) {
            // SNS retries a 5xx, so a certificate host that is briefly unreachable loses nothing.
            throw APIError(
                .serviceUnavailable, code: "unavailable", field: "SigningCertURL",
                message: "the signing certificate could not be fetched: \(reason)", headers: [.retryAfter: "5"])
        } catch {
            throw Self.forbidden(field: "SigningCertURL", error.description, context: context)
        }
        do {
            try verifier.verify(message, at: ingestor.clock.now)
        } catch {
            throw Self.forbidden(field: "Signature", "the SNS signature does not verify: \(error)", context: context)
        }
    }

    private func confirm(_ message: SNSMessage, integration: Integration, context: TocsinRequestContext) async throws {
        if let problem = message.subscribeURLProblem(trust: trust) {
            throw Self.forbidden(field: problem.field, problem.description, context: context)
        }
        guard let url = message.subscribeURL else { return }
        let confirmed: Bool
        do {
            confirmed = try await HTTPTransfer.performOffPool(
                HTTPTransferRequest(method: "GET", url: url, connectTimeout: 3, totalTimeout: 10, maxResponseBytes: 64 * 1024)
            ).status == 200
        } catch {
            confirmed = false
        }
        guard confirmed else {
            throw APIError(
                .serviceUnavailable, code: "unavailable", field: "SubscribeURL",
                message: "the subscription could not be confirmed (SubscribeURL did not answer 200); SNS will send it again",
                headers: [.retryAfter: "5"])
        }
        try await ingestor.store.auditSubscriptionConfirmed(
            integration: integration.name, topic: message.topicArn, client: context.remoteAddress, now: ingestor.clock.now)
        context.logger.notice("SNS subscription confirmed", metadata: ["integration": "\(integration.name)", "topic": "\(message.topicArn)"])
    }

    private static func forbidden(field: String, _ message: String, context: TocsinRequestContext) -> APIError {
        context.logger.notice("refused SNS message", metadata: ["problem": "\(message)"])
        return APIError(.forbidden, code: "forbidden", field: field, message: message)
    }
}
