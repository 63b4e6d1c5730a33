import Foundation
import GRDB
import Logging
import Testing
import TocsinCore
@testable import TocsinStore
import TocsinTestSupport

/// The PostgreSQL schema, on the real server `scripts/test` starts (``TestPostgres``).
@Suite("PostgreSQL migrations")
struct PostgresMigrationTests {
    let logger = Logger(label: "test")

    @Test("a new database gets every migration; opening again is a no-op")
    func freshDatabase() async throws {
        try await TestPostgres.withDatabase { location in
            let first = try await PostgresStore.open(location, logger: logger)
            #expect(try await first.appliedMigrations() == PostgresStore.knownMigrations)
            await first.close()
            let second = try await PostgresStore.open(location, logger: logger)
            #expect(try await second.appliedMigrations() == PostgresStore.knownMigrations)
            await second.close()
            let recorded = try await TestPostgres.rows("SELECT count(*)::text FROM tocsin_migrations", on: location)
            #expect(recorded == [["\(PostgresStore.knownMigrations.count)"]])
        }
    }

    @Test("instances that start together migrate once, and all of them open")
    func concurrentStarts() async throws {
        try await TestPostgres.withDatabase { location in
            let logger = logger
            let opened = try await withThrowingTaskGroup(of: [String].self) { group in
                for _ in 0..<4 {
                    group.addTask {
                        let store = try await PostgresStore.open(location, logger: logger)
                        let applied = try await store.appliedMigrations()
                        await store.close()
                        return applied
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(opened == Array(repeating: PostgresStore.knownMigrations, count: 4))
        }
    }

    @Test("a database written by a newer Tocsin is refused with a clear message")
    func newerDatabaseIsRefused() async throws {
        try await TestPostgres.withDatabase { location in
            try await PostgresStore.open(location, logger: logger).close()
            try await TestPostgres.run("INSERT INTO tocsin_migrations (identifier) VALUES ('9999_from_the_future')", on: location)
            await #expect {
                try await PostgresStore.open(location, logger: logger)
            } throws: { error in
                guard case StoreError.databaseNewerThanBinary(let name, let unknown) = error else { return false }
                return unknown == ["9999_from_the_future"] && name == location.description
                    && "\(error)".contains("newer version of Tocsin")
            }
        }
    }

    @Test("every SQLite table has its PostgreSQL twin: the same columns, in order, with the same NOT NULLs")
    func sameTablesAsSQLite() async throws {
        let test = try TestStore()
        defer { test.remove() }
        let sqlite = try await test.store.writer.read { db in
            var tables: [String: [String]] = [:]
            let names = try String.fetchAll(
                db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT IN ('sqlite_sequence', 'grdb_migrations')")
            for name in names {
                tables[name] = try Row.fetchAll(db, sql: "PRAGMA table_info(\(name))").map { column in
                    let notNull = (column["notnull"] as Int) == 1 || (column["pk"] as Int) > 0
                    return "\(column["name"] as String)\(notNull ? " NOT NULL" : "")"
                }
            }
            return tables
        }
        let rows = try await TestPostgres.withDatabase { location in
            try await PostgresStore.open(location, logger: logger).close()
            return try await TestPostgres.rows(
                """
                SELECT table_name::text, column_name::text, is_nullable::text FROM information_schema.columns
                WHERE table_schema = 'public' AND table_name NOT IN ('tocsin_migrations', 'tocsin_copies') ORDER BY table_name, ordinal_position
                """, on: location)
        }
        var postgres: [String: [String]] = [:]
        for row in rows {
            let (table, column, nullable) = (row[0] ?? "", row[1] ?? "", row[2] ?? "")
            postgres[table, default: []].append("\(column)\(nullable == "NO" ? " NOT NULL" : "")")
        }
        #expect(postgres.keys.sorted() == sqlite.keys.sorted())
        for (table, columns) in sqlite.sorted(by: { $0.key < $1.key }) {
            #expect(postgres[table] == columns, "table \(table)")
        }
    }

    @Test("the audit trail is append-only: no update, and no delete newer than the retention cutoff")
    func auditTrailAppendOnly() async throws {
        try await TestPostgres.withDatabase { location in
            try await PostgresStore.open(location, logger: logger).close()
            try await TestPostgres.run(
                """
                INSERT INTO audit_events (at, kind, actor) VALUES
                    ('2026-01-01 00:00:00+00', 'user.created', 'old'), ('2026-06-01 00:00:00+00', 'user.created', 'new')
                """, on: location)
            await #expect(throws: (any Error).self) {
                try await TestPostgres.run("UPDATE audit_events SET actor = 'someone else'", on: location)
            }
            await #expect(throws: (any Error).self) {
                try await TestPostgres.run("DELETE FROM audit_events WHERE actor = 'old'", on: location)
            }
            try await TestPostgres.run(
                "INSERT INTO settings (name, value) VALUES ('audit_retention_cutoff', '2026-03-01 00:00:00.000')", on: location)
            try await TestPostgres.run("DELETE FROM audit_events WHERE actor = 'old'", on: location)
            await #expect(throws: (any Error).self) {
                try await TestPostgres.run("DELETE FROM audit_events WHERE actor = 'new'", on: location)
            }
            #expect(try await TestPostgres.rows("SELECT actor FROM audit_events", on: location) == [["new"]])
        }
    }

    @Test("a server that does not answer is reported by name within the timeout")
    func unreachable() async throws {
        var location = try TestPostgres.server()
        location.port = 1  // nothing listens on 127.0.0.1:1
        await #expect {
            try await PostgresStore.open(location, timeout: .seconds(2), logger: logger)
        } throws: { error in
            guard case StoreError.cannotOpen(let name, _) = error else { return false }
            return name == location.description
        }
    }

    @Test("a database that does not exist is refused, naming it")
    func missingDatabase() async throws {
        var location = try TestPostgres.server()
        location.database = "tocsin_no_such_database"
        await #expect {
            try await PostgresStore.open(location, timeout: .seconds(5), logger: logger)
        } throws: { error in
            "\(error)".contains("tocsin_no_such_database") && "\(error)".contains("does not exist")
        }
    }

    @Test("the migrations embedded in the binary are exactly the files in migrations/postgres/")
    func embeddedMatchesFiles() throws {
        let directory = Fixtures.repositoryRoot.appendingPathComponent("migrations/postgres")
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".sql") }.sorted()
        #expect(files.map { String($0.dropLast(4)) } == PostgresMigrations.embedded.map(\.identifier))
        for (file, embedded) in zip(files, PostgresMigrations.embedded) {
            let text = try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
            #expect(
                text.trimmingCharacters(in: .whitespacesAndNewlines) == embedded.sql.trimmingCharacters(in: .whitespacesAndNewlines),
                "\(file) differs from the binary; run scripts/embed-migrations")
        }
    }

    @Test("times are stored exactly to the millisecond, as SQLite's text keeps them")
    func exactMilliseconds() async throws {
        let times = (0..<40).map { Date(timeIntervalSince1970: 1_795_800_000 + Double($0) * 3.017 + 0.001) }
        let stored = try await TestPostgres.withDatabase { location in
            let store = try await PostgresStore.open(location, logger: logger)
            for time in times {
                try await store.audit(AuditEvent(at: time, kind: .configReloaded, actor: "system", source: "test", detail: ""))
            }
            await store.close()
            return try await TestPostgres.rows(
                "SELECT to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') FROM audit_events ORDER BY id", on: location)
        }
        #expect(stored.map { $0[0] ?? "" } == times.map { RFC3339.format($0, separator: " ", suffix: "") + "000" })
    }
}
