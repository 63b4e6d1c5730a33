import PostgresNIO

extension PostgresStore {
    /// Every row of every table in the store's schema, values in SQLite's shape (``TableLayout``),
    /// rows ordered by primary key (by every column where a table has none).
    public func contentsSnapshot() async throws(StoreError) -> [String] {
        try await reading { connection, logger in
            var tables: [String] = []
            let names = try await connection.query(
                """
                SELECT table_name::text FROM information_schema.tables
                WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name
                """, logger: logger)
            for try await name in names.decode(String.self) { tables.append(name) }
            var lines: [String] = []
            for table in tables {
                let layout = try await TableLayout.read(table, on: connection, logger: logger)
                let order = layout.primaryKey.isEmpty
                    ? Array(1...layout.columns.count).map(String.init)
                    : layout.primaryKey.map(TableLayout.quoted)
                let rows = try await connection.query(
                    PostgresQuery(
                        unsafeSQL: "SELECT \(layout.storedSelection) FROM \(TableLayout.quoted(table)) ORDER BY \(order.joined(separator: ", "))"),
                    logger: logger)
                for try await row in rows {
                    var cells: [String] = []
                    for (column, cell) in zip(layout.columns, row) {
                        cells.append("\(column.name):\(try cell.decode(String?.self) ?? "NULL")")
                    }
                    lines.append("\(table): " + cells.joined(separator: " "))
                }
            }
            return lines
        }
    }
}
