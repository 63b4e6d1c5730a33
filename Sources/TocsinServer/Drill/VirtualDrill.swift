import Foundation
import Logging
import TocsinCore
import TocsinDelivery
import TocsinStore

/// Runs a drill on a virtual clock: the production engine (ingest, escalation, the outbox
/// dispatcher) against a temporary SQLite database, with deliveries captured in process. A
/// 24-hour drill finishes in well under a second; the same drill gives the same report every time.
public struct VirtualDrill: Sendable {
    /// What a drill run found.
    public struct Report: Sendable, Codable {
        public var drill: String
        public var passed: Bool
        public var results: [DrillExpectation.Result]
        public var deliveries: [DrillDelivery]
    }

    public var configuration: TocsinConfiguration

    public init(configuration: TocsinConfiguration) {
        self.configuration = configuration
    }

    public func run(_ drill: Drill, start: Date = Date(timeIntervalSince1970: 1_795_800_000)) async throws -> Report {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tocsin-drill-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try TocsinStore(
            path: directory.appendingPathComponent("drill.sqlite").path, configuration: .init(durability: .normal))
        defer { try? store.close() }
        let clock = ManualClock(start: start)
        let capture = CaptureTransport(clock: clock, start: start)
        var logger = Logger(label: "tocsin-drill")
        logger.logLevel = .critical
        let settings = DeliverySettings(publicURL: "http://drill.invalid", policy: DeliveryPolicy(maxAttempts: 50, maxAge: drill.duration + 3600))
        let dispatcher = Dispatcher(
            store: store, clock: clock, settings: settings, linkKey: Array("drill".utf8),
            webhookSettings: { _ in WebhookSettings() }, transport: capture, random: { 0.5 }, logger: logger)

        var pending = drill.actions
        let end = start.addingTimeInterval(drill.duration)
        try await fire(drill, status: .firing, store: store, now: start)
        while true {
            // Everything that is due at this instant: people's actions, escalation steps, deliveries.
            while let action = pending.first, start.addingTimeInterval(action.at) <= clock.now {
                pending.removeFirst()
                try await perform(action.action, drill: drill, store: store, capture: capture, now: clock.now, start: start)
            }
            while try await store.runDueEscalations(now: clock.now).processed > 0 {}
            while try await dispatcher.dispatchReadyNow() > 0 {}
            let nextAction = pending.first.map { start.addingTimeInterval($0.at) }
            let candidates = [try await store.nextEscalationDue(), try await store.nextDeliveryDue(), nextAction]
            guard let next = candidates.compactMap({ $0 }).min(), next <= end else { break }
            // Always move forward, so the run ends even if something stays due without progress.
            clock.set(to: max(next, clock.now.addingTimeInterval(0.001)))
        }
        let deliveries = capture.deliveries
        let results = drill.expectations.map { $0.evaluate(deliveries) }
        return Report(drill: drill.name, passed: results.allSatisfy(\.met), results: results, deliveries: deliveries)
    }

    private func fire(_ drill: Drill, status: AlertStatus, store: TocsinStore, now: Date) async throws {
        let common = drill.alerts.count == 1 ? drill.alerts[0].labels : [:]
        let batch = AlertBatch(
            source: "drill", receiver: "drill", groupKey: "drill:\(drill.name)", status: status,
            groupLabels: ["alertname": drill.alerts.first?.labels["alertname"] ?? drill.name], commonLabels: common,
            commonAnnotations: drill.alerts.count == 1 ? drill.alerts[0].annotations : [:],
            alerts: drill.alerts.map {
                Alert(status: status, labels: $0.labels, annotations: $0.annotations, startsAt: now,
                      endsAt: status == .resolved ? now : nil)
            })
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
            try await fire(drill, status: .firing, store: store, now: now)
        case .clear:
            try await fire(drill, status: .resolved, store: store, now: now)
        case .receiverDown(let medium, let until):
            capture.down(medium: medium, until: start.addingTimeInterval(until))
        }
    }
}

/// Captures deliveries in process for a drill; fails them while a receiver is "down".
final class CaptureTransport: NotificationTransport, @unchecked Sendable {
    private let lock = NSLock()
    private let clock: ManualClock
    private let start: Date
    private var captured: [DrillDelivery] = []
    private var outages: [(medium: String?, until: Date)] = []

    init(clock: ManualClock, start: Date) {
        self.clock = clock
        self.start = start
    }

    var deliveries: [DrillDelivery] { lock.withLock { captured } }

    func down(medium: String?, until: Date) {
        lock.withLock { outages.append((medium, until)) }
    }

    func send(_ entry: OutboxEntry, body: String, now: Date) async -> (DeliveryResult, Int?) {
        lock.withLock {
            if outages.contains(where: { ($0.medium == nil || $0.medium == entry.medium) && now < $0.until }) {
                return (.failed("receiver down (drill)"), nil)
            }
            captured.append(DrillDelivery(
                offset: now.timeIntervalSince(start), incidentID: entry.incidentID, target: entry.target, medium: entry.medium,
                event: entry.event))
            return (.answered(status: 200, retryAfter: nil, detail: nil), 200)
        }
    }
}
