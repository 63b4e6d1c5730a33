import Foundation
import GRDB
import TocsinCore

extension TocsinStore {
    /// Deletes up to `limit` incidents resolved before `cutoff`, oldest first, with their alerts,
    /// timeline, escalations, notifications and delivery attempts, in one short transaction: the
    /// batch also stops at about `maxAlerts` alerts (an incident of a storm holds thousands), but
    /// takes at least one incident. Returns how many; call again until it returns 0.
    public func deleteResolvedIncidents(
        resolvedBefore cutoff: Date, limit: Int = 200, maxAlerts: Int = 5_000
    ) async throws(StoreError) -> Int {
        try await write { db in
            let candidates = try Row.fetchAll(
                db,
                sql: "SELECT id, alert_count FROM incidents WHERE state = \(IncidentState.resolved.sql) AND resolved_at < ? ORDER BY resolved_at LIMIT ?",
                arguments: [StoredDate.text(cutoff), limit])
            var ids: [Int64] = []
            var alerts = 0
            for row in candidates {
                let count: Int = row["alert_count"]
                if !ids.isEmpty, alerts + count > maxAlerts { break }
                ids.append(row["id"])
                alerts += count
            }
            guard !ids.isEmpty else { return 0 }
            try db.execute(
                sql: "DELETE FROM incidents WHERE id IN (SELECT value FROM json_each(?))",
                arguments: ["[" + ids.map(String.init).joined(separator: ",") + "]"])
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
