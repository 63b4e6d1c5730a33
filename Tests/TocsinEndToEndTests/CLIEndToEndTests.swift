import Foundation
import Testing
import TocsinDelivery
import TocsinTestSupport

/// The real `tocsin serve` binary on a free port with a temporary database, driven by the real CLI.
@Suite("tocsin serve + tocsin CLI, end to end", .serialized)
struct CLIEndToEndTests {
    func post(_ fixture: String, to server: ServerProcess) throws -> HTTPTransferResponse {
        try HTTPTransfer.perform(HTTPTransferRequest(
            method: "POST", url: server.url + "/api/v1/ingest/alertmanager",
            headers: [("Content-Type", "application/json")], body: Array(try Fixtures.data(fixture))))
    }

    /// A server on a new database in `directory`, with the user alice (the default scopes unless
    /// told), and her token.
    func aliceServer(in directory: TemporaryDirectory, scopes: [String] = []) throws -> (ServerProcess, String) {
        let db = directory.path("tocsin.sqlite")
        let added = try TocsinBinary.run(
            ["users", "add", "alice", "--email", "alice@example.com", "--db", db, "--create"] + (scopes.isEmpty ? [] : ["--scopes", scopes.joined(separator: ",")]))
        let token = try #require(added.stdout.split(separator: "\n").last.map(String.init))
        return (try ServerProcess(arguments: ["--db", db], logPath: directory.path("serve.log")), token)
    }

    @Test("an on-call engineer lists, shows, acknowledges and resolves; errors exit non-zero with one line")
    func onCallSession() throws {
        let directory = try TemporaryDirectory("tocsin-e2e")
        defer { directory.remove() }
        let db = directory.path("tocsin.sqlite")

        let added = try TocsinBinary.run(["users", "add", "alice", "--email", "alice@example.com", "--db", db, "--create"])
        #expect(added.status == 0, "\(added.stderr)")
        let token = try #require(added.stdout.split(separator: "\n").last.map(String.init))
        #expect(token.hasPrefix("tcn_"))
        let duplicate = try TocsinBinary.run(["users", "add", "alice", "--email", "a@example.com", "--db", db])
        #expect(duplicate.status == 6 && duplicate.stderr.contains("already exists"))

        let server = try ServerProcess(arguments: ["--db", db], logPath: directory.path("serve.log"))
        defer { server.stop(signal: SIGKILL) }
        #expect(try post("webhook-01-firing-critical-single", to: server).status == 200)
        #expect(try post("webhook-04-firing-grouped-2-alerts", to: server).status == 200)

        let env = ["TOCSIN_URL": server.url, "TOCSIN_TOKEN": token]
        let list = try TocsinBinary.run(["incidents"], environment: env)
        #expect(list.status == 0, "\(list.stderr)")
        let lines = list.stdout.split(separator: "\n")
        #expect(lines.first?.hasPrefix("ID") == true)
        #expect(lines.count == 3)
        #expect(lines[1].hasPrefix("#2") && lines[1].contains("triggered") && lines[1].contains("InstanceDown (cluster=eu1)"))
        #expect(lines[2].hasPrefix("#1") && lines[2].contains("critical") && lines[2].contains("Disk almost full on db1"))

        let json = try TocsinBinary.run(["incidents", "--json", "--state", "all"], environment: env)
        let page = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        #expect((page?["incidents"] as? [[String: Any]])?.compactMap { $0["id"] as? Int } == [2, 1])

        let ack = try TocsinBinary.run(["ack", "2", "--note", "on it"], environment: env)
        #expect(ack.status == 0 && ack.stdout.contains("Incident #2 acknowledged"))
        let again = try TocsinBinary.run(["ack", "#2"], environment: env)
        #expect(again.status == 0 && again.stdout.contains("already acknowledged"))

        let show = try TocsinBinary.run(["show", "2"], environment: env)
        #expect(show.status == 0)
        #expect(show.stdout.contains("State         acknowledged"))
        #expect(show.stdout.contains("acknowledged by alice via cli: on it"))
        #expect(show.stdout.contains("3cfbf7b266d39143"))

        let resolve = try TocsinBinary.run(["resolve", "2", "--note", "rebooted"], environment: env)
        #expect(resolve.status == 0 && resolve.stdout.contains("resolved"))
        let lateAck = try TocsinBinary.run(["ack", "2"], environment: env)
        #expect(lateAck.status == 6)
        #expect(lateAck.stderr == "tocsin: incident #2: the incident is already resolved and cannot be acknowledged\n")

        let missing = try TocsinBinary.run(["show", "99"], environment: env)
        #expect(missing.status == 5 && missing.stderr.contains("#99 not found"))
        let badToken = try TocsinBinary.run(["incidents", "--token", "tcn_wrong"], environment: env)
        #expect(badToken.status == 4 && badToken.stderr.hasPrefix("tocsin: unauthorized"))
        let noToken = try TocsinBinary.run(["incidents"], environment: ["TOCSIN_URL": server.url])
        #expect(noToken.status == 4 && noToken.stderr.contains("TOCSIN_TOKEN"))
        let unreachable = try TocsinBinary.run(["incidents", "--server", "http://127.0.0.1:1"], environment: env)
        #expect(unreachable.status == 3 && unreachable.stderr.contains("cannot reach"))
        let usage = try TocsinBinary.run(["ack", "minus-one"], environment: env)
        #expect(usage.status != 0 && usage.stderr.contains("minus-one"))

        // Every request was logged as JSON with its correlation id.
        let requestLines = server.log().split(separator: "\n").filter { $0.contains("\"msg\":\"request\"") }
        #expect(requestLines.count >= 8)
        #expect(requestLines.allSatisfy { $0.contains("\"correlation_id\":") })
        // The refused ack and the unknown incident are the caller's mistakes, not storage failures.
        let log = server.log()
        #expect(!log.contains("storage failure"), "\(log)")
        let refusals = log.split(separator: "\n").filter { $0.contains("\"msg\":\"request refused\"") }
        #expect(refusals.count == 2 && refusals.allSatisfy { $0.contains("\"level\":\"notice\"") }, "\(refusals)")
        #expect(refusals.contains { $0.contains("already resolved") } && refusals.contains { $0.contains("\"status\":\"404\"") })
    }

