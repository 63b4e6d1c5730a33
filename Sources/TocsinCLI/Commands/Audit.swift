import ArgumentParser
import Foundation
import TocsinCore
import TocsinStore

/// `tocsin audit`: the security audit trail, read from the database file on the server host.
struct Audit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show the audit trail: tokens created and revoked, failed authentications, acks and resolves, reloads, drills, overrides.",
        discussion: "Reads the database file (on the server host). The trail is append-only: the database refuses to change or delete its rows.")

    @Option(help: ArgumentHelp("Only events from this long ago on (e.g. 24h, 7d).", valueName: "duration"))
    var since = "7d"

    @Option(help: "Show at most this many (the newest).")
    var limit = 1000

    @OptionGroup var database: ExistingDatabaseOptions

    @Flag(help: "Print JSON instead of text.")
    var json = false

    func validate() throws {
        guard PolicyDuration.parse(since) != nil else {
            throw ValidationError("--since must be a duration such as 24h or 7d, got \"\(since)\"")
        }
        guard (1...100_000).contains(limit) else { throw ValidationError("--limit must be between 1 and 100000") }
    }

    func run() async throws {
        let store = try await database.open()
        let from = Date().addingTimeInterval(-(PolicyDuration.parse(since) ?? 0))
        let events: [AuditEvent]
        do {
            events = try await store.auditEvents(since: from, limit: limit)
        } catch {
            throw CLIError(error.description)
        }
        if json { return try Formatting.printJSON(events) }
        guard !events.isEmpty else {
            print("No audit events in the last \(since).")
            return
        }
        var table = TextTable(header: ["TIME", "EVENT", "ACTOR", "SOURCE", "DETAIL"])
        table.rows = events.map { [Formatting.time($0.at), $0.kind.rawValue, $0.actor, $0.source, $0.detail] }
        print(table.render())
    }
}
