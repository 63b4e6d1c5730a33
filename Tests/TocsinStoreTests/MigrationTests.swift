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
