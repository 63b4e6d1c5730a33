import GRDB

extension TocsinStore {
    /// A server-wide setting, created with `initial` the first time it is asked for.
    public func setting(_ name: String, orInsert initial: String) async throws(StoreError) -> String {
        try await write { db in
            try db.execute(sql: "INSERT OR IGNORE INTO settings (name, value) VALUES (?, ?)", arguments: [name, initial])
            return try String.fetchOne(db, sql: "SELECT value FROM settings WHERE name = ?", arguments: [name]) ?? initial
        }
    }
}
