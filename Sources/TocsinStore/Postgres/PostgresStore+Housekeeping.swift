import Foundation
import PostgresNIO
import TocsinCore

extension PostgresStore {
    public func deleteResolvedIncidents(
        resolvedBefore cutoff: Date, limit: Int = 200, maxAlerts: Int = 5_000
    ) async throws(StoreError) -> Int {
        try await transaction { connection, logger in
            let candidates = try await connection.query(
                """
                SELECT id, alert_count FROM incidents WHERE state = 'resolved' AND resolved_at < \(cutoff.moment)
                ORDER BY resolved_at LIMIT \(limit) FOR UPDATE SKIP LOCKED
                """, logger: logger)
            var ids: [Int64] = []
            var alerts = 0
            for (id, count) in try await candidates.decode((Int64, Int).self).all() {
                if !ids.isEmpty, alerts + count > maxAlerts { break }
                ids.append(id)
                alerts += count
            }
            guard !ids.isEmpty else { return 0 }
            let deleted = try await connection.query("DELETE FROM incidents WHERE id = ANY(\(ids))", logger: logger).get()
            return deleted.metadata.rows ?? 0
        }
    }

    public func deleteAuditEvents(before cutoff: Date, limit: Int = 1000) async throws(StoreError) -> Int {
        try await transaction { connection, logger in
            // The trail's trigger allows a delete only below this cutoff (UTC, SQLite's text layout).
            let stamp = StoredDate.text(cutoff)
            try await connection.query(
                """
                INSERT INTO settings (name, value) VALUES ('audit_retention_cutoff', \(stamp))
                ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value
                """, logger: logger)
            let deleted = try await connection.query(
                """
                DELETE FROM audit_events WHERE id IN (SELECT id FROM audit_events WHERE at < \(cutoff.moment) ORDER BY at LIMIT \(limit))
                """, logger: logger
            ).get()
            return deleted.metadata.rows ?? 0
        }
    }

    public func operationalCounts() async throws(StoreError) -> OperationalCounts {
        try await reading { connection, logger in
            func grouped(_ table: String) async throws -> [String: Int] {
                let rows = try await connection.query(
                    PostgresQuery(unsafeSQL: "SELECT state, count(*) FROM \(table) GROUP BY state"), logger: logger)
                var counts: [String: Int] = [:]
                for (state, count) in try await rows.decode((String, Int64).self).all() { counts[state] = Int(count) }
                return counts
            }
            let incidents = try await grouped("incidents")
            let outbox = try await grouped("outbox")
            let sent = try await connection.query(
                "SELECT sent_at FROM outbox WHERE state = 'sent' AND sent_at IS NOT NULL ORDER BY id DESC LIMIT 1", logger: logger)
            let lastSentAt = try await sent.decode(Date.self).all().first?.storedPrecision
            return OperationalCounts(incidents: incidents, outbox: outbox, lastSentAt: lastSentAt)
        }
    }

    public func startDrill(_ run: DrillRun) async throws(StoreError) -> DrillRun {
        try await transaction { connection, logger in
            let inserted = try await connection.query(
                """
                INSERT INTO drill_runs (id, name, receiver_url, real_targets, started_by, started_at, finished_at)
                VALUES (\(run.id), \(run.name), \(run.receiverURL), \(run.realTargets), \(run.startedBy), \(run.startedAt.moment),
                        \(run.finishedAt?.moment))
                ON CONFLICT (id) DO NOTHING
                """, logger: logger
            ).get()
            guard (inserted.metadata.rows ?? 0) > 0 else {
                throw StoreError.conflict("a drill run with id \"\(run.id)\" exists already")
            }
            return run
        }
    }

    public func finishDrill(id: String, now: Date) async throws(StoreError) -> DrillRun {
        try await transaction { connection, logger in
            try await connection.query(
                "UPDATE drill_runs SET finished_at = \(now.moment) WHERE id = \(id) AND finished_at IS NULL", logger: logger)
            guard let run = try await self.drillRuns(where: "WHERE t.id = $1", id, on: connection, logger: logger).first else {
                throw StoreError.notFound(what: "drill run", id: id)
            }
            return run
        }
    }

    public func drillRuns(limit: Int = 50) async throws(StoreError) -> [DrillRun] {
        try await reading { connection, logger in
            try await self.drillRuns(where: "ORDER BY t.started_at DESC LIMIT $1", limit, on: connection, logger: logger)
        }
    }

    private func drillRuns(
        where clause: String, _ value: some PostgresNonThrowingEncodable & Sendable, on connection: PostgresConnection, logger: Logger
    ) async throws -> [DrillRun] {
        let layout = try await layout("drill_runs", on: connection, logger: logger)
        let rows = try await connection.query(
            PostgresQuery(unsafeSQL: "SELECT \(layout.storedSelection(of: "t")) FROM drill_runs AS t \(clause)", binds: Self.binding(value)),
            logger: logger
        ).collect()
        return try rows.map { try DrillRun(row: try layout.storedRow($0)) }
    }
}
