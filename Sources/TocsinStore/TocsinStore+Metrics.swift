import Foundation
import GRDB
import TocsinCore

/// Counts read from the database when metrics are scraped: they survive restarts and need no
/// bookkeeping on the hot path.
public struct OperationalCounts: Sendable, Equatable {
    /// Incidents by state.
    public var incidents: [String: Int]
    /// Outbox rows by state.
    public var outbox: [String: Int]
    /// When the newest notification was sent, if any was.
    public var lastSentAt: Date?
}

extension TocsinStore {
    public func operationalCounts() async throws(StoreError) -> OperationalCounts {
        try await read { db in
            func grouped(_ sql: String) throws -> [String: Int] {
                var counts: [String: Int] = [:]
                for row in try Row.fetchAll(db, sql: sql) {
                    counts[row[0]] = row[1]
                }
                return counts
            }
            return OperationalCounts(
                incidents: try grouped("SELECT state, COUNT(*) FROM incidents GROUP BY state"),
                outbox: try grouped("SELECT state, COUNT(*) FROM outbox GROUP BY state"),
                lastSentAt: try DatabaseValue.fetchOne(
                    db, sql: "SELECT sent_at FROM outbox WHERE state = \(OutboxEntry.State.sent.sql) AND sent_at IS NOT NULL ORDER BY id DESC LIMIT 1"
                ).flatMap(StoredDate.parse))
        }
    }
}
