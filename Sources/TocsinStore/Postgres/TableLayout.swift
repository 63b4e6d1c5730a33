import GRDB
import Logging
import PostgresNIO

/// A PostgreSQL table's columns, read from its catalog, with what each holds: the copy binds
/// SQLite's values by it, and rows are read back in the shape SQLite keeps them (times as
/// `YYYY-MM-DD HH:MM:SS.SSS` text in UTC, flags as 0 or 1), so that one decoder per record
/// (`Incident(row:)`, GRDB's Codable records) reads both stores.
struct TableLayout: Sendable {
    /// A column and how its values are carried across.
    struct Column: Sendable {
        enum Kind: Sendable { case integer, boolean, moment, text }
        var name: String
        var kind: Kind
    }

    let table: String
    /// In the table's order, which is SQLite's (a test holds the two schemas equal).
    let columns: [Column]
    let primaryKey: [String]
    let hasIdentity: Bool
    /// ``storedSelection(of:)`` without an alias and with the alias `t`, made once: every read of
    /// the table uses one of them.
    let storedSelection: String
    private let storedSelectionOfT: String

    init(table: String, columns: [Column], primaryKey: [String], hasIdentity: Bool) {
        self.table = table
        self.columns = columns
        self.primaryKey = primaryKey
        self.hasIdentity = hasIdentity
        storedSelection = Self.selection(of: columns, alias: nil)
        storedSelectionOfT = Self.selection(of: columns, alias: "t")
    }

    /// The table's layout, from PostgreSQL's catalog.
    static func read(_ table: String, on connection: PostgresConnection, logger: Logger) async throws -> TableLayout {
        var columns: [Column] = []
        var hasIdentity = false
        let rows = try await connection.query(
            """
            SELECT column_name::text, data_type::text, is_identity::text FROM information_schema.columns
            WHERE table_schema = current_schema() AND table_name = \(table) ORDER BY ordinal_position
            """, logger: logger)
        for try await (name, type, identity) in rows.decode((String, String, String).self) {
            let kind: Column.Kind =
                switch type {
                case "bigint", "integer", "smallint": .integer
                case "boolean": .boolean
                case "timestamp with time zone": .moment
                default: .text
                }
            columns.append(Column(name: name, kind: kind))
            if identity == "YES" { hasIdentity = true }
        }
        guard !columns.isEmpty else { throw StoreError.database("the PostgreSQL database has no table \(table)") }
        var primaryKey: [String] = []
        let keys = try await connection.query(
            """
            SELECT a.attname::text FROM pg_index i
            JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
            WHERE i.indrelid = \(table)::regclass AND i.indisprimary ORDER BY array_position(i.indkey, a.attnum)
            """, logger: logger)
        for try await name in keys.decode(String.self) { primaryKey.append(name) }
        return TableLayout(table: table, columns: columns, primaryKey: primaryKey, hasIdentity: hasIdentity)
    }

    /// Every column as text in SQLite's shape, in order (`alias.` before each name when given).
    func storedSelection(of alias: String?) -> String {
        switch alias {
        case nil: storedSelection
        case "t": storedSelectionOfT
        case let alias: Self.selection(of: columns, alias: alias)
        }
    }

    private static func selection(of columns: [Column], alias: String?) -> String {
        columns.map { column in
            let name = (alias.map { "\($0)." } ?? "") + Self.quoted(column.name)
            return switch column.kind {
            case .integer: "\(name)::text"
            case .boolean: "CASE WHEN \(name) THEN '1' WHEN NOT \(name) THEN '0' END"
            case .moment: "to_char(\(name) AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.MS')"
            case .text: name
            }
        }.joined(separator: ", ")
    }

    /// A row selected with ``storedSelection(of:)``: its values in SQLite's shape, in order.
    func storedValues(_ row: PostgresRow) throws -> [DatabaseValue] {
        var values: [DatabaseValue] = []
        values.reserveCapacity(columns.count)
        for (column, cell) in zip(columns, row) {
            let text = try cell.decode(String?.self)
            switch column.kind {
            case .integer, .boolean:
                values.append(text.flatMap { Int64($0) }?.databaseValue ?? .null)
            case .moment, .text:
                values.append(text?.databaseValue ?? .null)
            }
        }
        return values
    }

    /// A row selected with ``storedSelection(of:)``, as GRDB's `Row` (by column name) with SQLite's values.
    func storedRow(_ row: PostgresRow) throws -> Row {
        var named: [String: (any DatabaseValueConvertible)?] = [:]
        for (column, value) in zip(columns, try storedValues(row)) { named[column.name] = value }
        return Row(named)
    }

    /// A table or column name as an SQL identifier.
    static func quoted(_ name: String) -> String { "\"\(name.replacingOccurrences(of: "\"", with: "\"\""))\"" }
}
