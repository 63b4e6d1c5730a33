import Foundation
import GRDB
import TocsinCore

extension DrillRun: PersistableRecord, StoredDateRecord {
    public static let databaseTableName = "drill_runs"
}

extension TocsinStore {
    /// Registers a live drill run; its id becomes the `tocsin_drill` label of the drill's alerts.
    public func startDrill(_ run: DrillRun) async throws(StoreError) -> DrillRun {
        try await write { db in
            if try DrillRun.fetchOne(db, key: run.id) != nil {
                throw StoreError.conflict("a drill run with id \"\(run.id)\" exists already")
            }
            try run.insert(db)
            return run
        }
    }

    /// Marks a drill run finished; later alerts with its label page nobody.
    public func finishDrill(id: String, now: Date) async throws(StoreError) -> DrillRun {
        try await write { db in
            guard var run = try DrillRun.fetchOne(db, key: id) else { throw StoreError.notFound(what: "drill run", id: id) }
            if run.finishedAt == nil {
                run.finishedAt = now
                try run.update(db)
            }
            return run
        }
    }

    /// Drill runs, newest first.
    public func drillRuns(limit: Int = 50) async throws(StoreError) -> [DrillRun] {
        try await read { db in
            try DrillRun.order(DrillRun.Columns.startedAt.desc).limit(limit).fetchAll(db)
        }
    }

    /// The drill a batch belongs to: the batch is addressed to the drill receiver
    /// (`tocsin-drill`, as only drill runners send) and every alert carries the same
    /// `tocsin_drill` label, naming the run. Anything else is a real alert, whatever its labels
    /// say, so a stray label can never silence a page. An unknown or finished run counts as a
    /// drill that pages nobody.
    static func drill(of batch: AlertBatch, in db: Database) throws -> (id: String, run: DrillRun?)? {
        guard batch.receiver == Drill.receiver, let id = batch.alerts.first?.labels[DrillRun.label],
            batch.alerts.allSatisfy({ $0.labels[DrillRun.label] == id })
        else { return nil }
        let run = try DrillRun.fetchOne(db, key: id)
        return (id, run?.finishedAt == nil ? run : nil)
    }
}
