import Foundation
import Logging
import NIOPosix
import ServiceLifecycle
import TocsinCore
import TocsinStore

/// Delivers the outbox: claims notifications that are due, sends each on a worker thread of its
/// own pool (libcurl blocks; the HTTP server's event loops and the Swift concurrency pool never
/// wait on it), and records every attempt: sent, retry at a time, or dead.
///
/// At least once: a notification is marked sent only after the receiver accepted it; one claimed
/// by a process that died is retried with the same idempotency key.
public final class Dispatcher: Service, Sendable {
    let store: TocsinStore
    let clock: any TocsinClock
    let settings: DeliverySettings
    let renderer: NotificationRenderer
    /// Format and secrets for a webhook target, from the running configuration.
    let webhookSettings: @Sendable (String) -> WebhookSettings
    let logger: Logger
    private let pool: NIOThreadPool
    private let wakeSignal = WakeSignal()
    private let inFlight = InFlightCounter()
    private let stopping = Flag()
    /// The longest single sleep.
    static let maxSleep: TimeInterval = 60

    public init(
        store: TocsinStore, clock: any TocsinClock, settings: DeliverySettings, linkKey: [UInt8],
        webhookSettings: @escaping @Sendable (String) -> WebhookSettings, logger: Logger
    ) {
        self.store = store
        self.clock = clock
        self.settings = settings
        self.renderer = NotificationRenderer(settings: settings, signer: LinkSigner(key: linkKey))
        self.webhookSettings = webhookSettings
        self.logger = logger
        self.pool = NIOThreadPool(numberOfThreads: max(1, settings.workers))
    }

    /// Asks the loop to look for due notifications now.
    public func wake() {
        wakeSignal.signal()
    }

    public func run() async throws {
        pool.start()
        do {
            let recovered = try await store.recoverInterruptedDeliveries(now: clock.now)
            if recovered > 0 {
                logger.warning("retrying deliveries interrupted by a stop", metadata: ["deliveries": "\(recovered)"])
            }
        } catch {
            logger.error("could not recover interrupted deliveries", metadata: ["error": "\(error)"])
        }
        logger.info("dispatcher started", metadata: ["workers": "\(settings.workers)"])
        // On graceful shutdown: stop claiming, let the deliveries in flight finish (each is bounded
        // by the per-attempt timeout), then stop the pool.
        await withDiscardingTaskGroup { group in
            await withGracefulShutdownHandler {
                while !self.stopping.value && !Task.isCancelled {
                    let sleep = await self.dispatchReady(into: &group)
                    await self.wakeSignal.wait(timeout: .milliseconds(Int64((sleep * 1000).rounded(.up))))
                }
            } onGracefulShutdown: {
                self.stopping.set()
                self.wakeSignal.signal()
            }
        }
        try? await pool.shutdownGracefully()
        logger.info("dispatcher stopped")
    }

    /// Claims what is ready (up to the free workers), starts each delivery, and returns how long
    /// to sleep before looking again.
    private func dispatchReady(into group: inout DiscardingTaskGroup) async -> TimeInterval {
        let free = settings.workers - inFlight.value
        guard free > 0 else { return Self.maxSleep }  // a finishing delivery wakes the loop
        do {
            let claimed = try await store.claimDueNotifications(now: clock.now, limit: free, lease: settings.lease)
            for entry in claimed {
                inFlight.add(1)
                group.addTask {
                    await self.deliver(entry)
                    self.inFlight.add(-1)
                    self.wakeSignal.signal()
                }
            }
            if claimed.count == free { return 0 }
            guard let next = try await store.nextDeliveryDue() else { return Self.maxSleep }
            return min(max(next.timeIntervalSince(clock.now), 0), Self.maxSleep)
        } catch {
            logger.error("claiming deliveries failed; retrying", metadata: ["error": "\(error)"])
            return 1
        }
    }

    /// One attempt: render (first attempt only), send on the pool, decide, record.
    func deliver(_ entry: OutboxEntry) async {
        var logger = self.logger
        logger[metadataKey: "incident_id"] = "\(entry.incidentID)"
        logger[metadataKey: "idempotency_key"] = "\(entry.idempotencyKey)"
        logger[metadataKey: "attempt"] = "\(entry.attempts)"
        let started = clock.now
        var rendered = entry.rendered
        let result: DeliveryResult
        var statusCode: Int?
        do {
            if rendered == nil {
                rendered = try await render(entry, now: started)
            }
            (result, statusCode) = try await send(entry, body: rendered ?? "")
        } catch {
            result = .failed("\(error)")
        }
        let finished = clock.now
        let outcome = settings.policy.outcome(
            of: result, attempt: entry.attempts, queuedAt: entry.createdAt, now: finished, random: Double.random(in: 0..<1))
        do {
            try await store.recordAttempt(
                entry, startedAt: started, finishedAt: finished, statusCode: statusCode,
                error: { if case .failed(let message) = result { return message } else { return nil } }(),
                outcome: outcome, rendered: rendered)
        } catch {
            logger.error("could not record a delivery attempt", metadata: ["error": "\(error)"])
        }
        let metadata: Logger.Metadata = [
            "medium": "\(entry.medium)", "event": "\(entry.event.rawValue)", "target": "\(entry.target)",
            "status": "\(statusCode.map(String.init) ?? "none")",
            "duration_ms": "\(Int(finished.timeIntervalSince(started) * 1000))",
        ]
        switch outcome {
        case .sent: logger.info("delivered", metadata: metadata)
        case .retry(let at, let reason):
            logger.warning("delivery failed; will retry", metadata: metadata.merging(["reason": "\(reason)", "retry_at": "\(RFC3339.format(at))"]) { $1 })
        case .dead(let reason):
            logger.error("delivery dead", metadata: metadata.merging(["reason": "\(reason)"]) { $1 })
        }
    }

    private func render(_ entry: OutboxEntry, now: Date) async throws -> String {
        let (incident, alerts) = try await store.incidentWithAlerts(id: entry.incidentID)
        switch entry.medium {
        case "email":
            guard let smtp = settings.smtp else { return "" }
            return renderer.email(entry, incident: incident, alerts: alerts, from: smtp.from, now: now)
        default:
            return try renderer.webhookBody(
                entry, incident: incident, alerts: alerts, format: webhookSettings(entry.target).format, now: now)
        }
    }

    /// Sends on a pool thread; returns the result and the status code to record.
    private func send(_ entry: OutboxEntry, body: String) async throws -> (DeliveryResult, Int?) {
        let settings = self.settings
        if entry.medium == "email" {
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
        let signing = webhookSettings(entry.target)
        let timestamp = String(Int(clock.now.timeIntervalSince1970))
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
            totalTimeout: settings.timeout)
        let now = clock.now
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

/// How many deliveries are running.
final class InFlightCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0

    var value: Int { lock.withLock { count } }

    func add(_ delta: Int) {
        lock.withLock { count += delta }
    }
}

/// A flag set once, read from any thread.
final class Flag: @unchecked Sendable {
    private let lock = NSLock()
    private var isSet = false

    var value: Bool { lock.withLock { isSet } }

    func set() {
        lock.withLock { isSet = true }
    }
}
