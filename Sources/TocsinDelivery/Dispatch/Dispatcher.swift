import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import TocsinCore
import TocsinStore

/// Delivers the outbox: claims notifications that are due, sends each through the transport
/// (``CurlTransport`` in production: libcurl on its own worker threads, never the HTTP server's
/// event loops or the Swift concurrency pool), and records every attempt: sent, retry at a time,
/// or dead.
///
/// At least once: a notification is marked sent only after the receiver accepted it; one claimed
/// by a process that died is retried with the same idempotency key.
public final class Dispatcher: Service, Sendable {
    let store: any StateStore
    let clock: any TocsinClock
    let settings: DeliverySettings
    /// The key links are signed with; nil: the database's current one, read at each turn, so a
    /// rotation (`tocsin links rotate-key`) takes effect at once.
    let linkKey: [UInt8]?
    /// Format and secrets for a webhook target, from the running configuration.
    let webhookSettings: @Sendable (String) -> WebhookSettings
    /// The time zone a target reads its pages in (a person's `timezone`), from the running configuration.
    let timeZone: @Sendable (String) -> TimeZone
    let logger: Logger
    let transport: any NotificationTransport
    /// A number in 0..<1 for retry jitter (fixed in drills, so they are deterministic).
    let random: @Sendable () -> Double
    private let wakeSignal = WakeSignal()
    private let inFlight = InFlightCounter()
    /// Attempts finished and claims given back, not yet recorded; the loop's next turn records them.
    private let completedAttempts = CompletedAttempts()
    private let stopping = Flag()
    /// Set by new work and by a lane's end: the next turn looks for work to claim (``ClaimLook``).
    private let lookAgain = Flag()
    /// The texts and calls this process sent, for the phone rate limit.
    private let phoneLedger = PhoneLedger()
    /// When this dispatcher was made: attempts finished before it are the database's to count.
    private let startedAt: Date
    /// The longest single sleep.
    static let maxSleep: TimeInterval = 60
    /// Beats after every pass; `/readyz` checks it.
    public let heartbeat = LoopHeartbeat(name: "dispatcher", bound: 3 * 60)

