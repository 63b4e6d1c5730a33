import Foundation
import GRDB
import Metrics
import TocsinCore

/// What the store measures as it commits: how long database operations take, incidents changing
/// state, and how long incidents waited for an acknowledgement. What a transaction did is counted
/// once it commits (``afterCommit(of:_:)``): work rolled back is not counted. Reported through swift-metrics
/// (`tocsin serve` bootstraps the Prometheus backend; elsewhere they go nowhere).
enum StoreMetrics {
    static let readDuration = Timer(
        label: "tocsin_database_operation_duration_seconds", dimensions: [("operation", "read")], preferredDisplayUnit: .seconds)
    static let writeDuration = Timer(
        label: "tocsin_database_operation_duration_seconds", dimensions: [("operation", "write")], preferredDisplayUnit: .seconds)
    /// Writes the database did not take (disk full, I/O error, read-only, locked).
    static let writeFailures = Counter(label: "tocsin_database_write_failures_total")
    static let timeToAcknowledge = Timer(label: "tocsin_time_to_acknowledge_seconds", preferredDisplayUnit: .seconds)
    private static let transitions: [IncidentState: Counter] = Dictionary(
        uniqueKeysWithValues: IncidentState.allCases.map {
            ($0, Counter(label: "tocsin_incident_transitions_total", dimensions: [("to", $0.rawValue)]))
        })

    /// WAL checkpoints that copied frames, beside the writer and by the writer itself (``WALCheckpointer``).
    static let checkpointsInBackground = Counter(label: "tocsin_database_wal_checkpoints_total", dimensions: [("by", "background")])
    static let checkpointsByWriter = Counter(label: "tocsin_database_wal_checkpoints_total", dimensions: [("by", "writer")])
    /// Background WAL checkpoints that failed (the WAL keeps every commit; the writer's bound still holds).
    static let checkpointFailures = Counter(label: "tocsin_database_wal_checkpoint_failures_total")

    static let escalationSteps = Counter(label: "tocsin_escalation_steps_total")
    static let escalationLateness = Timer(label: "tocsin_escalation_lateness_seconds", preferredDisplayUnit: .seconds)

    /// Runs `record` once the transaction `db` is in commits; never if it rolls back.
    static func afterCommit(of db: Database, _ record: @escaping @Sendable () -> Void) {
        db.afterNextTransaction { _ in record() }
    }

    /// An escalation step ran `latenessMs` after it fell due (0 when it was prepared ahead).
    static func stepRan(latenessMs: Int) {
        escalationSteps.increment()
        escalationLateness.recordMilliseconds(latenessMs)
    }

    /// An incident entered `state` (opened, re-triggered, acknowledged, resolved).
    static func transition(to state: IncidentState) {
        transitions[state]?.increment()
    }
}

extension Timer {
    /// Records a Swift `Duration` in nanoseconds.
    func recordDuration(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        recordNanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
