import GRDB
import GRDBSQLite

/// Runs one of GRDB's cached statements through SQLite's C API, its values bound one by one with
/// no `StatementArguments` in between: for the statements ingestion runs once per alert, where
/// boxing every value cost more than SQLite's own work.
///
/// Only for statements that change tables nothing observes: GRDB's transaction observers are not
/// told of what such a statement does.
struct DirectStatement {
    private let statement: SQLiteStatement
    private var index: Int32 = 0
    /// SQLite's answer to the first binding it refused, thrown by the statement's run.
    private var refusedBinding = SQLITE_OK

    init(_ statement: Statement) {
        self.statement = statement.sqliteStatement
    }

    mutating func bind(_ text: String) {
        index += 1
        var text = text
        let code = text.withUTF8 { bytes in
            sqlite3_bind_text(statement, index, bytes.baseAddress, Int32(bytes.count), Self.transient)
        }
        noteBinding(code)
    }

    mutating func bind(_ text: String?) {
        if let text {
            bind(text)
        } else {
            index += 1
            noteBinding(sqlite3_bind_null(statement, index))
        }
    }

    mutating func bind(_ integer: Int64) {
        index += 1
        noteBinding(sqlite3_bind_int64(statement, index, integer))
    }

    /// Steps the statement to its end, then resets it for its next use.
    mutating func execute() throws {
        try forEachRow { _ in }
    }

    /// Steps the statement through its rows, calling `body` with each, then resets it (and clears
    /// its bindings) for its next use.
    mutating func forEachRow(_ body: (Columns) throws -> Void) throws {
        defer {
            sqlite3_reset(statement)
            sqlite3_clear_bindings(statement)
            index = 0
            refusedBinding = SQLITE_OK
        }
        guard refusedBinding == SQLITE_OK else { throw error(refusedBinding) }
        var code = sqlite3_step(statement)
        while code == SQLITE_ROW {
            try body(Columns(statement: statement))
            code = sqlite3_step(statement)
        }
        guard code == SQLITE_DONE else { throw error(code) }
    }

    /// The columns of the row a statement is on.
    struct Columns {
        fileprivate let statement: SQLiteStatement

        /// The column's text (SQLite converts any other value to text), nil for NULL.
        func text(_ column: Int32) -> String? {
            guard let bytes = sqlite3_column_text(statement, column) else { return nil }
            return String(decoding: UnsafeBufferPointer(start: bytes, count: Int(sqlite3_column_bytes(statement, column))), as: UTF8.self)
        }
    }

    private mutating func noteBinding(_ code: Int32) {
        if code != SQLITE_OK, refusedBinding == SQLITE_OK { refusedBinding = code }
    }

    private func error(_ code: Int32) -> DatabaseError {
        DatabaseError(
            resultCode: ResultCode(rawValue: code),
            message: sqlite3_db_handle(statement).flatMap { sqlite3_errmsg($0) }.map { String(cString: $0) },
            sql: sqlite3_sql(statement).map { String(cString: $0) })
    }

    /// SQLite copies the bytes it is given (`SQLITE_TRANSIENT`).
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
}
