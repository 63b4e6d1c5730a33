import Foundation
import Logging
import ServiceLifecycle
import TocsinCore

/// The escalation engine's loop: sleeps until the earliest due escalation, runs everything due,
/// and is woken early when new incidents open or incidents are acknowledged or resolved.
///
/// There is no fixed polling interval: the next wake-up is read from the database, so a step
/// that fell due while Tocsin was down runs as soon as the loop starts.
///
/// Steps of triggered incidents are prepared `lead` ahead of their due time (their pages wait in
/// the outbox until it comes), so that thousands of steps falling due at one instant are all
/// written before it, instead of the last of them committing a second late.
public final class Escalator: Service, Sendable {
    let store: any StateStore
    let clock: any TocsinClock
    let logger: Logger
    private let wakeSignal = WakeSignal()
    /// The longest single sleep, so a wall-clock jump is noticed within this bound (and the
    /// heartbeat shows the loop alive).
    static let maxSleep: TimeInterval = 60
    /// Beats after every pass; `/readyz` checks it.
    public let heartbeat = LoopHeartbeat(name: "escalator", bound: 3 * 60)

    /// Called when a pass queued notifications (wakes the dispatcher).
    let onQueued: @Sendable () -> Void
    /// The configuration in force: `oncall:` targets resolve against its schedules and people.
    let configuration: @Sendable () -> TocsinConfiguration
    /// How long before its due time a step is prepared (0: at the due time).
    let lead: TimeInterval

    /// The default `lead`: enough for about twenty thousand steps due at once on a small machine.
    public static let defaultLead: TimeInterval = 2

    public init(
        store: any StateStore, clock: any TocsinClock, logger: Logger, lead: TimeInterval = Escalator.defaultLead,
        configuration: @escaping @Sendable () -> TocsinConfiguration = { TocsinConfiguration() },
        onQueued: @escaping @Sendable () -> Void = {}
    ) {
        self.store = store
        self.lead = max(lead, 0)
        self.clock = clock
        self.logger = logger
        self.configuration = configuration
        self.onQueued = onQueued
    }

    /// Asks the loop to look at the database now (new work may be due).
    public func wake() {
        wakeSignal.signal()
    }

    /// The least time from one pass to the next when the next is asked for early (``wake()``).
    /// Under a stream of new incidents every ingest wakes the loop, and a pass per request (the
    /// heartbeats and maintenance windows read, an escalation write, the next due time read) cost
    /// more than the ingest's own transaction; a new incident's first step runs in its ingest and
    /// later ones are prepared `lead` ahead, so this spacing makes no page later. A pass the loop
    /// scheduled for a due time is never held back.
    static let minimumWakeInterval: Duration = .milliseconds(20)

    /// Escalations run per transaction: large enough to amortise the commit, small enough that
    /// ingest requests are not held behind one long write.
    static let batchSize = 500

    /// Runs everything due now, prepares what falls due within `lead` (and before `limit`, when
    /// given), and returns when to look again.
    @discardableResult
    public func tick(preparingBefore limit: Date? = nil) async throws(StoreError) -> Date? {
        var tick = EscalationTick()
        // A missed heartbeat opens its incident (and queues a first step due at once) before the
        // escalations run, so both go out in this tick.
        // A failure here must not stop escalations: it is logged, and the heartbeats looked at again in a second.
        var heartbeats = HeartbeatPass(nextDeadline: clock.now.addingTimeInterval(1))
        do {
            heartbeats = try await store.checkHeartbeats(configuration: configuration(), now: clock.now)
        } catch {
            // At a stop, the database refuses new work: that is no failure to report.
            if !Task.isCancelled { logger.error("heartbeat check failed; escalations go on", metadata: ["error": "\(error)"]) }
        }
        // Maintenance windows that closed page what they held (also never in the way of escalations).
        var maintenanceCloses: Date?
        do {
            let release = try await store.releaseClosedMaintenance(now: clock.now, configuration: configuration())
            maintenanceCloses = release.next
            if release.released > 0 { onQueued() }
        } catch {
            if !Task.isCancelled {
                logger.error("releasing maintenance windows failed; escalations go on", metadata: ["error": "\(error)"])
            }
            maintenanceCloses = clock.now.addingTimeInterval(1)
        }
        for name in heartbeats.missed {
            logger.warning("heartbeat missed", metadata: ["heartbeat": "\(name)"])
        }
        if !heartbeats.missed.isEmpty { onQueued() }
        while true {
            let now = clock.now
            var horizon = now.addingTimeInterval(lead)
            if let limit { horizon = min(horizon, limit.addingTimeInterval(-0.001)) }
            var pass = try await store.runDueEscalations(
                now: now, preparingUntil: horizon, limit: Self.batchSize, configuration: configuration())
            pass.recordPreparedSteps(committedAt: clock.now)
            tick.processed += pass.processed
            tick.queued += pass.queued
            tick.latenessMs += pass.latenessMs
            heartbeat.beat(at: clock.now)  // each batch, so a long backlog still shows the loop alive
            if pass.processed < Self.batchSize { break }
        }
        if tick.queued > 0 {
            onQueued()
        }
        if tick.processed > 0 {
            logger.info(
                "escalations run",
                metadata: [
                    "escalations": "\(tick.processed)", "notifications_queued": "\(tick.queued)",
                    "max_lateness_ms": "\(tick.latenessMs.max() ?? 0)",
                ])
        }
        let next = try await store.nextEscalationDue(preparingAhead: lead)
        return [next, heartbeats.nextDeadline, maintenanceCloses].compactMap { $0 }.min()
    }

    /// At start: a heartbeat whose beat fell due while Tocsin was down gets a fresh window
    /// (``HeartbeatMonitor/resume(_:of:lastChecked:now:)``); one already late before is missed at once.
    func resumeHeartbeats() async {
        do {
            let resumed = try await store.resumeHeartbeats(configuration: configuration(), now: clock.now)
            if !resumed.isEmpty {
                logger.notice(
                    "heartbeats due while Tocsin was down get a fresh window", metadata: ["heartbeats": "\(resumed.joined(separator: ","))"])
            }
        } catch {
            logger.error("could not resume heartbeats; they keep their deadlines", metadata: ["error": "\(error)"])
        }
    }

    public func run() async throws {
        logger.info("escalator started")
        await resumeHeartbeats()
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                let passStarted = ContinuousClock.now
                var sleep = Self.maxSleep
                do {
                    if let next = try await self.tick() {
                        sleep = min(max(next.timeIntervalSince(self.clock.now), 0), Self.maxSleep)
                    }
                } catch {
                    // A pass cut short by the stop is not a failure.
                    if !Task.isCancelled { self.logger.error("escalation pass failed; retrying", metadata: ["error": "\(error)"]) }
                    sleep = 1
                }
                let woken = await self.wakeSignal.wait(timeout: .milliseconds(Int64((sleep * 1000).rounded(.up))))
                let since = ContinuousClock.now - passStarted
                if woken, since < Self.minimumWakeInterval {
                    try? await Task.sleep(for: Self.minimumWakeInterval - since)
                }
            }
        }
        logger.info("escalator stopped")
    }
}
