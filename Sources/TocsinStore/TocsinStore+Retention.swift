import Foundation
import GRDB
import TocsinCore

extension TocsinStore {
    /// Deletes up to `limit` incidents resolved before `cutoff`, oldest first, with their alerts,
    /// timeline, escalations, notifications and delivery attempts, in one short transaction.
    /// Returns how many; call again while it returns `limit`.
    public func deleteResolvedIncidents(resolvedBefore cutoff: Date, limit: Int = 200) async throws(StoreError) -> Int {
        try await write { db in
            try db.execute(
                sql: """
                    DELETE FROM incidents WHERE id IN (
                        SELECT id FROM incidents WHERE state = 'resolved' AND resolved_at < ? ORDER BY resolved_at LIMIT ?)
                    """,
                arguments: [StoredDate.text(cutoff), limit])
            return db.changesCount
        }
    }

    /// Deletes up to `limit` audit events older than `cutoff` (the trail allows it only below the
    /// cutoff written here). Returns how many.
    public func deleteAuditEvents(before cutoff: Date, limit: Int = 1000) async throws(StoreError) -> Int {
        try await write { db in
            let stamp = StoredDate.text(cutoff)
            try db.execute(
                sql: "INSERT OR REPLACE INTO settings (name, value) VALUES ('audit_retention_cutoff', ?)", arguments: [stamp])
            try db.execute(
                sql: "DELETE FROM audit_events WHERE id IN (SELECT id FROM audit_events WHERE at < ? ORDER BY at LIMIT ?)",
                arguments: [stamp, limit])
            return db.changesCount
        }
    }

    /// The bytes the database takes on disk: the file and its write-ahead log.
    public func databaseSizeBytes() -> Int {
        [path, path + "-wal"].reduce(0) { total, file in
            total + ((try? FileManager.default.attributesOfItem(atPath: file)[.size] as? Int) ?? 0)
        }
    }
}
