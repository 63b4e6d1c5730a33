import Foundation
import Testing
import TocsinCore
import TocsinStore
import TocsinTestSupport

/// `tocsin migrate`, the real binary copying a SQLite file into the test PostgreSQL server.
@Suite("tocsin migrate, end to end")
struct MigrateEndToEndTests {
    @Test("a SQLite file is copied into PostgreSQL and verified; run again it still matches; refusals say why in one line")
    func migrate() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("tocsin.sqlite")
        let store = try TocsinStore(path: path)
        _ = try await store.ingest(try Fixtures.batch("webhook-04-firing-grouped-2-alerts"), now: Date())
        _ = try await store.addUser(name: "ann", email: "ann@example.com", tokenHash: "h", scopes: [.read], now: Date())
        try store.close()

        try await TestPostgres.withDatabase { location in
            let url = "postgres://\(location.username)@\(location.host):\(location.port)/\(location.database)?sslmode=disable"
            let first = try TocsinBinary.run(["migrate", "--from", path, "--to", url])
            #expect(first.status == 0, "\(first.stderr)")
            #expect(first.stdout.contains("every table matches"), "\(first.stdout)")
            #expect(first.stdout.contains("incidents"))

            let again = try TocsinBinary.run(["migrate", "--from", "sqlite:\(path)", "--to", url, "--json"])
            #expect(again.status == 0, "\(again.stderr)")
            let report = try JSONDecoder().decode(StoreCopyReport.self, from: Data(again.stdout.utf8))
            #expect(report.matches)
            #expect(report.tables.first { $0.name == "incident_alerts" }?.targetRows == 2)
            #expect(again.stdout.contains("\"matches\" : true"))

            // Instances wrote to it: a copy would overwrite their rows.
            try await TestPostgres.run(
                "INSERT INTO users (name, email, created_at) VALUES ('bob', 'bob@example.com', now())", on: location)
            let refused = try TocsinBinary.run(["migrate", "--from", path, "--to", url])
            #expect(refused.status == 6, "\(refused.stderr)")
            #expect(refused.stderr.hasPrefix("tocsin: the PostgreSQL database changed since the copy of"))
            #expect(refused.stderr.split(separator: "\n").count == 1)
        }

        let missing = try TocsinBinary.run(["migrate", "--from", directory.path("nothing.sqlite"), "--to", "postgres://u@127.0.0.1:1/d"])
        #expect(missing.status == 1 && missing.stderr.contains("no database at"), "\(missing.stderr)")
        #expect(!FileManager.default.fileExists(atPath: directory.path("nothing.sqlite")))
        let unreachable = try TocsinBinary.run(["migrate", "--from", path, "--to", "postgres://u:secret@127.0.0.1:1/d?sslmode=disable"])
        #expect(unreachable.status == 1 && unreachable.stderr.contains("cannot open the database postgres://u@127.0.0.1:1/d"), "\(unreachable.stderr)")
        #expect(!unreachable.stderr.contains("secret"))
        let backwards = try TocsinBinary.run(["migrate", "--from", "postgres://u@h/d", "--to", path])
        #expect(backwards.status == 64 && backwards.stderr.contains("--from must be a SQLite file"), "\(backwards.stderr)")
    }
}
