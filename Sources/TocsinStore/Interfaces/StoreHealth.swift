import Foundation

/// What readiness, metrics and shutdown ask of a store, on either backend.
public protocol StoreHealth: Sendable {
    /// Whether the store's own writes are succeeding (`/readyz`).
    var writeHealth: WriteHealth { get }

    /// A number that moves whenever a change to incidents may have committed: a page of incidents
    /// read at one value is still the answer while the value holds. Nil when no page may be
    /// answered again: another instance may commit without this one knowing (PostgreSQL).
    var incidentListCacheVersion: UInt64? { get }

    /// Proves the database accepts a real write (one small row), for readiness checks.
    func checkWritable(now: Date) async throws(StoreError)

    /// Whether the database's schema is the one this binary knows.
    func schemaIsCurrent() async throws(StoreError) -> Bool

    /// The bytes the database takes.
    func databaseSizeBytes() async throws(StoreError) -> Int

    /// Closes the store.
    func close() async throws(StoreError)
}

extension TocsinStore: StoreHealth {
    public var incidentListCacheVersion: UInt64? { incidentListVersion }

    public func schemaIsCurrent() async throws(StoreError) -> Bool {
        try appliedMigrations() == Self.knownMigrations
    }
}

extension PostgresStore: StoreHealth {
    /// Other instances' commits are not seen here: the list is read from the database each time.
    public var incidentListCacheVersion: UInt64? { nil }

    public func checkWritable(now: Date) async throws(StoreError) {
        _ = try await transaction { connection, logger in
            try await connection.query(
                """
                INSERT INTO settings (name, value) VALUES ('readiness_probe', \(StoredDate.text(now)))
                ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value
                """, logger: logger)
        }
    }

    public func schemaIsCurrent() async throws(StoreError) -> Bool {
        try await appliedMigrations() == Self.knownMigrations
    }

    public func databaseSizeBytes() async throws(StoreError) -> Int {
        try await reading { connection, logger in
            Int(try await connection.query("SELECT pg_database_size(current_database())", logger: logger).decode(Int64.self).all().first ?? 0)
        }
    }
}
