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

    /// Audits a failed authentication from `client`: at most one entry per client per minute, the
    /// next one counting the failures that went unrecorded meanwhile. Failures to write are ignored
    /// (the request is refused either way).
    public func auditFailedAuthentication(client: String, detail: String, now: Date) async {
        guard let suppressed = failedAuthentications.admit(client: client, now: now) else { return }
        let more = suppressed > 0 ? " (and \(suppressed) more from this address since the previous entry)" : ""
        try? await audit(AuditEvent(at: now, kind: .authenticationFailed, actor: "unknown", source: client, detail: detail + more))
    }

    /// Audit events at or after `since`, oldest first (at most `limit`, the newest ones).
    public func auditEvents(since: Date, limit: Int = 1000) async throws(StoreError) -> [AuditEvent] {
        try await read { db in
            try AuditEvent.filter(AuditEvent.Columns.at >= StoredDate.text(since)).order(AuditEvent.Columns.id.desc).limit(limit)
                .fetchAll(db).reversed()
        }
    }
}
