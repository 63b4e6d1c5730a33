import Foundation
import Logging
import NIOSSL
import PostgresNIO
import Synchronization

/// Tocsin's state in a PostgreSQL database that several instances share (`--db postgres://…`).
///
/// Opening connects, checks the server's version and applies the embedded migrations
/// (``PostgresMigrations``). The connection pool runs until ``close()``.
public final class PostgresStore: Sendable {
    /// The oldest PostgreSQL Tocsin runs on (`GENERATED … AS IDENTITY` came in 10, `EXECUTE
    /// FUNCTION` in triggers in 11; 13 is the oldest the PostgreSQL project still supported when
    /// this was written).
    static let oldestServer = 13

    /// The database, as logs show it (no password).
    public let location: PostgresLocation
    let client: PostgresClient
    let logger: Logger
    private let pool: Task<Void, Never>
    /// Each table's layout, read from the catalog once (``layout(_:on:logger:)``).
    private let layouts = Mutex<[String: TableLayout]>([:])
    /// Collapses repeated failed authentications in the audit trail (per instance).
    public let failedAuthentications = FailedAuthenticationLog()
    /// This instance, in the work it announces (``WorkAnnouncements``): its own announcements wake nothing.
    let instanceID = UUID().uuidString
    /// Whether this instance's writes are succeeding (``transaction(_:)`` notes each one).
    public let writeHealth = WriteHealth()
    /// Policy snapshots as stored, encoded once per configuration (shared by the incidents a policy opens).
    let snapshotJSON = SnapshotJSONCache()

    private init(location: PostgresLocation, client: PostgresClient, logger: Logger) {
        self.location = location
        self.client = client
        self.logger = logger
        // Started at once, before the first query: `run()` marks the pool running before it first
        // suspends, so no query ever finds it not yet started.
        pool = Task.immediate { await client.run() }
    }

    /// Connects to `location` and migrates it, waiting at most `timeout` for the server to answer.
    ///
    /// - Throws: ``StoreError/cannotOpen(path:reason:)`` with the server's own reason (no such
    ///   database, a refused login, a server too old) or the connection's;
    ///   ``StoreError/databaseNewerThanBinary(path:unknownMigrations:)``.
    public static func open(_ location: PostgresLocation, timeout: Duration = .seconds(10), logger: Logger) async throws(StoreError)
        -> PostgresStore
    {
        let tls = tlsConfiguration(for: location)
        // One connection first, outside the pool: the pool retries a failed connection quietly,
        // and the reason (no such database, a wrong password) would be lost to a timeout.
        try await checkServer(location, tls: tls, within: timeout, logger: logger)
        var configuration = PostgresClient.Configuration(
            host: location.host, port: location.port, username: location.username, password: location.password,
            database: location.database, tls: tls.map { location.tls == .prefer ? .prefer($0) : .require($0) } ?? .disable)
        configuration.options.connectTimeout = timeout
        let store = PostgresStore(location: location, client: PostgresClient(configuration: configuration, backgroundLogger: logger), logger: logger)
        do {
            try await PostgresMigrations.migrate(store.client, location: location, logger: logger)
            return store
        } catch {
            await store.close()
            throw error.whileOpening(location)
        }
    }

    /// The TLS settings for `location`'s `sslmode` (`nil`: plain TCP).
    private static func tlsConfiguration(for location: PostgresLocation) -> TLSConfiguration? {
        switch location.tls {
        case .disable:
            return nil
        case .prefer, .require:
            var unchecked = TLSConfiguration.makeClientConfiguration()
            unchecked.certificateVerification = .none
            return unchecked
        case .verifyFull:
            return .makeClientConfiguration()
        }
    }

    /// Connects once and asks the server its version, within `timeout`.
    private static func checkServer(_ location: PostgresLocation, tls: TLSConfiguration?, within timeout: Duration, logger: Logger)
        async throws(StoreError)
    {
        let version: Int
        do {
            let connectionTLS: PostgresConnection.Configuration.TLS =
                try tls.map { location.tls == .prefer ? .prefer(try NIOSSLContext(configuration: $0)) : .require(try NIOSSLContext(configuration: $0)) }
                ?? .disable
            var settings = PostgresConnection.Configuration(
                host: location.host, port: location.port, username: location.username, password: location.password,
                database: location.database, tls: connectionTLS)
            settings.options.connectTimeout = .init(timeout)
            let configuration = settings
            version = try await withThrowingTaskGroup(of: Int.self) { group in
                group.addTask {
                    let connection = try await PostgresConnection.connect(configuration: configuration, id: 0, logger: logger)
                    do {
                        let rows = try await connection.query("SHOW server_version_num", logger: logger)
                        var version = 0
                        for try await text in rows.decode(String.self) { version = Int(text) ?? 0 }
                        try? await connection.close()
                        return version
                    } catch {
                        try? await connection.close()
                        throw error
                    }
                }
                group.addTask {
                    try await Task.sleep(for: timeout)
                    throw StoreError.unavailable("no answer within \(timeout) (is PostgreSQL running and reachable?)")
                }
                defer { group.cancelAll() }
                return try await group.next() ?? 0
            }
        } catch {
            throw StoreError(postgres: error).whileOpening(location)
        }
        guard version / 10000 >= Self.oldestServer else {
            throw .cannotOpen(
                path: location.description,
                reason: "the server is PostgreSQL \(version / 10000); Tocsin needs \(Self.oldestServer) or newer")
        }
    }

    /// Identifiers of the migrations applied to this database, in order.
    public func appliedMigrations() async throws(StoreError) -> [String] {
        try await PostgresMigrations.applied(client, logger: logger)
    }

    /// Identifiers of the migrations this binary carries.
    public static var knownMigrations: [String] { PostgresMigrations.embedded.map(\.identifier) }

    /// Runs `body` in one transaction on a pooled connection, mapping errors; commits when it returns.
    func transaction<T: Sendable>(
        _ body: (PostgresConnection, Logger) async throws -> sending T
    ) async throws(StoreError) -> T {
        let logger = logger
        do {
            let result = try await StoreError.mappingPostgres {
                try await client.withTransaction(logger: logger) { connection in try await body(connection, logger) }
            }
            writeHealth.succeeded()
            return result
        } catch {
            writeHealth.failed(error)
            throw error
        }
    }

    /// Runs `body` on a pooled connection outside a transaction (one statement reads a consistent
    /// snapshot), mapping errors.
    func reading<T: Sendable>(_ body: (PostgresConnection, Logger) async throws -> sending T) async throws(StoreError) -> T {
        let logger = logger
        return try await StoreError.mappingPostgres {
            try await client.withConnection { connection in try await body(connection, logger) }
        }
    }

    /// The layout of `table`, read from PostgreSQL's catalog the first time it is asked for.
    func layout(_ table: String, on connection: PostgresConnection, logger: Logger) async throws -> TableLayout {
        if let known = layouts.withLock({ $0[table] }) { return known }
        let layout = try await TableLayout.read(table, on: connection, logger: logger)
        layouts.withLock { $0[table] = layout }
        return layout
    }

    /// Stops the connection pool.
    public func close() async {
        pool.cancel()
        await pool.value
    }
}

extension AsyncSequence {
    /// Every element, the sequence read to its end: a connection's next statement never starts
    /// while rows of the last one are still coming.
    func all() async throws -> [Element] {
        var elements: [Element] = []
        for try await element in self { elements.append(element) }
        return elements
    }
}
