import Foundation
import Testing
import TocsinCore
import TocsinStore
import TocsinTestSupport

/// The web console in a real browser: Debian's chromium, driven by Playwright for Python
/// (`Tests/Browser/console_scenario.py`, installed by `scripts/test` into `.build/venv`), against
/// the real binary on the shipped policies. Screenshots of every page at 1280 and 360 px wide go
/// to `.build/screenshots/`.
@Suite("The web console in a browser, end to end")
struct ConsoleBrowserEndToEndTests {
    static let python = Fixtures.repositoryRoot.appendingPathComponent(".build/venv/bin/python").path
    static let scenario = Fixtures.repositoryRoot.appendingPathComponent("Tests/Browser/console_scenario.py").path
    static let screenshots = Fixtures.repositoryRoot.appendingPathComponent(".build/screenshots").path

    @Test("sign in, watch an incident arrive, acknowledge with a note, resolve, sign out; no scripts, read-only, CSRF and XSS hold")
    func scenario() async throws {
        try #require(
            FileManager.default.isExecutableFile(atPath: Self.python) && FileManager.default.isExecutableFile(atPath: "/usr/bin/chromium"),
            "needs Playwright in .build/venv and Debian's chromium: run scripts/test, which installs both")
        let directory = try TemporaryDirectory("tocsin-console")
        defer { directory.remove() }
        let db = directory.path("tocsin.sqlite")
        func token(_ name: String, scopes: String) throws -> String {
            let added = try TocsinBinary.run(
                ["users", "add", name, "--email", "\(name)@example.com", "--scopes", scopes, "--db", db, "--create"])
            #expect(added.status == 0, "\(added.stderr)")
            return added.stdout.split(separator: "\n").last.map(String.init) ?? ""
        }
        let admin = try token("alice", scopes: "admin")
        let reader = try token("reader", scopes: "read")
        let policies = Fixtures.repositoryRoot.appendingPathComponent("escalation-policies").path
        // The shipped policies page whoever is on call by email: a real SMTP server takes the page,
        // whose HTML the browser renders as a phone's mail app would.
        let smtp = try PeerProcess(script: "smtp_sink.py", arguments: [], logPath: directory.path("mail.jsonl"))
        defer { smtp.stop() }
        let server = try ServerProcess(
            arguments: ["--db", db, "--config", policies, "--smtp-url", "smtp://127.0.0.1:\(smtp.port)"],
            logPath: directory.path("serve.log"))
        defer { server.stop(signal: SIGKILL) }

        let outcome = try await Self.runScenario(log: directory.path("browser.log"), [
            "--url", server.url, "--token", admin, "--read-token", reader,
            "--fixture", Fixtures.alertmanagerDirectory.appendingPathComponent("webhook-01-firing-critical-single.json").path,
            "--screenshots", Self.screenshots, "--mail-log", directory.path("mail.jsonl"),
        ])
        #expect(outcome.status == 0, "the browser scenario failed:\n\(outcome.output)\nserver log:\n\(server.log().suffix(3000))")

        // What the browser did is in the database: alice's three sessions (the scenario, signing in
        // again from a page's link, without scripts) ended at sign-out; the reader's two (dark
        // mode, read only) live on.
        let store = try TocsinStore(path: db)
        #expect(try await store.liveConsoleSessionCount(now: Date()) == 2)
        let audit = try await store.auditEvents(since: Date(timeIntervalSince1970: 0))
        #expect(audit.filter { $0.kind == .consoleSignedIn }.map(\.actor).sorted() == ["alice", "alice", "alice", "reader", "reader"])
        #expect(audit.filter { $0.kind == .consoleSignedOut }.map(\.actor) == ["alice", "alice", "alice"])
        let incident = try await store.incident(id: 1)
        #expect(incident.incident.state == .resolved && incident.incident.resolvedBy == "alice")
        #expect(incident.timeline.contains { $0.kind == .acknowledged && $0.channel == "console" && $0.note?.contains("looking at it") == true })
        #expect(FileManager.default.fileExists(atPath: "\(Self.screenshots)/incident-dark-360.png"))
        for page in ["login", "incidents", "incident", "oncall", "deliveries", "heartbeats", "maintenance", "email"] {
            for width in [1280, 360] {
                #expect(FileManager.default.fileExists(atPath: "\(Self.screenshots)/\(page)-\(width).png"), "no screenshot of \(page) at \(width)")
            }
        }
    }

    /// Runs the Playwright scenario, its output in `log`; stopped after four minutes at most.
    static func runScenario(log: String, _ arguments: [String]) async throws -> (status: Int32, output: String) {
        FileManager.default.createFile(atPath: log, contents: nil)
        let output = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        defer { try? output.close() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [scenario] + arguments
        process.standardOutput = output
        process.standardError = output
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do {
                try process.run()
            } catch {
                continuation.resume(throwing: error)
                return
            }
            let pid = process.processIdentifier
            DispatchQueue.global().asyncAfter(deadline: .now() + 240) {
                // Only if that process is still the scenario (its id may have been given to another since).
                let command = (try? String(contentsOfFile: "/proc/\(pid)/cmdline", encoding: .utf8)) ?? ""
                if command.contains("console_scenario") { kill(pid, SIGTERM) }
            }
        }
        return (status, (try? String(contentsOfFile: log, encoding: .utf8)) ?? "")
    }
}
