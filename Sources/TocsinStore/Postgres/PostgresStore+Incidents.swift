import Foundation
import GRDB
import PostgresNIO
import TocsinCore

// Incidents read from PostgreSQL in SQLite's shape (``TableLayout``), so the records' own
// decoders read them: one decoder per record for both stores.

extension PostgresStore {
    public func incidents(filter: IncidentFilter, limit: Int = 50, before: Int64? = nil) async throws(StoreError) -> IncidentPage {
        let size = max(1, min(limit, TocsinStore.maxPageSize))
        return try await reading { connection, logger in
            let layout = try await self.layout("incidents", on: connection, logger: logger)
            var bindings = PostgresBindings()
            var conditions: [String] = []
            if filter != .all {
                bindings.append(filter.states.map(\.rawValue))
                conditions.append("state = ANY($\(bindings.count))")
            }
            if let before {
                bindings.append(before)
                conditions.append("id < $\(bindings.count)")
            }
            bindings.append(size + 1)
            let sql = "SELECT \(layout.storedSelection) FROM incidents" + (conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND "))
                + " ORDER BY id DESC LIMIT $\(bindings.count)"
            var incidents: [Incident] = []
            for row in try await connection.query(PostgresQuery(unsafeSQL: sql, binds: bindings), logger: logger).collect() {
                incidents.append(try Incident(stored: try layout.storedValues(row)))
            }
            let page = Array(incidents.prefix(size))
            var result = IncidentPage(incidents: page, nextBefore: incidents.count > size ? page.last?.id : nil)
            if !page.isEmpty {
                let ids = page.compactMap(\.id)
                let held = try await connection.query(
                    "SELECT DISTINCT incident_id FROM maintenance_holds WHERE released_at IS NULL AND incident_id = ANY(\(ids))",
                    logger: logger)
                result.inMaintenance = Set(try await held.decode(Int64.self).all())
            }
            return result
        }
    }

    public func incident(id: Int64) async throws(StoreError) -> IncidentDetail {
        try await reading { connection, logger in
            // One snapshot for the whole detail, as SQLite's read gives.
            try await connection.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", logger: logger)
            do {
                let detail = try await self.detail(id: id, on: connection, logger: logger)
                try await connection.query("COMMIT", logger: logger)
                return detail
            } catch {
                _ = try? await connection.query("ROLLBACK", logger: logger)
                throw error
            }
        }
    }

    public func latestIncident(source: String, receiver: String, groupKey: String) async throws(StoreError) -> IncidentDetail? {
        var key = PostgresBindings()
        key.append(receiver)
        key.append(groupKey)
        key.append(source)
        let id = try await reading { connection, logger in
            try await connection.query(
                PostgresQuery(
                    unsafeSQL: "SELECT id FROM incidents WHERE receiver = $1 AND group_key = $2 AND source = $3 ORDER BY id DESC LIMIT 1",
                    binds: key),
                logger: logger
            ).decode(Int64.self).all().first
        }
        guard let id else { return nil }
        return try await incident(id: id)
    }

    private func detail(id: Int64, on connection: PostgresConnection, logger: Logger) async throws -> IncidentDetail {
        let incidents = try await layout("incidents", on: connection, logger: logger)
        let incidentRows = try await connection.query(
            PostgresQuery(unsafeSQL: "SELECT \(incidents.storedSelection) FROM incidents WHERE id = $1", binds: Self.binding(id)),
            logger: logger
        ).collect()
        guard let row = incidentRows.first else { throw StoreError.notFound(what: "incident", id: "#\(id)") }
        let incident = try Incident(stored: try incidents.storedValues(row))
        let alerts = try await records("incident_alerts", "WHERE t.incident_id = $1 ORDER BY t.status, t.id", id, on: connection, logger: logger)
            .map(IncidentAlert.init(row:))
        // By time: a step prepared ahead of its due time was written before events that precede it.
        let timeline = try await records("timeline_events", "WHERE t.incident_id = $1 ORDER BY t.at, t.id", id, on: connection, logger: logger)
            .map(TimelineEvent.init(row:))
        let escalations = try await records("escalations", "WHERE t.incident_id = $1 ORDER BY t.id", id, on: connection, logger: logger)
            .map(Escalation.init(row:))
        let notifications = try await records("outbox", "WHERE t.incident_id = $1 ORDER BY t.id", id, on: connection, logger: logger)
            .map(OutboxEntry.init(row:))
        let attempts = try await records(
            "delivery_attempts", "JOIN outbox ON outbox.id = t.outbox_id WHERE outbox.incident_id = $1 ORDER BY t.id", id,
            on: connection, logger: logger
        ).map(DeliveryAttempt.init(row:))
        var holds: [Fingerprint: Int64] = [:]
        let held = try await connection.query(
            "SELECT fingerprint, window_id FROM maintenance_holds WHERE incident_id = \(id) AND released_at IS NULL", logger: logger)
        for (fingerprint, window) in try await held.decode((String, Int64).self).all() {
            if let fingerprint = Fingerprint(hex: fingerprint) { holds[fingerprint] = window }
        }
        return IncidentDetail(
            incident: incident, alerts: alerts, timeline: timeline, escalations: escalations, notifications: notifications,
            attempts: attempts, maintenanceHolds: holds)
    }

    /// The rows of `table` (aliased `t`) that `clause` picks, with `$1` bound to `id`, as GRDB rows in SQLite's shape.
    private func records(_ table: String, _ clause: String, _ id: Int64, on connection: PostgresConnection, logger: Logger) async throws
        -> [Row]
    {
        let layout = try await layout(table, on: connection, logger: logger)
        let sql = "SELECT \(layout.storedSelection(of: "t")) FROM \(table) AS t \(clause)"
        return try await connection.query(PostgresQuery(unsafeSQL: sql, binds: Self.binding(id)), logger: logger).collect()
            .map(layout.storedRow)
    }
}
