import Foundation
import Logging
import Synchronization
import TocsinCore
import TocsinDelivery
import TocsinStore

/// Runs a drill on a virtual clock: the production engine (ingest, escalation, the outbox
/// dispatcher) against a temporary SQLite database, with deliveries captured in process. A
/// 24-hour drill finishes in well under a second; the same drill gives the same report every time.
public struct VirtualDrill: Sendable {
    public var configuration: TocsinConfiguration

    public init(configuration: TocsinConfiguration) {
        self.configuration = configuration
    }

    public func run(_ drill: Drill, start: Date = Date(timeIntervalSince1970: 1_795_800_000)) async throws -> DrillReport {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tocsin-drill-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let clock = ManualClock(start: start)
        let capture = CaptureTransport(start: start)
        var engine = try Engine(path: directory.appendingPathComponent("drill.sqlite").path, drill: drill, clock: clock, capture: capture)
        defer { try? engine.store.close() }

        var pending = drill.actions
        let end = start.addingTimeInterval(drill.duration)
        try await fire(drill, status: .firing, store: engine.store, now: start, elapsed: 0)
        while true {
            // Everything that is due at this instant: people's actions, escalation steps, deliveries.
            while let action = pending.first, start.addingTimeInterval(action.at) <= clock.now {
                pending.removeFirst()
                if action.action == .restart {
                    try engine.store.close()
                    engine = try Engine(path: engine.path, drill: drill, clock: clock, capture: capture)
                } else {
                    try await perform(action.action, drill: drill, store: engine.store, capture: capture, now: clock.now, start: start)
                }
            }
            while try await engine.store.runDueEscalations(now: clock.now, configuration: configuration).processed > 0 {}
            while try await engine.dispatcher.dispatchReadyNow() > 0 {}
            let nextAction = pending.first.map { start.addingTimeInterval($0.at) }
            let candidates = [try await engine.store.nextEscalationDue(), try await engine.store.nextDeliveryDue(), nextAction]
            guard let next = candidates.compactMap({ $0 }).min(), next <= end else { break }
            // Always move forward, so the run ends even if something stays due without progress.
            clock.set(to: max(next, clock.now.addingTimeInterval(0.001)))
        }
        return DrillReport(
            drill: drill, mode: "virtual", deliveries: capture.deliveries,
            policies: try await Self.policyStarts(in: engine.store, start: start))
    }

    /// Every policy that escalated the drill's incidents, oldest incident first.
    static func policyStarts(in store: TocsinStore, start: Date) async throws -> [DrillPolicyStart] {
        var starts: [DrillPolicyStart] = []
        for incident in try await store.incidents(filter: .all, limit: 100).incidents.reversed() {
            guard let id = incident.id else { continue }
            for escalation in try await store.incident(id: id).escalations {
                starts.append(DrillPolicyStart(
                    incidentID: id, policy: escalation.policyName, offset: (escalation.createdAt ?? escalation.startedAt).timeIntervalSince(start),
                    startedBy: escalation.startedBy))
            }
        }
        return starts
    }

    /// The store and dispatcher of one "process" of the drill; a restart builds them anew.
    private struct Engine {
        let path: String
        let store: TocsinStore
        let dispatcher: Dispatcher

        init(path: String, drill: Drill, clock: ManualClock, capture: CaptureTransport) throws {
            self.path = path
            store = try TocsinStore(path: path, configuration: .init(durability: .normal))
            var logger = Logger(label: "tocsin-drill")
            logger.logLevel = .critical
            let settings = DeliverySettings(
                publicURL: "http://drill.invalid", policy: DeliveryPolicy(maxAttempts: 50, maxAge: drill.duration + 3600))
            dispatcher = Dispatcher(
                store: store, clock: clock, settings: settings, linkKey: Array("drill".utf8),
                webhookSettings: { _ in WebhookSettings() }, transport: capture, random: { 0.5 }, logger: logger)
        }
    }

    /// Fires or clears the drill's alerts through the same validation as the HTTP endpoint.
    private func fire(_ drill: Drill, status: AlertStatus, store: TocsinStore, now: Date, elapsed: TimeInterval) async throws {
        let batch = try drill.webhook(status: status, at: now, elapsed: elapsed).validated(receivedAt: now)
        _ = try await store.ingest(batch, configuration: configuration, now: now)
    }

    private func perform(
        _ action: Drill.Action, drill: Drill, store: TocsinStore, capture: CaptureTransport, now: Date, start: Date
    ) async throws {
        let open = try await store.incidents(filter: .open, limit: 1).incidents.first
        switch action {
        case .acknowledge(let person):
            if let id = open?.id { _ = try? await store.acknowledge(id: id, by: Actor(name: person, channel: "drill"), note: nil, now: now) }
        case .resolve(let person):
            if let id = open?.id { _ = try? await store.resolve(id: id, by: Actor(name: person, channel: "drill"), note: nil, now: now) }
        case .fire:
            try await fire(drill, status: .firing, store: store, now: now, elapsed: now.timeIntervalSince(start))
        case .clear:
            try await fire(drill, status: .resolved, store: store, now: now, elapsed: now.timeIntervalSince(start))
        case .receiverDown(let medium, let until):
            capture.down(medium: medium, until: start.addingTimeInterval(until))
        case .restart:
            break  // handled by the run loop, which owns the engine
        }
    }
}

/// Captures deliveries in process for a drill; fails them while a receiver is "down".
final class CaptureTransport: NotificationTransport, Sendable {
    private let outages: ReceiverOutages
    private let start: Date
    private let captured = Mutex<[DrillDelivery]>([])

    init(start: Date) {
        self.start = start
        self.outages = ReceiverOutages()
    }

    var deliveries: [DrillDelivery] { captured.withLock { $0 } }

    func down(medium: Medium?, until: Date) {
        outages.down(medium: medium, until: until)
    }

    func send(_ entry: OutboxEntry, body: String, now: Date) async -> (DeliveryResult, Int?) {
        if outages.isDown(medium: entry.medium, at: now) {
            return (.failed("receiver down (drill)"), nil)
        }
        captured.withLock {
            $0.append(DrillDelivery(
                offset: now.timeIntervalSince(start), incidentID: entry.incidentID, target: entry.target, medium: entry.medium,
                event: entry.event))
        }
        return (.answered(status: 200, retryAfter: nil, detail: nil), 200)
    }
}

/// The drill's "receiver down" windows, by medium (nil: every medium).
final class ReceiverOutages: Sendable {
    private let windows = Mutex<[(medium: Medium?, until: Date)]>([])

    func down(medium: Medium?, until: Date) {
        windows.withLock { $0.append((medium, until)) }
    }

    func isDown(medium: Medium, at now: Date) -> Bool {
        windows.withLock { $0.contains { ($0.medium == nil || $0.medium == medium) && now < $0.until } }
    }
}
