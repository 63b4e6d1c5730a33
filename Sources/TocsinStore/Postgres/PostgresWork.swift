import GRDB
import Logging
import PostgresNIO

/// One transaction's work on PostgreSQL: its connection, the store's table layouts, and what to
/// record once it commits (metrics count only committed work). Rows are read and written in
/// SQLite's shape (``TableLayout``), so the records' one encoding and one decoding serve both stores.
struct PostgresWork {
    let store: PostgresStore
    let connection: PostgresConnection
    let logger: Logger
    let afterCommit: AfterCommit

    /// What to do once the transaction committed, in order, and whether the transaction has
    /// already announced work to the other instances (one `NOTIFY` wakes them however much it leaves).
    final class AfterCommit {
        private(set) var actions: [@Sendable () -> Void] = []
        var workAnnounced = false
        func append(_ action: @escaping @Sendable () -> Void) { actions.append(action) }
    }

    /// Runs `statement` and reads every row it returns.
    @discardableResult
    func query(_ statement: PostgresQuery) async throws -> [PostgresRow] {
        try await connection.query(statement, logger: logger).collect()
    }

    /// Runs `sql` with `bindings` and reads every row it returns.
    @discardableResult
    func query(_ sql: String, _ bindings: PostgresBindings = PostgresBindings()) async throws -> [PostgresRow] {
        try await query(PostgresQuery(unsafeSQL: sql, binds: bindings))
    }

    /// The rows of `table` (aliased `t`) that `clause` picks, as GRDB rows in SQLite's shape.
    func rows(of table: String, _ clause: String, _ bindings: PostgresBindings = PostgresBindings()) async throws -> [Row] {
        let layout = try await store.layout(table, on: connection, logger: logger)
        return try await query("SELECT \(layout.storedSelection(of: "t")) FROM \(table) AS t \(clause)", bindings).map(layout.storedRow)
    }

    /// The rows of `table` that `clause` picks, as values in SQLite's shape by position.
    func values(of table: String, _ clause: String, _ bindings: PostgresBindings = PostgresBindings()) async throws -> [[DatabaseValue]] {
        let layout = try await store.layout(table, on: connection, logger: logger)
        return try await query("SELECT \(layout.storedSelection(of: "t")) FROM \(table) AS t \(clause)", bindings).map(layout.storedValues)
    }

    /// Inserts `rows` (each the values of `columns`, in SQLite's shape) into `table`, followed by
    /// `suffix` (`ON CONFLICT …`), a statement per 1,000 rows. Returns the ids of the rows written
    /// when the table has an `id` column.
    @discardableResult
    func insert(
        into table: String, columns: [String], rows: [[(any DatabaseValueConvertible)?]], suffix: String = ""
    ) async throws -> [Int64] {
        guard !rows.isEmpty else { return [] }
        let layout = try await store.layout(table, on: connection, logger: logger)
        let kinds = try columns.map { name throws in
            guard let column = layout.columns.first(where: { $0.name == name }) else {
                throw StoreError.database("the PostgreSQL table \(table) has no column \(name)")
            }
            return column
        }
        let returning = layout.columns.contains { $0.name == "id" } ? " RETURNING id" : ""
        var ids: [Int64] = []
        var start = 0
        while start < rows.count {
            let page = rows[start..<min(start + 1000, rows.count)]
            var bindings = PostgresBindings(capacity: page.count * columns.count)
            var tuples: [String] = []
            tuples.reserveCapacity(page.count)
            for row in page {
                var placeholders: [String] = []
                for (column, value) in zip(kinds, row) {
                    _ = try StoreCopy.append(value?.databaseValue ?? .null, of: column, table: table, rowID: 0, to: &bindings)
                    placeholders.append("$\(bindings.count)")
                }
                tuples.append("(" + placeholders.joined(separator: ", ") + ")")
            }
            let sql = "INSERT INTO \(table) (\(columns.joined(separator: ", "))) VALUES \(tuples.joined(separator: ", ")) \(suffix)\(returning)"
            for row in try await query(sql, bindings) where !returning.isEmpty {
                ids.append(try row.decode(Int64.self))
            }
            start += page.count
        }
        return ids
    }

    /// Sets `columns` of the row `id` of `table` to `values` (in SQLite's shape).
    func update(_ table: String, id: Int64, columns: [String], values: [(any DatabaseValueConvertible)?]) async throws {
        try await update(table, columns: columns, values: values, where: ["id"], equal: [id])
    }

    /// Sets `columns` of the rows of `table` whose `keys` equal `keyValues` to `values` (all in SQLite's shape).
    func update(
        _ table: String, columns: [String], values: [(any DatabaseValueConvertible)?], where keys: [String],
        equal keyValues: [(any DatabaseValueConvertible)?]
    ) async throws {
        let layout = try await store.layout(table, on: connection, logger: logger)
        var bindings = PostgresBindings(capacity: columns.count + keys.count)
        func bind(_ names: [String], _ values: [(any DatabaseValueConvertible)?]) throws -> [String] {
            try zip(names, values).map { name, value in
                guard let column = layout.columns.first(where: { $0.name == name }) else {
                    throw StoreError.database("the PostgreSQL table \(table) has no column \(name)")
                }
                _ = try StoreCopy.append(value?.databaseValue ?? .null, of: column, table: table, rowID: 0, to: &bindings)
                return "\(name) = $\(bindings.count)"
            }
        }
        let assignments = try bind(columns, values)
        let conditions = try bind(keys, keyValues)
        try await query(
            "UPDATE \(table) SET \(assignments.joined(separator: ", ")) WHERE \(conditions.joined(separator: " AND "))", bindings)
    }

    /// Locks the incidents `ids` for the rest of the transaction, in id order (every transaction
    /// that changes an incident's escalations takes its row first, so two instances never plan the
    /// same incident at once and never wait on each other in a circle).
    func lockIncidents(_ ids: some Collection<Int64>) async throws {
        guard !ids.isEmpty else { return }
        try await query("SELECT id FROM incidents WHERE id = ANY($1) ORDER BY id FOR UPDATE", PostgresStore.binding(Array(ids)))
    }
}

extension PostgresStore {
    /// Runs `body` in one transaction (``transaction(_:)``), and what it left to record once it committed.
    func work<T: Sendable>(_ body: (PostgresWork) async throws -> sending T) async throws(StoreError) -> T {
        let afterCommit = PostgresWork.AfterCommit()
        let result = try await transaction { connection, logger in
            try await body(PostgresWork(store: self, connection: connection, logger: logger, afterCommit: afterCommit))
        }
        for action in afterCommit.actions { action() }
        return result
    }
}
