import Foundation
import Logging
import PostgresNIO
import TocsinStore

/// A PostgreSQL database of its own for each test, on the server `scripts/test` starts on
/// 127.0.0.1 (`TOCSIN_TEST_POSTGRES_URL`, a superuser's URL). Without that server a test fails
/// and says what is missing: PostgreSQL tests never skip silently.
public enum TestPostgres {
    /// The variable naming the test server.
    public static let variable = "TOCSIN_TEST_POSTGRES_URL"

    /// Why a PostgreSQL test cannot run.
    public struct Unavailable: Error, CustomStringConvertible {
        public let description: String
    }

    /// The test server, as `TOCSIN_TEST_POSTGRES_URL` names it.
    public static func server() throws -> PostgresLocation {
        guard let text = ProcessInfo.processInfo.environment[variable], !text.isEmpty else {
            throw Unavailable(
                description: "\(variable) is not set: run the suite with scripts/test, which starts PostgreSQL on "
                    + "127.0.0.1, or point \(variable) at a server where the user may create databases")
        }
        guard case .postgres(let location) = try StoreLocation(parsing: text) else {
            throw Unavailable(description: "\(variable)=\(text) is not a postgres:// URL")
        }
        return location
    }

    /// Runs `body` with a new, empty database on the test server, dropped afterwards (also when
    /// `body` throws).
    public static func withDatabase<T: Sendable>(_ body: (PostgresLocation) async throws -> T) async throws -> T {
        let server = try server()
        let name = "tocsin_test_\(UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: ""))"
        try await run("CREATE DATABASE \(name)", on: server)
        var location = server
        location.database = name
        do {
            let result = try await body(location)
            try await run("DROP DATABASE \(name) WITH (FORCE)", on: server)
            return result
        } catch {
            try? await run("DROP DATABASE \(name) WITH (FORCE)", on: server)
            throw error
        }
    }

    /// Runs one statement on `location`'s database, as its user.
    public static func run(_ sql: String, on location: PostgresLocation) async throws {
        _ = try await rows(sql, on: location)
    }

    /// Runs one query on `location`'s database and returns every row's columns (`nil` for NULL).
    /// Results come in binary form: select text (cast other columns with `::text`).
    public static func rows(_ sql: String, on location: PostgresLocation) async throws -> [[String?]] {
        let configuration = PostgresClient.Configuration(
            host: location.host, port: location.port, username: location.username, password: location.password,
            database: location.database, tls: .disable)
        let client = PostgresClient(configuration: configuration)
        return try await withThrowingTaskGroup(of: [[String?]].self) { group in
            group.addTask {
                await client.run()
                return []
            }
            defer { group.cancelAll() }
            var result: [[String?]] = []
            for try await row in try await client.query(PostgresQuery(unsafeSQL: sql)) {
                result.append(row.map { cell in cell.bytes.map { String(buffer: $0) } })
            }
            return result
        }
    }
}