    @Test("tocsin note, escalate, page and reassign: a note shows in tocsin show, escalate runs the next step now, a resolved incident refuses it")
    func notesAndEscalation() throws {
        let directory = try TemporaryDirectory("tocsin-e2e-byhand")
        defer { directory.remove() }
        let (server, token) = try aliceServer(in: directory)
        defer { server.stop(signal: SIGKILL) }
        #expect(try post("webhook-01-firing-critical-single", to: server).status == 200)
        let env = ["TOCSIN_URL": server.url, "TOCSIN_TOKEN": token]

        let note = try TocsinBinary.run(["note", "1", "rolled back deploy 3f2a", "--notify"], environment: env)
        #expect(note.status == 0 && note.stdout.contains("Note added to incident #1 and sent to"), "\(note.stdout)\(note.stderr)")
        let escalate = try TocsinBinary.run(["escalate", "1", "--note", "bob knows the db"], environment: env)
        #expect(escalate.status == 0 && escalate.stdout.contains("Incident #1 escalated: the next step ran now"), "\(escalate.stderr)")
        let show = try TocsinBinary.run(["show", "1"], environment: env)
        #expect(show.stdout.contains("note by alice via cli: rolled back deploy 3f2a"), "\(show.stdout)")
        #expect(show.stdout.contains("escalated_by_hand by alice via cli: step 2 of critical-immediate run at once: bob knows the db"))
        let json = try TocsinBinary.run(["show", "1", "--json"], environment: env)
        let detail = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        let addresses = (detail?["notifications"] as? [[String: Any]])?.compactMap { $0["address"] as? String } ?? []
        #expect(addresses.contains("bob@example.com"), "bob paged now: \(addresses)")

        let responder = try TocsinBinary.run(["page", "1", "--person", "carol"], environment: env)
        #expect(responder.status == 0 && responder.stdout.contains("Paged about incident #1"), "\(responder.stderr)")
        let reassigned = try TocsinBinary.run(["reassign", "1", "--policy", "warning-24h"], environment: env)
        #expect(reassigned.status == 0 && reassigned.stdout.contains("reassigned to policy warning-24h"), "\(reassigned.stderr)")
        let byHand = try TocsinBinary.run(["page", "--person", "bob", "--summary", "Payments are failing"], environment: env)
        #expect(byHand.status == 0 && byHand.stdout.contains("Incident #2 opened by hand and paged: Payments are failing"), "\(byHand.stderr)")
        let nobody = try TocsinBinary.run(["page", "--person", "zed", "--summary", "x"], environment: env)
        #expect(nobody.status == 7 && nobody.stderr.contains("no person \"zed\""), "\(nobody.stderr)")

        #expect(try TocsinBinary.run(["resolve", "1"], environment: env).status == 0)
        let refused = try TocsinBinary.run(["escalate", "1"], environment: env)
        #expect(refused.status == 6 && refused.stderr.contains("resolved"), "\(refused.stderr)")
        let empty = try TocsinBinary.run(["note", "1", "  "], environment: env)
        #expect(empty.status == 64 && empty.stderr.contains("1 to 4096"), "\(empty.stderr)")
    }

