import GRDB
import Testing
@testable import TocsinStore

@Suite("Statements bound and stepped through SQLite's C API")
struct DirectStatementTests {
    /// An in-memory database with one table: a unique key, a text column that may be NULL, a number.
    func database() throws -> DatabaseQueue {
        let queue = try DatabaseQueue()
        try queue.write { db in
            try db.execute(sql: "CREATE TABLE items (key TEXT NOT NULL UNIQUE, note TEXT, count INTEGER NOT NULL)")
        }
        return queue
    }

    static let insert = "INSERT INTO items (key, note, count) VALUES (?, ?, ?)"
    static let select = "SELECT key, note, count FROM items WHERE count >= ? ORDER BY key"

    func insert(_ key: String, _ note: String?, _ count: Int64, in db: Database) throws {
        var statement = DirectStatement(try db.cachedStatement(sql: Self.insert))
        statement.bind(key)
        statement.bind(note)
        statement.bind(count)
        try statement.execute()
    }

    func rows(countAtLeast minimum: Int64, in db: Database) throws -> [[String?]] {
        var statement = DirectStatement(try db.cachedStatement(sql: Self.select))
        statement.bind(minimum)
        var rows: [[String?]] = []
        try statement.forEachRow { columns in rows.append([columns.text(0), columns.text(1), columns.text(2)]) }
        return rows
    }

    @Test("text (with multi-byte UTF-8), NULL and numbers are stored as GRDB would store them, and read back")
    func roundTrip() throws {
        let queue = try database()
        try queue.write { db in
            try insert("b-ключ-🔔", "note \"quoted\"", 7, in: db)
            try insert("a", nil, 3, in: db)
            try insert("c", "", 1, in: db)
        }
        try queue.read { db in
            let stored = try Row.fetchAll(db, sql: "SELECT key, note, count FROM items ORDER BY key")
            #expect(stored == [
                ["key": "a", "note": nil, "count": 3], ["key": "b-ключ-🔔", "note": "note \"quoted\"", "count": 7],
                ["key": "c", "note": "", "count": 1],
            ])
            #expect(try rows(countAtLeast: 2, in: db) == [["a", nil, "3"], ["b-ключ-🔔", "note \"quoted\"", "7"]])
            // The statement was reset: run again with another value, it reads afresh.
            #expect(try rows(countAtLeast: 5, in: db) == [["b-ключ-🔔", "note \"quoted\"", "7"]])
        }
    }

    @Test("a failing statement throws SQLite's error with its SQL, changes nothing, and can run again")
    func failure() throws {
        let queue = try database()
        try queue.write { db in try insert("a", nil, 1, in: db) }
        let error = #expect(throws: DatabaseError.self) {
            try queue.write { db in try insert("a", "again", 2, in: db) }
        }
        #expect(error?.resultCode == .SQLITE_CONSTRAINT)
        #expect(error?.message?.contains("items.key") == true)
        #expect(error?.sql == Self.insert)
        try queue.write { db in try insert("b", nil, 2, in: db) }
        #expect(try queue.read { db in try String.fetchAll(db, sql: "SELECT key || ':' || count FROM items ORDER BY key") } == ["a:1", "b:2"])
    }

    @Test("a value bound past the statement's parameters is refused when it runs, and nothing is written")
    func refusedBinding() throws {
        let queue = try database()
        let error = #expect(throws: DatabaseError.self) {
            try queue.write { db in
                var statement = DirectStatement(try db.cachedStatement(sql: Self.insert))
                statement.bind("a")
                statement.bind("note")
                statement.bind(Int64(1))
                statement.bind("one too many")
                try statement.execute()
            }
        }
        #expect(error?.resultCode == .SQLITE_RANGE)
        #expect(error?.sql == Self.insert)
        #expect(try queue.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM items") } == 0)
        try queue.write { db in try insert("a", nil, 1, in: db) }
        #expect(try queue.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM items") } == 1)
    }

    @Test("a row handler that throws leaves the statement reset, and its bindings cleared")
    func throwingHandler() throws {
        struct Stop: Error {}
        let queue = try database()
        try queue.write { db in
            try insert("a", nil, 1, in: db)
            try insert("b", nil, 2, in: db)
        }
        try queue.write { db in
            var statement = DirectStatement(try db.cachedStatement(sql: Self.select))
            statement.bind(Int64(1))
            #expect(throws: Stop.self) { try statement.forEachRow { _ in throw Stop() } }
            // Cleared: the parameter is NULL now, which no count is at least.
            var again = DirectStatement(try db.cachedStatement(sql: Self.select))
            var seen = 0
            try again.forEachRow { _ in seen += 1 }
            #expect(seen == 0)
            #expect(try rows(countAtLeast: 1, in: db).count == 2)
            // Reset: a statement left stepping would keep the table locked, and SQLite would refuse to drop it.
            statement.bind(Int64(1))
            #expect(throws: DatabaseError.self) {
                try statement.forEachRow { _ in try db.execute(sql: "DROP TABLE items") }
            }
            try db.execute(sql: "DROP TABLE items")
        }
    }
}
