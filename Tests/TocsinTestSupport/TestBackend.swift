import Foundation
import GRDB
import Logging
import TocsinStore

/// The two stores a store test runs against: a SQLite file of its own, and a database of its own
/// on the test PostgreSQL server (``TestPostgres``). Store tests take it as their argument
/// (`@Test(arguments: TestBackend.allCases)`), so one test proves both.
public enum TestBackend: String, CaseIterable, Sendable, CustomStringConvertible {
    case sqlite
    case postgres

    public var description: String { rawValue }

    /// Runs `body` with a new, empty store on this backend, removed afterwards.
    public func withStore<T: Sendable>(_ body: (any StateStore) async throws -> T) async throws -> T {
        try await withStoreAndSQL { store, _ in try await body(store) }
    }

    /// Runs `body` with a new, empty store on this backend and a way to run raw SQL on its
    /// database (``TestSQL``), removed afterwards.
    public func withStoreAndSQL<T: Sendable>(_ body: (any StateStore, TestSQL) async throws -> T) async throws -> T {
        switch self {
        case .sqlite:
            let test = try TestStore()
            defer { test.remove() }
            return try await body(test.store, TestSQL(database: .sqlite(path: test.path)))
        case .postgres:
            return try await Self.withPostgresStores(1) { stores, location in
                try await body(stores[0], TestSQL(database: .postgres(location)))
            }
        }
    }

    /// Runs `body` with a new, empty PostgreSQL store on the test server, closed and dropped afterwards.
    public static func withPostgresStore<T: Sendable>(_ body: (PostgresStore) async throws -> T) async throws -> T {
        try await withPostgresStores(1) { stores in try await body(stores[0]) }
    }

    /// Runs `body` with `count` stores open on one new, empty PostgreSQL database, as that many
    /// instances of Tocsin would be; closed and dropped afterwards.
    public static func withPostgresStores<T: Sendable>(_ count: Int, _ body: ([PostgresStore]) async throws -> T) async throws -> T {
        try await withPostgresStores(count) { stores, _ in try await body(stores) }
    }

    private static func withPostgresStores<T: Sendable>(
        _ count: Int, _ body: ([PostgresStore], PostgresLocation) async throws -> T
    ) async throws -> T {
        try await TestPostgres.withDatabase { location in
            var stores: [PostgresStore] = []
            do {
                for index in 0..<count {
                    stores.append(try await PostgresStore.open(location, logger: Logger(label: "test-instance-\(index)")))
                }
                let result = try await body(stores, location)
                for store in stores { await store.close() }
                return result
            } catch {
                for store in stores { await store.close() }
                throw error
            }
        }
    }
}

/// Raw SQL on a test store's database, for what no store interface offers: counting a table's
/// rows, or trying a change the schema itself must refuse. The statements are written to mean the
/// same on SQLite and PostgreSQL.
public struct TestSQL: Sendable {
    enum Database: Sendable {
        case sqlite(path: String)
        case postgres(PostgresLocation)
    }

    let database: Database

    /// Runs one statement in a transaction of its own.
    public func execute(_ sql: String) async throws {
        switch database {
        case .sqlite(let path):
            let queue = try DatabaseQueue(path: path)
            try await queue.write { db in try db.execute(sql: sql) }
        case .postgres(let location): try await TestPostgres.run(sql, on: location)
        }
    }

    /// The first column of each row of `sql`, as text (`nil` for NULL).
    public func column(_ sql: String) async throws -> [String?] {
        switch database {
        case .sqlite(let path):
            let queue = try DatabaseQueue(path: path)
            return try await queue.read { db in try Row.fetchAll(db, sql: sql).map { $0[0] as String? } }
        case .postgres(let location):
            return try await TestPostgres.rows(sql, on: location).map { $0.first ?? nil }
        }
    }

    /// The number of rows in `table`, or of those that `condition` (an SQL expression) picks.
    public func count(_ table: String, where condition: String? = nil) async throws -> Int {
        let clause = condition.map { " WHERE \($0)" } ?? ""
        return try await column("SELECT CAST(COUNT(*) AS TEXT) FROM \(table)\(clause)").first.flatMap { $0.flatMap { Int($0) } } ?? 0
    }
}
