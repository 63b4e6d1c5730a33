import Foundation
import NIOPosix
import TocsinCore

/// How a rendered notification leaves Tocsin: the seam between deciding and sending.
///
/// ``CurlTransport`` sends for real; virtual drills use a transport that captures in process.
public protocol NotificationTransport: Sendable {
    /// Sends `body` for `entry`; returns what happened and the status code to record.
    func send(_ entry: OutboxEntry, body: String, now: Date) async -> (DeliveryResult, Int?)
    /// Called once before the first send.
    func start()
    /// Called once after the last send.
    func shutdown() async
}

extension NotificationTransport {
    public func start() {}
    public func shutdown() async {}
}

/// Webhooks by HTTP POST and email by SMTP, through libcurl, on a dedicated pool of worker
/// threads: blocking transfers never run on the HTTP server's event loops or the Swift
/// concurrency pool, and the pool's width bounds the deliveries in flight.
public final class CurlTransport: NotificationTransport {
    /// How much of a receiver's answer is read: enough for the log's 200 bytes and an error's
    /// detail; past it the transfer stops, so no receiver can make a worker buffer megabytes.
    static let maxResponseBytes = 4096

    let settings: DeliverySettings
    /// Format and secrets for a webhook target, from the running configuration.
    let webhookSettings: @Sendable (String) -> WebhookSettings
    private let pool: NIOThreadPool

    public init(settings: DeliverySettings, webhookSettings: @escaping @Sendable (String) -> WebhookSettings) {
        self.settings = settings
        self.webhookSettings = webhookSettings
        self.pool = NIOThreadPool(numberOfThreads: max(1, settings.workers))
    }

    public func start() {
        pool.start()
    }

    public func shutdown() async {
        try? await pool.shutdownGracefully()
    }

    public func send(_ entry: OutboxEntry, body: String, now: Date) async -> (DeliveryResult, Int?) {
        do {
            switch entry.medium {
            case .email: return try await sendMail(entry, body: body)
            case .webhook: return try await post(entry, body: body, now: now)
            case .sms, .voice: return try await sendByTwilio(entry, body: body, now: now)
            }
        } catch {
            return (.failed("the delivery pool is not running: \(error)"), nil)
        }
    }

    private func sendMail(_ entry: OutboxEntry, body: String) async throws -> (DeliveryResult, Int?) {
        let settings = self.settings
        guard let smtp = settings.smtp else {
            return (.answered(status: 400, retryAfter: nil, detail: "no SMTP server configured (tocsin serve --smtp-url)"), nil)
        }
        return try await pool.runIfActive {
            do {
                let code = try MailTransfer.send(
                    body, to: [entry.address], settings: smtp, connectTimeout: settings.connectTimeout,
                    totalTimeout: settings.timeout)
                return (.answered(status: 200, retryAfter: nil, detail: "SMTP \(code)"), code)
            } catch let error as TransferError {
                // 5xx replies are permanent (e.g. 550 no such mailbox); everything else is retried.
                if error.responseCode >= 500 {
                    return (.answered(status: 400, retryAfter: nil, detail: "SMTP \(error.responseCode): \(error.message)"),
                            error.responseCode)
                }
                return (.failed(error.description), error.responseCode == 0 ? nil : error.responseCode)
            }
        }
    }

    /// A text or a call through Twilio's REST API. Twilio's answers map as a webhook's do: 201 is
    /// sent (its status callback may still report it failed), 429 and 5xx are retried, and any
    /// other error (21211: not a valid number) is dead at once, with Twilio's code kept.
    private func sendByTwilio(_ entry: OutboxEntry, body: String, now: Date) async throws -> (DeliveryResult, Int?) {
        guard let twilio = settings.twilio else {
            return (.answered(status: 400, retryAfter: nil, detail: "no Twilio account configured for texts and calls "
                + "(tocsin serve --twilio-account-sid)"), nil)
        }
        let request = TwilioRequest.make(entry, body: body, twilio: twilio, publicURL: settings.publicURL, settings: settings)
        return try await pool.runIfActive {
            do {
                let response = try HTTPTransfer.perform(request)
                return (.answered(
                    status: response.status, retryAfter: DeliveryPolicy.retryAfter(response.header("Retry-After"), now: now),
                    detail: TwilioRequest.detail(response.body)), response.status)
            } catch let error as TransferError {
                return (.failed(error.description), nil)
            }
        }
    }

    private func post(_ entry: OutboxEntry, body: String, now: Date) async throws -> (DeliveryResult, Int?) {
        let signing = webhookSettings(entry.target)
        let timestamp = String(Int(now.timeIntervalSince1970))
        let bytes = Array(body.utf8)
        var headers: [(name: String, value: String)] = [
            ("Content-Type", "application/json"),
            ("User-Agent", settings.userAgent),
            ("Idempotency-Key", entry.idempotencyKey),
            ("X-Tocsin-Event", entry.event.rawValue),
            ("X-Tocsin-Timestamp", timestamp),
        ]
        if !signing.secrets.isEmpty {
            headers.append(("X-Tocsin-Signature", WebhookSignature.header(timestamp: timestamp, body: bytes, secrets: signing.secrets)))
        }
        let request = HTTPTransferRequest(
            method: "POST", url: entry.address, headers: headers, body: bytes, connectTimeout: settings.connectTimeout,
            totalTimeout: settings.timeout, maxResponseBytes: Self.maxResponseBytes)
        return try await pool.runIfActive {
            do {
                let response = try HTTPTransfer.perform(request)
                let snippet = String(decoding: response.body.prefix(200), as: UTF8.self)
                return (.answered(
                    status: response.status, retryAfter: DeliveryPolicy.retryAfter(response.header("Retry-After"), now: now),
                    detail: snippet.isEmpty ? nil : snippet), response.status)
            } catch let error as TransferError {
                return (.failed(error.description), nil)
            }
        }
    }
}
