import Foundation
import Testing
import TocsinTestSupport

/// `tocsin users revoke` and `tocsin audit` with the real binaries.
@Suite("Audit trail, end to end", .serialized)
struct AuditEndToEndTests {
    @Test("token creation, a failed login with its address, an ack and a revocation appear in tocsin audit")
    func trail() throws {
        let directory = try TemporaryDirectory("tocsin-audit")
        defer { directory.remove() }
        let db = directory.path("tocsin.sqlite")
        let added = try TocsinBinary.run(["users", "add", "carol", "--email", "carol@example.com", "--scopes", "read,respond", "--db", db, "--create"])
        #expect(added.stdout.contains("(read,respond;"), "\(added.stdout)")
        let token = added.stdout.split(separator: "\n").last.map(String.init) ?? ""
        let server = try ServerProcess(arguments: ["--db", db], logPath: directory.path("serve.log"))
        defer { server.stop(signal: SIGKILL) }
        let environment = ["TOCSIN_URL": server.url]
        #expect(try TocsinBinary.run(["incidents"], environment: environment.merging(["TOCSIN_TOKEN": "tcn_nope"]) { $1 }).status == 4)
        #expect(try TocsinBinary.run(["incidents"], environment: environment.merging(["TOCSIN_TOKEN": token]) { $1 }).status == 0)
        let revoked = try TocsinBinary.run(["users", "revoke", "carol", "--db", db])
        #expect(revoked.stdout.contains("Revoked 1 token of carol."), "\(revoked.stdout)\(revoked.stderr)")
        #expect(try TocsinBinary.run(["incidents"], environment: environment.merging(["TOCSIN_TOKEN": token]) { $1 }).status == 4)

        let audit = try TocsinBinary.run(["audit", "--since", "1h", "--db", db, "--json"])
        let events = try JSONSerialization.jsonObject(with: Data(audit.stdout.utf8)) as? [[String: Any]] ?? []
        // The second failure from 127.0.0.1 within a minute is counted, not written.
        #expect(events.compactMap { $0["kind"] as? String } == ["token.created", "auth.failed", "token.revoked"])
        #expect(events[1]["source"] as? String == "127.0.0.1")
        let text = try TocsinBinary.run(["audit", "--db", db])
        #expect(text.stdout.contains("token.revoked") && text.stdout.contains("1 token of carol revoked"), "\(text.stdout)")
        #expect(!text.stdout.contains(token) && !server.log().contains(token), "the token never appears")
        #expect(try TocsinBinary.run(["audit", "--since", "soon", "--db", db]).status == 64)
    }

    @Test("users and audit refuse to create a database that does not exist, naming the path and --db; --create makes it")
    func noSilentSecondDatabase() throws {
        let directory = try TemporaryDirectory("tocsin-nodb")
        defer { directory.remove() }
        let missing = directory.path("elsewhere/tocsin.sqlite")
        for command in [["users", "add", "alice", "--email", "alice@example.com"], ["users", "list"], ["audit"]] {
            let outcome = try TocsinBinary.run(command + ["--db", missing])
            #expect(outcome.status == 1, "\(command): \(outcome.stdout)\(outcome.stderr)")
            #expect(outcome.stderr.contains("no database at \(missing)") && outcome.stderr.contains("--db"), "\(outcome.stderr)")
            #expect(!outcome.stdout.contains("tcn_"), "no token is printed")
        }
        #expect(!FileManager.default.fileExists(atPath: directory.path("elsewhere")), "nothing was created")
        // TOCSIN_DB is the same as --db.
        let fromEnvironment = try TocsinBinary.run(["users", "list"], environment: ["TOCSIN_DB": missing])
        #expect(fromEnvironment.status == 1 && fromEnvironment.stderr.contains("no database at \(missing)"))

        let created = try TocsinBinary.run(["users", "add", "alice", "--email", "alice@example.com", "--db", missing, "--create"])
        #expect(created.status == 0, "\(created.stderr)")
        #expect(try TocsinBinary.run(["users", "list", "--db", missing]).stdout.contains("alice"))
    }
}
