import Foundation
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
        switch self {
        case .sqlite:
            let test = try TestStore()
            defer { test.remove() }
            return try await body(test.store)
        case .postgres:
            return try await Self.withPostgresStore { store in try await body(store) }
        }
    }

    /// Runs `body` with a new, empty PostgreSQL store on the test server, closed and dropped afterwards.
    public static func withPostgresStore<T: Sendable>(_ body: (PostgresStore) async throws -> T) async throws -> T {
        try await withPostgresStores(1) { stores in try await body(stores[0]) }
    }

    /// Runs `body` with `count` stores open on one new, empty PostgreSQL database, as that many
    /// instances of Tocsin would be; closed and dropped afterwards.
    public static func withPostgresStores<T: Sendable>(_ count: Int, _ body: ([PostgresStore]) async throws -> T) async throws -> T {
        try await TestPostgres.withDatabase { location in
            var stores: [PostgresStore] = []
            do {
                for index in 0..<count {
                    stores.append(try await PostgresStore.open(location, logger: Logger(label: "test-instance-\(index)")))
                }
                let result = try await body(stores)
                for store in stores { await store.close() }
                return result
            } catch {
                for store in stores { await store.close() }
                throw error
            }
        }
    }
}
