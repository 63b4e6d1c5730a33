import Foundation

/// Every row of every table, as text: two reads compared prove that a refused request changed
/// nothing, on either backend.
public protocol StoreContents: Sendable {
    /// One line per row, `table: values`, tables by name and rows by key. Lines compare within one
    /// backend (SQLite and PostgreSQL render values differently).
    func contentsSnapshot() async throws(StoreError) -> [String]
}

extension TocsinStore: StoreContents {}

extension PostgresStore: StoreContents {}
