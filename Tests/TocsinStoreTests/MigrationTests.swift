import Foundation
import GRDB
import Testing
@testable import TocsinStore
import TocsinTestSupport

@Suite("Migrations")
struct MigrationTests {
    @Test("a fresh database gets every migration, in WAL mode")
    func freshDatabase() throws {
        let test = try TestStore()
        defer { test.remove() }
        #expect(try test.store.appliedMigrations() == TocsinStore.knownMigrations)
        let mode = try DatabaseQueue(path: test.path).read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") }
        #expect(mode == "wal")
    }

    @Test("a new database and its WAL are readable by the owner only, in a directory of mode 0700")
    func permissions() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("data/tocsin.sqlite")
        let store = try TocsinStore(path: path)
        _ = try await store.ingest(try Fixtures.batch("webhook-01-firing-critical-single"), now: Date())
        func mode(_ file: String) throws -> Int {
            try #require(try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int) & 0o777
        }
        #expect(try mode(path) == 0o600)
        #expect(try mode(path + "-wal") == 0o600)
        #expect(try mode(directory.path("data")) == 0o700)
        try store.close()
    }

    @Test("opening again is a no-op that keeps the data")
    func reopenKeepsData() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("db.sqlite")
        let first = try TocsinStore(path: path)
        _ = try await first.ingest(try Fixtures.batch("webhook-01-firing-critical-single"), now: Date())
        try first.close()
        let second = try TocsinStore(path: path)
        #expect(try second.appliedMigrations() == TocsinStore.knownMigrations)
        #expect(try await second.incidents(filter: .all).incidents.count == 1)
        try second.close()
    }

    @Test("a database written by a newer Tocsin is refused with a clear message")
    func newerDatabaseIsRefused() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("db.sqlite")
        try TocsinStore(path: path).close()
        try DatabaseQueue(path: path).write { db in
            try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('9999_from_the_future')")
        }
        #expect {
            try TocsinStore(path: path)
        } throws: { error in
            guard case StoreError.databaseNewerThanBinary(_, let unknown) = error else { return false }
            return unknown == ["9999_from_the_future"] && "\(error)".contains("newer version of Tocsin")
        }
    }

    @Test("tokens issued before scopes existed lose the admin rights version 6 gave them, audited; later admin tokens keep theirs")
    func preScopeTokens() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("db.sqlite")
        let queue = try DatabaseQueue(path: path)
        try SchemaMigrations.migrator.migrate(queue, upTo: "0011_audit_retention")
        try await queue.write { db in
            try db.execute(sql: """
                INSERT INTO users (id, name, email, created_at) VALUES (1, 'old', 'old@example.com', '2026-11-01 00:00:00.000'),
                                                                      (2, 'root', 'root@example.com', '2026-11-28 00:00:00.000');
                INSERT INTO api_tokens (id, user_id, token_hash, created_at) VALUES (7, 1, 'h7', '2026-11-01 00:00:00.000');
                INSERT INTO api_tokens (id, user_id, token_hash, created_at, scopes) VALUES (12, 2, 'h12', '2026-11-28 00:00:00.000', 'admin');
                INSERT INTO audit_events (at, kind, actor, source, detail)
                    VALUES ('2026-11-28 00:00:00.000', 'token.created', 'root', 'cli', 'token #12 for root, scopes admin');
                """)
        }
        try queue.close()
        let store = try TocsinStore(path: path)
        defer { try? store.close() }
        let scopes = try await store.writer.read { db in
            try Row.fetchAll(db, sql: "SELECT id, scopes FROM api_tokens ORDER BY id").map { "\($0["id"] as Int64):\($0["scopes"] as String)" }
        }
        #expect(scopes == ["7:read,respond", "12:admin"])
        let changed = try await store.auditEvents(since: .distantPast).filter { $0.kind == .tokenScopesChanged }
        #expect(changed.map(\.actor) == ["old"])
        #expect(changed.first?.detail == "token #7 for old was issued before scopes existed: its scopes changed from admin to read,respond")
    }

    @Test("SQLite older than 3.35 is refused by name", arguments: [("3.40.1", true), ("3.35.0", true), ("3.35", true), ("3.34.1", false), ("3.9.2", false), ("4.0.0", true)])
    func sqliteVersion(version: String, supported: Bool) {
        #expect(TocsinStore.isSupported(sqliteVersion: version) == supported)
    }

    @Test("the migrations embedded in the binary are exactly the files in migrations/")
    func embeddedMatchesFiles() throws {
        let directory = Fixtures.repositoryRoot.appendingPathComponent("migrations")
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0.hasSuffix(".sql") }.sorted()
        #expect(files.map { String($0.dropLast(4)) } == SchemaMigrations.embedded.map(\.identifier))
        for (file, embedded) in zip(files, SchemaMigrations.embedded) {
            let text = try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
            #expect(
                text.trimmingCharacters(in: .whitespacesAndNewlines) == embedded.sql.trimmingCharacters(in: .whitespacesAndNewlines),
                "\(file) differs from the binary; run scripts/embed-migrations")
        }
    }

    @Test("a directory that cannot be created is reported")
    func unopenable() {
        #expect {
            try TocsinStore(path: "/proc/tocsin-cannot-be-here/db.sqlite")
        } throws: { error in
            guard case StoreError.cannotOpen = error else { return false }
            return true
        }
    }
}