    public init(
        store: any StateStore, clock: any TocsinClock, settings: DeliverySettings, linkKey: [UInt8]?,
        webhookSettings: @escaping @Sendable (String) -> WebhookSettings,
        timeZone: @escaping @Sendable (String) -> TimeZone = { _ in ReadableTime.utc },
        transport: (any NotificationTransport)? = nil,
        random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }, logger: Logger
    ) {
        self.timeZone = timeZone
        self.random = random
        self.store = store
        self.clock = clock
        self.startedAt = clock.now
        self.settings = settings
        self.linkKey = linkKey
        self.webhookSettings = webhookSettings
        self.transport = transport ?? CurlTransport(settings: settings, webhookSettings: webhookSettings)
        self.logger = logger
    }

    /// Claims what is ready now and delivers it, one after another, recording each attempt before
    /// the next; returns how many were tried. (Virtual drills drive delivery with this on their own clock.)
    @discardableResult
    public func dispatchReadyNow(limit: Int = 100) async throws(StoreError) -> Int {
        let claimed = try await store.claimDueNotifications(now: clock.now, limit: limit, lease: settings.lease)
        for entry in claimed {
            await recordOneByOne([await attempt(entry, material: nil, storedLinkKey: nil)])
        }
        return claimed.count
    }

    /// Asks the loop to look for due notifications now.
    public func wake() {
        lookAgain.set()
        wakeSignal.signal()
    }

    public func run() async throws {
        transport.start()
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
                var look = ClaimLook()
                while !self.stopping.value && !Task.isCancelled {
                    let sleep = await self.dispatchReady(into: &group, look: &look)
                    await self.wakeSignal.wait(timeout: .milliseconds(Int64((sleep * 1000).rounded(.up))))
                }
            } onGracefulShutdown: {
                self.stopping.set()
                self.wakeSignal.signal()
            }
        }
        // Every delivery has finished: what they did is recorded before the transport stops (a
        // failure here leaves them `sending`, retried at the next start).
        let finished = completedAttempts.takeAll()
        await recordOneByOne(finished.attempts)
        await release(finished.released)
        await transport.shutdown()
        logger.info("dispatcher stopped")
    }

    /// One turn: records the attempts finished since the last turn, gives back the claims lanes did
    /// not start, and claims lanes of what is ready (up to the free workers) in one transaction,
    /// starts each lane, and returns how long to sleep before looking again. The claim is left out
    /// while the last one's answer holds (``ClaimLook``).
    private func dispatchReady(into group: inout DiscardingTaskGroup, look: inout ClaimLook) async -> TimeInterval {
        heartbeat.beat(at: clock.now)  // the loop is turning, even with every worker busy
        if lookAgain.take() { look.invalidate() }
        let finished = completedAttempts.takeAll()
        let inFlightNow = inFlight.byDestination
        let free = settings.workers - inFlightNow.values.reduce(0, +)
        // (A finishing lane wakes the loop.)
        guard free > 0 || !finished.attempts.isEmpty || !finished.released.isEmpty else { return Self.maxSleep }
        let now = clock.now
        let destinationLimit = DestinationLimit(
            perDestination: settings.perDestination, inFlight: inFlightNow, pagesPerLane: settings.laneLength)
        let looking = look.mustLook(now: now, finished: finished.attempts, released: finished.released, destinationLimit: destinationLimit)
        do {
            let turn = try await store.deliveryTurn(
                recording: finished.attempts, releasing: finished.released, now: now, limit: looking ? max(free, 0) : 0,
                lease: settings.lease, destinationLimit: destinationLimit)
            finished.attempts.forEach(log)
            for lane in turn.lanes {
                guard let destination = lane.first?.destination else { continue }
                let material = turn.material
                let storedLinkKey = turn.linkKey
                inFlight.add(1, to: destination)
                group.addTask {
                    await self.deliver(lane, claimedAt: now, material: material, storedLinkKey: storedLinkKey)
                    // The worker is free once the receiver answered its lane's last page; the
                    // attempts are recorded by the loop's next turn, with the others that finished meanwhile.
                    self.inFlight.add(-1, to: destination)
                    self.lookAgain.set()
                    self.wakeSignal.signal()
                }
            }
            if looking {
                look.looked(short: turn.lanes.count < free, nextDue: turn.nextDue, at: now)
                if turn.lanes.count == free { return 0 }
            }
            guard let next = look.nextDue else { return Self.maxSleep }
            return min(max(next.timeIntervalSince(clock.now), 0), Self.maxSleep)
        } catch {
            look.invalidate()
            logger.error("recording and claiming deliveries failed; retrying", metadata: ["error": "\(error)"])
            await recordOneByOne(finished.attempts)
            await release(finished.released)
            return 1
        }
    }

    /// A lane's notifications, one after another on one worker, each finished attempt handed to the
    /// loop. The lane stops early, giving back what it has not started, after an attempt to be
    /// retried (the receiver is failing: the rest wait their turn in the queue), once
    /// `laneDuration` has passed since the claim, or when the dispatcher stops. (An attempt dead on
    /// its own account, a page the receiver refused or a text held back, does not stop it.)
    private func deliver(_ lane: [OutboxEntry], claimedAt: Date, material: [Int64: RenderMaterial], storedLinkKey: [UInt8]?) async {
        for (index, entry) in lane.enumerated() {
            if index > 0, stopping.value || clock.now.timeIntervalSince(claimedAt) >= settings.laneDuration {
                completedAttempts.release(lane[index...])
                return
            }
            let completed = await attempt(entry, material: material[entry.incidentID], storedLinkKey: storedLinkKey)
            // Recorded by the loop's next turn, while the lane goes on: a page accepted and not yet
            // recorded is sent again after a crash, so that window stays one turn long.
            completedAttempts.append(completed)
            wakeSignal.signal()
            if case .retry = completed.outcome {
                completedAttempts.release(lane[(index + 1)...])
                return
            }
        }
    }

    /// Gives back claims a lane did not start, after a turn failed or at a stop. A failure is
    /// logged and left: the notifications stay `sending` until their lease ends (or the next start).
    private func release(_ entries: [OutboxEntry]) async {
        guard !entries.isEmpty else { return }
        do {
            try await store.releaseClaims(entries, now: clock.now)
        } catch {
            logger.error(
                "could not give back claimed deliveries; they will be sent when their lease ends",
                metadata: ["error": "\(error)", "deliveries": "\(entries.count)"])
        }
    }

    /// Records attempts one by one and logs each (after a turn failed, so that one that cannot be
    /// recorded never holds up the others or the claims after them; at a stop; in virtual drills). One that still fails is
    /// logged and left: its notification stays `sending` and is sent again, under the same key,
    /// once its lease ends (or at the next start).
    private func recordOneByOne(_ completed: [CompletedAttempt]) async {
        for attempt in completed {
            do {
                try await store.recordAttempts([attempt])
            } catch {
                logger.error(
                    "could not record a delivery attempt; the notification will be sent again when its lease ends",
                    metadata: ["error": "\(error)", "idempotency_key": "\(attempt.entry.idempotencyKey)"])
            }
            log(attempt)
        }
    }

    /// One attempt: render (first attempt only, from `material` when the turn read it), send
    /// through the transport, decide what comes next.
    func attempt(_ entry: OutboxEntry, material: RenderMaterial?, storedLinkKey: [UInt8]?) async -> CompletedAttempt {
        let started = clock.now
        var rendered = entry.rendered
        var result: DeliveryResult
        var statusCode: Int?
        var held: String?
        // A text or call the phone rate limit reserved: given back unless Twilio takes it.
        var reservation: Int?
        do {
            switch try await phoneRateLimit(entry, now: started) {
            case .send(let reserved):
                reservation = reserved
                if rendered == nil {
                    // Rendered from the entry's own time, so a retry after a crash renders the same
                    // links and Date header; `rendered` is kept from the first recorded attempt on.
                    rendered = try await render(entry, material: material, storedLinkKey: storedLinkKey, now: entry.createdAt)
                }
                (result, statusCode) = await transport.send(entry, body: rendered ?? "", now: started)
            case .notice(let text, let reserved):
                reservation = reserved
                // The one text of the hour that says texts and calls are held back, in its place. The
                // page itself is held back once the notice is out; its own body is left as it was, so
                // that a retry (the notice failed) sends the page if the limit allows it by then.
                var notice = entry
                notice.medium = .sms
                (result, statusCode) = await transport.send(notice, body: text, now: started)
                if result.isAccepted {
                    held = PhoneText.rateNoticeSentReason
                }
                DeliveryMetrics.phoneRateLimited("notice")
            case .hold(let reason):
                held = reason
                result = .failed(reason)
                DeliveryMetrics.phoneRateLimited("held")
            }
        } catch {
            result = .failed("\(error)")
        }
        if let reservation, !result.isAccepted {
            phoneLedger.cancel(reservation, address: entry.address)
        }
        let finished = clock.now
        let outcome = held.map { DeliveryPolicy.Outcome.dead(reason: $0) } ?? settings.policy.outcome(
            of: result, attempt: entry.attempts, queuedAt: entry.createdAt, now: finished, random: random())
        DeliveryMetrics.record(medium: entry.medium, outcome: outcome, seconds: finished.timeIntervalSince(started))
        return CompletedAttempt(
            entry: entry, startedAt: started, finishedAt: finished, statusCode: statusCode,
            error: { if case .failed(let message) = result { return message } else { return nil } }(),
            outcome: outcome, rendered: rendered)
    }

    /// What the phone rate limit says of a text or call to `entry`'s number: go ahead (with the
    /// ledger's reservation, nil when no limit applies); send the hour's one notice instead; or
    /// hold it back (email and the console still have it).
    private enum PhoneLimit {
        case send(reservation: Int?)
        case notice(String, reservation: Int)
        case hold(String)
    }

    private func phoneRateLimit(_ entry: OutboxEntry, now: Date) async throws -> PhoneLimit {
        guard entry.medium == .sms || entry.medium == .voice, let limit = settings.twilio?.phoneRateLimit, limit > 0 else {
            return .send(reservation: nil)
        }
        // What earlier processes sent; this one's own texts and calls are in the ledger.
        let earlier = try await store.phoneUsage(
            address: entry.address, since: now.addingTimeInterval(-3600), until: startedAt, noticeReason: PhoneText.rateNoticeSentReason)
        switch phoneLedger.reserve(address: entry.address, now: now, limit: limit, earlier: earlier) {
        case .send(let reservation):
            return .send(reservation: reservation)
        case .notice(let reservation):
            return .notice(PhoneText.rateNotice(limit: limit, consoleURL: "\(settings.publicURL)/ui/incidents"), reservation: reservation)
        case .hold(let used):
            return .hold("not sent: \(used) texts and calls to this number in the last hour reached --phone-rate-limit \(limit)")
        }
    }

    /// The log line of a recorded attempt.
    private func log(_ completed: CompletedAttempt) {
        let entry = completed.entry
        var logger = self.logger
        logger[metadataKey: "incident_id"] = "\(entry.incidentID)"
        if let correlationID = entry.correlationID {
            logger[metadataKey: "correlation_id"] = "\(correlationID)"
        }
        logger[metadataKey: "idempotency_key"] = "\(entry.idempotencyKey)"
        logger[metadataKey: "attempt"] = "\(entry.attempts)"
        let metadata: Logger.Metadata = [
            "medium": "\(entry.medium)", "event": "\(entry.event.rawValue)", "target": "\(entry.target)",
            "status": "\(completed.statusCode.map(String.init) ?? "none")",
            "duration_ms": "\(Int(completed.finishedAt.timeIntervalSince(completed.startedAt) * 1000))",
        ]
        switch completed.outcome {
        case .sent: logger.info("delivered", metadata: metadata)
        case .retry(let at, let reason):
            logger.warning("delivery failed; will retry", metadata: metadata.merging(["reason": "\(reason)", "retry_at": "\(RFC3339.format(at))"]) { $1 })
        case .dead(let reason):
            logger.error("delivery dead", metadata: metadata.merging(["reason": "\(reason)"]) { $1 })
        }
    }

    /// The bytes to send, or nil for email while no SMTP server is configured (nothing is rendered
    /// or kept then, so a re-queued delivery renders properly once one is).
    private func render(_ entry: OutboxEntry, material: RenderMaterial?, storedLinkKey: [UInt8]?, now: Date) async throws -> String? {
        let material = if let material { material } else { try await store.renderMaterial(incidentID: entry.incidentID) }
        let key = if let fixed = linkKey ?? storedLinkKey { fixed } else { try await store.linkSigningKey() }
        let renderer = NotificationRenderer(settings: settings, signer: LinkSigner(key: key))
        switch entry.medium {
        case .email:
            guard let smtp = settings.smtp else { return nil }
            return renderer.email(
                entry, incident: material.incident, alerts: material.alerts, escalations: material.escalations,
                timeZone: timeZone(entry.target), from: smtp.from, now: now)
        case .webhook:
            // A drill's capture receiver reads Tocsin's own payload, whatever the real target's
            // format; only the receiver its run registered is one.
            let drillCapture = material.drillRun?.isCapture(entry.address) ?? false
            return try renderer.webhookBody(
                entry, incident: material.incident, alerts: material.alerts, escalations: material.escalations,
                timeZone: timeZone(entry.target), format: drillCapture ? .tocsin : webhookSettings(entry.target).format, now: now)
        case .voice:
            // A call reads the page from Tocsin itself: the body is the signed URL Twilio asks for its TwiML.
            return renderer.voiceURL(entry, now: now)
        case .sms:
            // A note's text says the note; every other text names the incident.
            let title = entry.event == .note ? NotificationText.detail(ofBody: entry.body) : material.incident.title
            return PhoneText.sms(
                entry.event, incidentID: entry.incidentID, severity: material.incident.severity, title: title,
                actor: entry.event == .acknowledged
                    ? material.incident.acknowledgedBy : entry.event == .resolved ? material.incident.resolvedBy : nil)
        }
    }
}

