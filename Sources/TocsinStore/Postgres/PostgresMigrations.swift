import Logging
import PostgresNIO

/// Applies the numbered PostgreSQL migrations carried in the binary (`migrations/postgres/`) and
/// refuses databases it does not know, as ``SchemaMigrations`` does for SQLite.
///
/// Every pending migration runs in one transaction under an advisory lock: instances that start
/// at the same moment wait for each other, and the second finds nothing left to do. PostgreSQL's
/// DDL is transactional, so a migration that fails leaves the database as it was.
enum PostgresMigrations {
    /// The table that records which migrations a database has.
    static let table = "tocsin_migrations"
    /// The advisory lock's key, the same for every Tocsin (`tocsin` in ASCII).
    static let lockKey: Int64 = 0x746F_6373_696E

    /// Migrates the database to the latest schema. Re-running is a no-op.
    ///
    /// - Throws: ``StoreError/databaseNewerThanBinary(path:unknownMigrations:)`` when the database
    ///   records migrations this binary does not carry (it was written by a newer Tocsin).
    static func migrate(_ client: PostgresClient, location: PostgresLocation, logger: Logger) async throws(StoreError) {
        try await StoreError.mappingPostgres {
            try await client.withTransaction(logger: logger) { connection in
                try await connection.query("SELECT pg_advisory_xact_lock(\(lockKey))", logger: logger)
                try await connection.query(
                    PostgresQuery(unsafeSQL: """
                        CREATE TABLE IF NOT EXISTS \(table) (
                            identifier text PRIMARY KEY,
                            applied_at timestamptz NOT NULL DEFAULT now()
                        )
                        """), logger: logger)
                let applied = try await appliedIdentifiers(connection, logger: logger)
                let unknown = applied.subtracting(embedded.map(\.identifier)).sorted()
                if !unknown.isEmpty {
                    throw StoreError.databaseNewerThanBinary(path: location.description, unknownMigrations: unknown)
                }
                for migration in embedded where !applied.contains(migration.identifier) {
                    for statement in SQLScript.statements(in: migration.sql) {
                        try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                    }
                    try await connection.query("INSERT INTO tocsin_migrations (identifier) VALUES (\(migration.identifier))", logger: logger)
                    logger.info("applied migration", metadata: ["migration": "\(migration.identifier)"])
                }
            }
        }
    }

    /// Identifiers of the migrations applied to the database, sorted.
    static func applied(_ client: PostgresClient, logger: Logger) async throws(StoreError) -> [String] {
        try await StoreError.mappingPostgres {
            try await client.withConnection { connection in
                try await appliedIdentifiers(connection, logger: logger).sorted()
            }
        }
    }

    private static func appliedIdentifiers(_ connection: PostgresConnection, logger: Logger) async throws -> Set<String> {
        var identifiers: Set<String> = []
        let rows = try await connection.query("SELECT identifier FROM tocsin_migrations", logger: logger)
        for try await identifier in rows.decode(String.self) {
            identifiers.insert(identifier)
        }
        return identifiers
    }
}
