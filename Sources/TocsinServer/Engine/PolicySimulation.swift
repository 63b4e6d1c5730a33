import Foundation
import TocsinCore
import TocsinStore

/// Runs the production escalation engine on a virtual clock against a temporary database:
/// `tocsin policy simulate` (and virtual drills) see exactly what a real incident would do.
public struct PolicySimulation: Sendable {
    /// Something a person does during the simulation.
    public enum Action: Sendable, Equatable {
        case acknowledge(by: String)
        case resolve(by: String)
    }

    /// An action at an offset from the start.
    public struct ScheduledAction: Sendable, Equatable {
        public var after: TimeInterval
        public var action: Action

        public init(after: TimeInterval, action: Action) {
            self.after = after
            self.action = action
        }
    }

    /// What happened: the incident's timeline and every notification, with offsets from the start.
    public struct Result: Sendable {
        public var start: Date
        public var detail: IncidentDetail?

        /// The policies the alerts routed to, each with the alert that started it.
        public var policies: [(policy: String, startedBy: String?)] {
            (detail?.escalations ?? []).map { ($0.policyName, $0.startedBy) }
        }
    }

    public var configuration: TocsinConfiguration
    public var actions: [ScheduledAction]
    /// How far the virtual clock may run.
    public var until: TimeInterval

    public init(configuration: TocsinConfiguration, actions: [ScheduledAction], until: TimeInterval) {
        self.configuration = configuration
        self.actions = actions.sorted { $0.after < $1.after }
        self.until = until
    }

    /// Fires `batch` at `start` and runs the engine, jumping from due time to due time.
    public func run(_ batch: AlertBatch, start: Date) async throws -> Result {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tocsin-simulate-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try TocsinStore(path: directory.appendingPathComponent("simulate.sqlite").path, configuration: .init(durability: .normal))
        defer { try? store.close() }

        let clock = ManualClock(start: start)
        let ingested = try await store.ingest(batch, configuration: configuration, now: start)
        guard let incidentID = ingested.incidentID else {
            return Result(start: start, detail: nil)
        }
        var pending = actions
        let end = start.addingTimeInterval(until)
        while true {
            while try await store.runDueEscalations(now: clock.now, configuration: configuration).processed > 0 {}
            try await deliverInstantly(store: store, now: clock.now)
            let nextDue = try await store.nextEscalationDue()
            let nextAction = pending.first.map { start.addingTimeInterval($0.after) }
            guard let next = [nextDue, nextAction].compactMap({ $0 }).min(), next <= end else { break }
            clock.set(to: max(next, clock.now))
            if let nextAction, nextAction <= clock.now {
                let action = pending.removeFirst()
                try await perform(action.action, on: incidentID, store: store, now: clock.now)
            }
        }
        return Result(start: start, detail: try await store.incident(id: incidentID))
    }

    /// Marks everything queued as delivered at once, as a healthy dispatcher would (nothing is sent).
    private func deliverInstantly(store: TocsinStore, now: Date) async throws {
        while true {
            let claimed = try await store.claimDueNotifications(now: now, limit: 500)
            for entry in claimed {
                try await store.recordAttempt(
                    entry, startedAt: now, finishedAt: now, statusCode: nil, error: "simulated", outcome: .sent, rendered: nil)
            }
            if claimed.isEmpty { return }
        }
    }

    private func perform(_ action: Action, on id: Int64, store: TocsinStore, now: Date) async throws {
        do {
            switch action {
            case .acknowledge(let person):
                _ = try await store.acknowledge(id: id, by: Actor(name: person, channel: "simulation"), note: nil, now: now)
            case .resolve(let person):
                _ = try await store.resolve(id: id, by: Actor(name: person, channel: "simulation"), note: nil, now: now)
            }
        } catch StoreError.conflict {
            // Acknowledging an incident that already resolved changes nothing, as in production.
        }
    }
}
