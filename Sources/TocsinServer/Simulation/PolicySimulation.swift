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
        /// Someone escalates by hand: the next step runs at once.
        case escalate(by: String)
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
    /// A maintenance window open when the alerts fire, until this offset: its matchers and end.
    public var maintenance: (matchers: [Matcher], until: TimeInterval)?

    public init(
        configuration: TocsinConfiguration, actions: [ScheduledAction], until: TimeInterval,
        maintenance: (matchers: [Matcher], until: TimeInterval)? = nil
    ) {
        self.configuration = configuration
        self.actions = actions.sorted { $0.after < $1.after }
        self.until = until
        self.maintenance = maintenance
    }

    /// Fires `batch` at `start` and runs the production engine on a virtual clock, jumping from
    /// due time to due time; every notification is delivered at once (nothing leaves the process).
    public func run(_ batch: AlertBatch, start: Date) async throws -> Result {
        let (path, remove) = VirtualEngine.temporaryPath("simulate")
        defer { remove() }
        let clock = ManualClock(start: start)
        let engine = try VirtualEngine(
            path: path, configuration: configuration, clock: clock, transport: CaptureTransport(start: start),
            deliveryMaxAge: until + 3600)
        defer { try? engine.store.close() }
        if let maintenance {
            _ = try await engine.store.addMaintenance(MaintenanceWindow(
                matchers: maintenance.matchers, startsAt: start, endsAt: start.addingTimeInterval(maintenance.until),
                note: "simulation", createdBy: "simulation", createdAt: start))
        }
        let ingested = try await engine.store.ingest(batch, configuration: configuration, now: start)
        guard let incidentID = ingested.incidentID else {
            return Result(start: start, detail: nil)
        }
        var pending = actions
        _ = try await VirtualEngine.drive(
            engine, clock: clock, until: start.addingTimeInterval(until),
            nextAction: { pending.first.map { start.addingTimeInterval($0.after) } },
            act: { engine in
                while let action = pending.first, start.addingTimeInterval(action.after) <= clock.now {
                    pending.removeFirst()
                    try await perform(action.action, on: incidentID, store: engine.store, now: clock.now)
                }
                return engine
            })
        return Result(start: start, detail: try await engine.store.incident(id: incidentID))
    }

    private func perform(_ action: Action, on id: Int64, store: TocsinStore, now: Date) async throws {
        do {
            switch action {
            case .acknowledge(let person):
                _ = try await store.acknowledge(id: id, by: Actor(name: person, channel: "simulation"), note: nil, now: now)
            case .resolve(let person):
                _ = try await store.resolve(id: id, by: Actor(name: person, channel: "simulation"), note: nil, now: now)
            case .escalate(let person):
                _ = try await store.escalateNow(
                    id: id, toStep: nil, by: Actor(name: person, channel: "simulation"), note: nil, now: now, configuration: configuration)
            }
        } catch StoreError.conflict {
            // Acknowledging an incident that already resolved (or escalating a spent chain) changes
            // nothing, as in production.
        }
    }
}
