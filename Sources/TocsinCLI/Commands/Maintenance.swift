import ArgumentParser
import Foundation
import TocsinAPI
import TocsinClient
import TocsinCore

/// `tocsin maintenance`: windows in which matching alerts are stored but page nobody.
struct Maintenance: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Add, list and remove maintenance windows (matching alerts are kept but page nobody until the window closes).",
        discussion: """
            While a window is open, alerts that start firing and match every matcher (Alertmanager's syntax, from any
            source, heartbeats included) are stored and shown as held, but nobody is paged. When it closes, at its end
            or when removed, those still firing are paged as new, at once. Escalations already running go on.
            Adding and removing need an admin token, and are audited.
            """,
        subcommands: [Add.self, List.self, Remove.self],
        defaultSubcommand: List.self)

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Open a maintenance window.",
            discussion: "TIME is now, an offset (+2h; a negative one as --from=-1h) or an RFC 3339 time.")

        @Option(name: .customLong("matchers"), help: ArgumentHelp(
            "An Alertmanager matcher, e.g. 'cluster=\"eu1\"' (repeat for more; all must match).", valueName: "matcher"))
        var matchers: [String] = []

        @Option(help: ArgumentHelp("When it opens.", valueName: "time"))
        var from: TimeArgument = TimeArgument(date: Date())

        @Option(help: ArgumentHelp("When it closes.", valueName: "time"))
        var until: TimeArgument

        @Option(help: "Why (kept with the window).")
        var note: String?

        @Flag(help: "Allow a window longer than the server's --max-maintenance (default 7d).")
        var force = false

        @OptionGroup var client: ClientOptions

        func validate() throws {
            guard !matchers.isEmpty else { throw ValidationError("--matchers is required (a window matching everything would silence every page)") }
            guard until.date > from.date else { throw ValidationError("--until must be after --from") }
        }

        func run() async throws {
            let stored = try await client.client().post(
                "/api/v1/maintenance",
                body: MaintenanceCreateBody(matchers: matchers, from: from.date, until: until.date, note: note, force: force ? true : nil),
                as: MaintenanceWindowResource.self)
            if client.json { return try Formatting.printJSON(stored) }
            print("Maintenance window #\(stored.id) (\(stored.matchers.joined(separator: ", "))) from \(Formatting.time(stored.startsAt)) until \(Formatting.time(stored.endsAt)).")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List windows not yet closed (--all: every one), with what each holds back.")

        @Flag(help: "Include closed windows.")
        var all = false

        @OptionGroup var client: ClientOptions

        func run() async throws {
            let listing = try await client.client().get("/api/v1/maintenance" + (all ? "?all=true" : ""), as: MaintenanceListResource.self)
            if client.json { return try Formatting.printJSON(listing) }
            guard !listing.windows.isEmpty else {
                print("No maintenance windows.")
                return
            }
            var table = TextTable(header: ["ID", "STATE", "MATCHERS", "FROM", "UNTIL", "HOLDING", "BY", "NOTE"])
            for window in listing.windows {
                table.rows.append([
                    "#\(window.id)", window.state, window.matchers.joined(separator: ", "), Formatting.time(window.startsAt),
                    Formatting.time(window.endsAt), "\(window.heldAlerts) alerts in \(window.heldIncidents) incidents", window.createdBy,
                    window.note ?? "",
                ])
            }
            print(table.render())
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Close a window now: the alerts it holds that still fire are paged at once.")

        @Argument(help: "Window id, from `tocsin maintenance list`.")
        var id: Int64

        @OptionGroup var client: ClientOptions

        func run() async throws {
            let removed = try await client.client().delete("/api/v1/maintenance/\(id)", as: MaintenanceWindowResource.self)
            if client.json { return try Formatting.printJSON(removed) }
            print("Maintenance window #\(id) closed; what it held is paged now.")
        }
    }
}
