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
        let (path, remove) = VirtualEngine.temporaryPath("drill")
        defer { remove() }
        let clock = ManualClock(start: start)
        let capture = CaptureTransport(start: start)
        let open = { (path: String) throws in
            try VirtualEngine(
                path: path, configuration: configuration, clock: clock, transport: capture, deliveryMaxAge: drill.duration + 3600)
        }
        var pending = drill.actions
        // The engine of the drill's current "process" (a restart opens a new one), closed however the run ends.
        var current = try open(path)
        defer { try? current.store.close() }
        // A maintenance window at +0s is open before the alerts first fire.
        for action in drill.windowsOpenAtStart {
            try await perform(action, drill: drill, store: current.store, capture: capture, now: start, start: start)
        }
        pending.removeAll { drill.windowsOpenAtStart.contains($0.action) && $0.at == 0 }
        try await fire(drill, status: .firing, store: current.store, now: start, elapsed: 0)
        _ = try await VirtualEngine.drive(
            current, clock: clock, until: start.addingTimeInterval(drill.duration),
            nextAction: { pending.first.map { start.addingTimeInterval($0.at) } },
            act: { engine in
                while let action = pending.first, start.addingTimeInterval(action.at) <= clock.now {
                    pending.removeFirst()
                    if action.action == .restart {
                        try current.store.close()
                        current = try open(engine.path)
                    } else {
                        try await perform(action.action, drill: drill, store: current.store, capture: capture, now: clock.now, start: start)
                    }
                }
                return current
            })
        return DrillReport(
            drill: drill, mode: "virtual", deliveries: capture.deliveries,
            policies: try await Self.policyStarts(in: current.store, start: start))
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
        case .escalate(let step):
            if let id = open?.id {
                _ = try? await store.escalateNow(
                    id: id, toStep: step, by: Actor(name: "drill", channel: "drill"), note: nil, now: now, configuration: configuration)
            }
        case .note(let text):
            if let id = open?.id { _ = try await store.addNote(id: id, text: text, notify: false, by: Actor(name: "drill", channel: "drill"), now: now) }
        case .maintenance(let matchers, let until):
            _ = try await store.addMaintenance(MaintenanceWindow(
                matchers: matchers, startsAt: now, endsAt: start.addingTimeInterval(until), note: "drill \(drill.name)", createdBy: "drill",
                createdAt: now))
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
