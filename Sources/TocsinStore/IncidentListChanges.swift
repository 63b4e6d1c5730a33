import GRDB
import Synchronization

/// Counts the committed transactions that changed what a page of incidents shows: its
/// `incidents` rows and their `maintenance_holds`. A page read when the count was N may be
/// served again, unchanged, while the count is still N (see ``TocsinStore/incidentListVersion``).
///
/// It observes the writer connection, which every write of this process goes through: an
/// incident written by another process (none of the CLI's commands does) is not counted.
final class IncidentListChanges: TransactionObserver, Sendable {
    /// The tables a page of incidents is read from.
    static let tables: Set<String> = ["incidents", "maintenance_holds"]

    private let committed = Atomic<UInt64>(0)
    /// Whether the transaction under way changed one of ``tables`` (written on the writer's queue only).
    private let pending = Atomic<Bool>(false)

    /// How many transactions that changed the incident list have committed.
    var count: UInt64 { committed.load(ordering: .acquiring) }

    func observes(eventsOfKind eventKind: DatabaseEventKind) -> Bool {
        Self.tables.contains(eventKind.tableName)
    }

    func databaseDidChange(with event: DatabaseEvent) {
        pending.store(true, ordering: .relaxed)
        // One change is enough to know: the rest of the transaction is not reported.
        stopObservingDatabaseChangesUntilNextTransaction()
    }

    func databaseDidChange() {
        pending.store(true, ordering: .relaxed)
    }

    func databaseDidCommit(_ db: Database) {
        if pending.exchange(false, ordering: .relaxed) {
            committed.add(1, ordering: .releasing)
        }
    }

    func databaseDidRollback(_ db: Database) {
        pending.store(false, ordering: .relaxed)
    }
}
