import Foundation
import GRDB
import TocsinCore

extension AuditEvent: RowIDRecord {
    public static let databaseTableName = "audit_events"
}

extension AuditEvent.Kind: DatabaseValueConvertible {}

extension TocsinStore {
    /// Appends an event to the audit trail, in its own transaction.
    public func audit(_ event: AuditEvent) async throws(StoreError) {
        try await write { db in try Self.audit(event, in: db) }
    }

    /// Appends an event to the audit trail inside the caller's transaction, so the event and
    /// what it records commit together.
    static func audit(_ event: AuditEvent, in db: Database) throws {
        var event = event
        try event.insert(db)
    }

    /// Audit events at or after `since`, oldest first (at most `limit`, the newest ones).
    public func auditEvents(since: Date, limit: Int) async throws(StoreError) -> [AuditEvent] {
        try await read { db in
            try AuditEvent.filter(AuditEvent.Columns.at >= StoredDate.text(since)).order(AuditEvent.Columns.id.desc).limit(limit)
                .fetchAll(db).reversed()
        }
    }
}
