import Foundation
import GRDB
import PostgresNIO
import TocsinCore

extension PostgresStore {
    public func addOverride(_ override: StoredOverride) async throws(StoreError) -> StoredOverride {
        try await transaction { connection, logger in
            let rows = try await connection.query(
                """
                INSERT INTO schedule_overrides (schedule, person, starts_at, ends_at, note, created_by, created_at)
                VALUES (\(override.schedule), \(override.person), \(override.startsAt.moment), \(override.endsAt.moment), \(override.note),
                        \(override.createdBy), \(override.createdAt.moment))
                RETURNING id
                """, logger: logger)
            var stored = override
            stored.id = try await rows.decode(Int64.self).all().first
            try await self.withdrawAllPreparedSteps(now: override.createdAt, on: connection, logger: logger)
            try await Self.insertAudit(.overrideAdded(override, id: stored.id ?? 0), on: connection, logger: logger)
            return stored
        }
    }

    public func removeOverride(id: Int64, by actor: String, now: Date) async throws(StoreError) -> StoredOverride {
        try await transaction { connection, logger in
            let layout = try await self.layout("schedule_overrides", on: connection, logger: logger)
            let deleted = try await connection.query(
                PostgresQuery(unsafeSQL: "DELETE FROM schedule_overrides AS t WHERE t.id = $1 RETURNING \(layout.storedSelection(of: "t"))",
                              binds: Self.binding(id)),
                logger: logger
            ).collect()
            guard let row = deleted.first else { throw StoreError.notFound(what: "override", id: "#\(id)") }
            let stored = try StoredOverride(row: try layout.storedRow(row))
            try await self.withdrawAllPreparedSteps(now: now, on: connection, logger: logger)
            try await Self.insertAudit(.overrideRemoved(stored, id: id, by: actor, at: now), on: connection, logger: logger)
            return stored
        }
    }

    public func overrides(endingAfter now: Date?) async throws(StoreError) -> [StoredOverride] {
        try await reading { connection, logger in
            let layout = try await self.layout("schedule_overrides", on: connection, logger: logger)
            var bindings = PostgresBindings()
            var condition = ""
            if let now {
                bindings.append(now.moment)
                condition = "WHERE t.ends_at > $1"
            }
            let rows = try await connection.query(
                PostgresQuery(
                    unsafeSQL: "SELECT \(layout.storedSelection(of: "t")) FROM schedule_overrides AS t \(condition) ORDER BY t.starts_at, t.id",
                    binds: bindings),
                logger: logger
            ).collect()
            return try rows.map { try StoredOverride(row: try layout.storedRow($0)) }
        }
    }

    public func withdrawPreparedSteps(now: Date) async throws(StoreError) {
        try await transaction { connection, logger in try await self.withdrawAllPreparedSteps(now: now, on: connection, logger: logger) }
    }

    /// Takes back every step prepared ahead of `now`, as SQLite's store does: for each incident
    /// with such steps, the steps' timeline events and unsent pages go, and its escalations return
    /// to those steps (``EscalationPlanner/withdrawPrepared(_:now:)``).
    ///
    /// It first waits for every escalator's pass in progress (``OnCallChangeLock``): a pass that
    /// read who was on call before this change has committed the steps it prepared by then, and
    /// they are withdrawn with the rest.
    func withdrawAllPreparedSteps(now: Date, on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query(OnCallChangeLock.change, logger: logger)
        let prepared = try await connection.query(
            "SELECT DISTINCT incident_id FROM timeline_events WHERE prepared AND at > \(now.moment) ORDER BY 1", logger: logger)
        let ids = try await prepared.decode(Int64.self).all()
        guard !ids.isEmpty else { return }
        // The incidents first, as every change to escalations takes them (an escalator's pass holds
        // the incidents it plans; taking their steps second would wait on each other in a circle).
        try await connection.query("SELECT id FROM incidents WHERE id = ANY(\(ids)) ORDER BY id FOR UPDATE", logger: logger)
        try await connection.query(
            "DELETE FROM timeline_events WHERE incident_id = ANY(\(ids)) AND prepared AND at > \(now.moment)", logger: logger)
        let pages = NotificationEvent.pages.map(\.rawValue)
        try await connection.query(
            """
            DELETE FROM outbox WHERE incident_id = ANY(\(ids)) AND state = 'pending' AND attempts = 0
              AND COALESCE(step_due_at, due_at) > \(now.moment) AND COALESCE(step_due_at, due_at) > created_at
              AND event = ANY(\(pages))
            """, logger: logger)
        let layout = try await layout("escalations", on: connection, logger: logger)
        let rows = try await connection.query(
            PostgresQuery(
                unsafeSQL: "SELECT \(layout.storedSelection(of: "t")) FROM escalations AS t WHERE t.incident_id = ANY($1) FOR UPDATE",
                binds: Self.binding(ids)),
            logger: logger
        ).collect()
        for row in rows {
            let escalation = try Escalation(row: try layout.storedRow(row))
            let withdrawn = EscalationPlanner.withdrawPrepared(escalation, now: now)
            guard withdrawn != escalation, let id = withdrawn.id else { continue }
            try await connection.query(
                """
                UPDATE escalations SET epoch = \(withdrawn.epoch), started_at = \(withdrawn.startedAt.moment), position = \(withdrawn.position),
                                       next_due_at = \(withdrawn.nextDueAt?.moment)
                WHERE id = \(id)
                """, logger: logger)
        }
    }

    /// Bindings holding `value` alone, as `$1`.
    static func binding(_ value: some PostgresNonThrowingEncodable & Sendable) -> PostgresBindings {
        var bindings = PostgresBindings()
        bindings.append(value)
        return bindings
    }
}

/// The advisory lock that orders an escalator's pass and a change to who is on call (an override
/// added or removed, a configuration reloaded), across every instance on the database.
///
/// A pass prepares the steps due within its horizon for whoever is on call when it reads the
/// schedule; a change then withdraws the prepared steps, so that they are planned again for whoever
/// is on call after it. Without an order between them, a pass on another instance that read the
/// schedule before the change, and committed after the change had looked for prepared steps,
/// would leave its steps prepared for the person the change replaced. Passes hold the lock shared
/// (they run side by side), a change holds it alone: it waits for the passes in progress, and
/// passes that start meanwhile wait for it and read the change.
enum OnCallChangeLock {
    /// Taken by each escalator's pass, for its transaction.
    static let pass: PostgresQuery = "SELECT pg_advisory_xact_lock_shared(hashtextextended('on-call', 0))"
    /// Taken by a change to who is on call, for its transaction.
    static let change: PostgresQuery = "SELECT pg_advisory_xact_lock(hashtextextended('on-call', 0))"
}