    @Test("tocsin maintenance add, list and remove: a held alert shows as in maintenance, and is paged when the window is removed")
    func maintenance() throws {
        let directory = try TemporaryDirectory("tocsin-e2e-maintenance")
        defer { directory.remove() }
        let (server, token) = try aliceServer(in: directory, scopes: ["admin"])
        defer { server.stop(signal: SIGKILL) }
        let env = ["TOCSIN_URL": server.url, "TOCSIN_TOKEN": token]
        let added = try TocsinBinary.run(
            ["maintenance", "add", "--matchers", #"cluster="eu1""#, "--until", "+2h", "--note", "network work"], environment: env)
        #expect(added.status == 0 && added.stdout.contains(#"Maintenance window #1 (cluster="eu1")"#), "\(added.stdout)\(added.stderr)")
        let tooLong = try TocsinBinary.run(["maintenance", "add", "--matchers", #"cluster="eu1""#, "--until", "+8d"], environment: env)
        #expect(tooLong.status == 7 && tooLong.stderr.contains("max-maintenance"), "\(tooLong.stderr)")
        #expect(try post("webhook-01-firing-critical-single", to: server).status == 200)

        let show = try TocsinBinary.run(["show", "1"], environment: env)
        #expect(show.stdout.contains("[in maintenance #1]") && show.stdout.contains("held by window #1"), "\(show.stdout)")
        let incidents = try TocsinBinary.run(["incidents"], environment: env)
        #expect(incidents.stdout.contains("[in maintenance]"), "\(incidents.stdout)")
        let list = try TocsinBinary.run(["maintenance", "list"], environment: env)
        #expect(list.stdout.contains("1 alerts in 1 incidents") && list.stdout.contains("network work"), "\(list.stdout)")

        let removed = try TocsinBinary.run(["maintenance", "remove", "1"], environment: env)
        #expect(removed.status == 0 && removed.stdout.contains("closed"), "\(removed.stderr)")
        #expect(try eventually(within: 10) {
            let json = try TocsinBinary.run(["show", "1", "--json"], environment: env)
            let detail = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
            return !((detail?["notifications"] as? [[String: Any]]) ?? []).isEmpty
        }, "paged once the window closed")
    }

    @Test("control characters in alert text are shown as escapes in human output, never sent to the terminal; --json keeps them")
    func terminalEscapes() throws {
        let directory = try TemporaryDirectory("tocsin-e2e")
        defer { directory.remove() }
        let (server, token) = try aliceServer(in: directory)
        defer { server.stop(signal: SIGKILL) }
        // A clipboard write (OSC 52), a window title, a cursor move up and a forged row, and a C1 CSI.
        let hostile = "Disk full\u{1B}]52;c;ZXZpbA==\u{07}\u{1B}]0;pwned\u{07}\u{1B}[1A\n#9  resolved  fake\u{9B}2J"
        let body = Fixtures.webhook(labels: ["alertname": "DiskFull"], annotations: ["summary": hostile])
        let posted = try HTTPTransfer.perform(HTTPTransferRequest(
            method: "POST", url: server.url + "/api/v1/ingest/alertmanager", headers: [("Content-Type", "application/json")],
            body: body))
        #expect(posted.status == 200, "\(String(decoding: posted.body, as: UTF8.self))")
        let env = ["TOCSIN_URL": server.url, "TOCSIN_TOKEN": token]
        for command in [["incidents"], ["show", "1"], ["ack", "1"]] {
            let outcome = try TocsinBinary.run(command, environment: env)
            #expect(outcome.status == 0, "\(command): \(outcome.stderr)")
            let controls = outcome.stdout.unicodeScalars.filter { ($0.value < 0x20 && $0 != "\n") || (0x7F...0x9F).contains($0.value) }
            #expect(controls.isEmpty, "\(command) printed control characters: \(controls.map(\.value))")
            #expect(outcome.stdout.contains(#"Disk full\e]52;c;ZXZpbA==\x07\e]0;pwned\x07\e[1A\n#9  resolved  fake\u{9B}2J"#),
                    "\(command): \(outcome.stdout)")
        }
        let listed = try TocsinBinary.run(["incidents"], environment: env)
        #expect(listed.stdout.split(separator: "\n").count == 2, "no forged row")
        let json = try TocsinBinary.run(["show", "1", "--json"], environment: env)
        let detail = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        #expect((detail?["incident"] as? [String: Any])?["title"] as? String == hostile, "--json is unaffected")
    }

    @Test("after SIGKILL and restart on the same file, every acknowledged write is still there")
    func survivesKill() throws {
        let directory = try TemporaryDirectory("tocsin-e2e")
        defer { directory.remove() }
        let db = directory.path("tocsin.sqlite")
        let first = try ServerProcess(arguments: ["--db", db], logPath: directory.path("first.log"))
        var accepted = 0
        for step in FixtureReplay.steps where try post(step.fixture, to: first).status == 200 {
            accepted += 1
        }
        #expect(accepted == FixtureReplay.steps.count)
        first.stop(signal: SIGKILL)

        let second = try ServerProcess(arguments: ["--db", db], logPath: directory.path("second.log"))
        defer { second.stop() }
        let added = try TocsinBinary.run(["users", "add", "bob", "--email", "bob@example.com", "--db", db, "--create"])
        let token = try #require(added.stdout.split(separator: "\n").last.map(String.init))
        let list = try TocsinBinary.run(["incidents", "--state", "all", "--json"], environment: ["TOCSIN_URL": second.url, "TOCSIN_TOKEN": token])
        let page = try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [String: Any]
        let states = (page?["incidents"] as? [[String: Any]])?.compactMap { $0["state"] as? String } ?? []
        #expect(states.count == 8)
        #expect(states.filter { $0 == "resolved" }.count == 4)
        #expect(second.stop() == 0, "SIGTERM stops the server cleanly")
    }

    @Test("serve refuses a bad option with a clear message")
    func serveValidation() throws {
        let outcome = try TocsinBinary.run(["serve", "--port", "70000"])
        #expect(outcome.status != 0)
        #expect(outcome.stderr.contains("--port must be between 0 and 65535"))
        for lead in ["5x", "2m"] {
            let refused = try TocsinBinary.run(["serve", "--escalation-lead", lead])
            #expect(refused.status != 0)
            #expect(refused.stderr.contains("--escalation-lead must be a duration from 0 to 1m such as 2s, got \"\(lead)\""))
        }
    }

    @Test("--db takes a path, sqlite:PATH or postgres://; a database it cannot open or use is refused by name, its password hidden, and nothing is created")
    func databaseLocation() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("by-url/tocsin.sqlite")
        let created = try TocsinBinary.run(["users", "add", "ann", "--email", "ann@example.com", "--db", "sqlite:\(path)", "--create"])
        #expect(created.status == 0, "\(created.stderr)")
        #expect(FileManager.default.fileExists(atPath: path))
        let listed = try TocsinBinary.run(["users", "list", "--db", path])
        #expect(listed.status == 0 && listed.stdout.contains("ann"), "\(listed.stdout)\(listed.stderr)")

        // A PostgreSQL server that does not answer: refused by name, the reason given, the password hidden.
        let postgres = try TocsinBinary.run(["serve", "--db", "postgres://tocsin:hunter2@127.0.0.1:1/tocsin"])
        #expect(postgres.status == 1, "\(postgres.stderr)")
        #expect(postgres.stderr.contains("cannot open the database postgres://tocsin@127.0.0.1:1/tocsin"), "\(postgres.stderr)")
        #expect(postgres.stderr.contains("nothing accepts connections at 127.0.0.1:1 (connection refused): is PostgreSQL running there"),
                "\(postgres.stderr)")
        #expect(!postgres.stderr.contains("hunter2"))
        let unknown = try TocsinBinary.run(["users", "list", "--db", "mysql://u@h/d"])
        #expect(unknown.status == 64 && unknown.stderr.contains("mysql:// is not a database Tocsin uses"), "\(unknown.stderr)")
        #expect(!FileManager.default.fileExists(atPath: "postgres:") && !FileManager.default.fileExists(atPath: "mysql:"),
                "a refused --db creates nothing")
    }
}
