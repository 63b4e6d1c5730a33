import Foundation
import GRDB
import TocsinCore

extension TocsinStore {
    /// Claims up to `limit` notifications that are due (pending, or retry whose time has come),
    /// oldest first, and marks them `sending` with an attempt counted.
    public func claimDueNotifications(now: Date, limit: Int = 100) async throws(StoreError) -> [OutboxEntry] {
        try await write { db in
            let due = try OutboxEntry
                .filter(["pending", "retry"].contains(Column("state")) && Column("due_at") <= now)
                .order(Column("due_at"), Column("id"))
                .limit(limit)
                .fetchAll(db)
            return try due.map { entry in
                var claimed = entry
                claimed.state = .sending
                claimed.attempts += 1
                claimed.updatedAt = now
                try claimed.update(db)
                return claimed
            }
        }
    }

    /// Records that a claimed notification was delivered.
    public func markSent(_ id: Int64, now: Date) async throws(StoreError) {
        try await write { db in
            try db.execute(
                sql: "UPDATE outbox SET state = 'sent', updated_at = ?, last_error = NULL WHERE id = ? AND state = 'sending'",
                arguments: [now, id])
        }
    }
}
