import Foundation
import TocsinStore

/// Every row of every table, as text: compare two snapshots to prove a request changed nothing.
public enum DatabaseSnapshot {
    public static func take(_ store: any StoreContents) async throws -> [String] {
        try await store.contentsSnapshot()
    }

    /// The snapshot without the audit trail (for requests that change nothing but are audited).
    public static func takeExceptAudit(_ store: any StoreContents) async throws -> [String] {
        try await store.contentsSnapshot().filter { !$0.hasPrefix("audit_events: ") }
    }
}