/// How many deliveries are running, by destination.
final class InFlightCounter: Sendable {
    private let counts = Mutex<[String: Int]>([:])

    var byDestination: [String: Int] { counts.withLock { $0 } }

    func add(_ delta: Int, to destination: String) {
        counts.withLock { counts in
            let count = counts[destination, default: 0] + delta
            counts[destination] = count > 0 ? count : nil
        }
    }
}

/// Attempts finished by the workers, and claims their lanes gave back unstarted, waiting for the
/// loop to record them.
final class CompletedAttempts: Sendable {
    private let waiting = Mutex<(attempts: [CompletedAttempt], released: [OutboxEntry])>(([], []))

    func append(_ attempt: CompletedAttempt) {
        waiting.withLock { $0.attempts.append(attempt) }
    }

    func release(_ entries: ArraySlice<OutboxEntry>) {
        guard !entries.isEmpty else { return }
        waiting.withLock { $0.released.append(contentsOf: entries) }
    }

    /// Everything waiting, oldest first, leaving none.
    func takeAll() -> (attempts: [CompletedAttempt], released: [OutboxEntry]) {
        waiting.withLock { waiting in
            defer { waiting = ([], []) }
            return waiting
        }
    }
}

/// A flag set from any thread, read or taken (read and cleared) by the loop.
final class Flag: Sendable {
    private let isSet = Atomic(false)

    var value: Bool { isSet.load(ordering: .acquiring) }

    func set() {
        isSet.store(true, ordering: .releasing)
    }

    /// Whether it was set, clearing it.
    func take() -> Bool {
        isSet.exchange(false, ordering: .acquiringAndReleasing)
    }
}
