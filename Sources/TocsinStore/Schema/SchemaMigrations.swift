import GRDB

/// Applies the numbered migrations carried in the binary and refuses databases it does not know.
enum SchemaMigrations {
    /// The migrator holding every embedded migration, in order.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        for migration in embedded {
            migrator.registerMigration(migration.identifier) { db in
                try db.execute(sql: migration.sql)
            }
        }
        return migrator
    }

    /// Migrates `writer` to the latest schema. Re-running is a no-op.
    ///
    /// - Throws: ``StoreError/databaseNewerThanBinary(path:unknownMigrations:)`` when the database
    ///   records migrations this binary does not carry (it was written by a newer Tocsin).
    static func migrate(_ writer: any DatabaseWriter, path: String) throws(StoreError) {
        let migrator = migrator
        try StoreError.mapping {
            let applied = try writer.read { db in try migrator.appliedIdentifiers(db) }
            let known = Set(embedded.map(\.identifier))
            let unknown = applied.subtracting(known).sorted()
            if !unknown.isEmpty {
                throw StoreError.databaseNewerThanBinary(path: path, unknownMigrations: unknown)
            }
            try migrator.migrate(writer)
        }
    }

    /// Identifiers of the migrations applied to the database.
    static func applied(_ reader: any DatabaseReader) throws(StoreError) -> [String] {
        try StoreError.mapping {
            let migrator = migrator
            return try reader.read { db in try migrator.appliedIdentifiers(db) }.sorted()
        }
    }
}
