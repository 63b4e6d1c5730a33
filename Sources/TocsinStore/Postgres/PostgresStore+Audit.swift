import Foundation
import PostgresNIO
import TocsinCore

extension PostgresStore {
    public func audit(_ event: AuditEvent) async throws(StoreError) {
        try await transaction { connection, logger in try await Self.insertAudit(event, on: connection, logger: logger) }
    }

    /// Appends an event to the audit trail inside the caller's transaction, so the event and what
    /// it records commit together.
    static func insertAudit(_ event: AuditEvent, on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query(
            """
            INSERT INTO audit_events (at, kind, actor, source, detail)
            VALUES (\(event.at.moment), \(event.kind.rawValue), \(event.actor), \(event.source), \(event.detail))
            """, logger: logger)
    }

    public func auditEvents(since: Date, limit: Int) async throws(StoreError) -> [AuditEvent] {
        try await reading { connection, logger in
            let rows = try await connection.query(
                """
                SELECT id, at, kind, actor, source, detail FROM audit_events WHERE at >= \(since.moment)
                ORDER BY id DESC LIMIT \(limit)
                """, logger: logger)
            var events: [AuditEvent] = []
            for try await (id, at, kind, actor, source, detail) in rows.decode((Int64, Date, String, String, String, String).self) {
                guard let kind = AuditEvent.Kind(rawValue: kind) else {
                    throw StoreError.malformed("kind", of: "audit event", id: id, holding: kind)
                }
                events.append(AuditEvent(id: id, at: at.storedPrecision, kind: kind, actor: actor, source: source, detail: detail))
            }
            return events.reversed()
        }
    }
}
