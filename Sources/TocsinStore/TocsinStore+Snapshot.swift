import GRDB

extension TocsinStore {
    /// Every row of every table, one line per row, in a stable order.
    ///
    /// Tests compare two snapshots to prove that a rejected request changed nothing.
    public func contentsSnapshot() async throws(StoreError) -> [String] {
        try await read { db in
            let tables = try String.fetchAll(
                db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
            var lines: [String] = []
            for table in tables {
                let rows = try Row.fetchAll(db, sql: "SELECT * FROM \(table.quotedDatabaseIdentifier) ORDER BY rowid")
                lines += rows.map { "\(table): \($0.description)" }
            }
            return lines
        }
    }
}
