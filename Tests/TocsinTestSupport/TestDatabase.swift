import Foundation
import Logging
import TocsinStore

/// The database of an end-to-end test on one backend: the `--db` value the `tocsin` processes are
/// given, and a way for the test to read back what they wrote, as another instance would.
public struct TestDatabase: Sendable, CustomStringConvertible {
    public let backend: TestBackend
    /// What `tocsin --db` is given: a SQLite file in a temporary directory, or a `postgres://` URL
    /// (the test server takes no password, so the URL is whole without one).
    public let argument: String
    private let location: StoreLocation

    init(backend: TestBackend, location: StoreLocation) {
        self.backend = backend
        self.location = location
        switch location {
        case .sqlite(let path): argument = path
        case .postgres(let postgres): argument = postgres.description
        }
    }

    public var description: String { argument }

    /// Opens the database beside the running servers, runs `body`, and closes it.
    public func withStore<T: Sendable>(_ body: (any StateStore) async throws -> T) async throws -> T {
        switch location {
        case .sqlite(let path):
            let store = try TocsinStore(path: path)
            defer { try? store.close() }
            return try await body(store)
        case .postgres(let postgres):
            let store = try await PostgresStore.open(postgres, logger: Logger(label: "test-reader"))
            do {
                let result = try await body(store)
                await store.close()
                return result
            } catch {
                await store.close()
                throw error
            }
        }
    }

    /// `tocsin serve` options under which a page claimed by a server killed mid-delivery is sent
    /// again within seconds on both backends: SQLite takes it back when the server restarts;
    /// PostgreSQL, where another instance may be delivering it, once its 4 s lease runs out (the
    /// attempt's timeouts are cut to fit inside the lease).
    public static let shortLease = ["--delivery-connect-timeout", "1", "--delivery-timeout", "2", "--lease", "4"]
}

extension TestBackend {
    /// Runs `body` with a new, empty database on this backend for `tocsin` processes to share: a
    /// SQLite file in a temporary directory, or a new database on the test PostgreSQL server.
    /// Removed afterwards, also when `body` throws.
    public func withDatabase<T: Sendable>(_ body: (TestDatabase) async throws -> T) async throws -> T {
        switch self {
        case .sqlite:
            let directory = try TemporaryDirectory("tocsin-db")
            defer { directory.remove() }
            return try await body(TestDatabase(backend: self, location: .sqlite(path: directory.path("tocsin.sqlite"))))
        case .postgres:
            return try await TestPostgres.withDatabase { location in
                try await body(TestDatabase(backend: self, location: .postgres(location)))
            }
        }
    }
}
