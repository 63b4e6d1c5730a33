import ArgumentParser
import Foundation
import TocsinCore
import TocsinStore

/// `tocsin override`: someone stands in for a schedule for a while.
struct Override: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Add, list and remove on-call overrides (who stands in for a schedule, and when).",
        subcommands: [Add.self, List.self, Remove.self],
        defaultSubcommand: List.self)

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Put someone on call for a schedule from one time until another.",
            discussion: "TIME is now, an offset (+8h; a negative one as --from=-1h) or an RFC 3339 time. Overrides win over every layer; they are audited.")

        @Option(help: "The schedule.")
        var schedule: String

        @Option(help: "Who is on call instead.")
        var person: String

        @Option(help: ArgumentHelp("When the override starts.", valueName: "time"))
        var from: TimeArgument = TimeArgument(date: Date())

        @Option(help: ArgumentHelp("When it ends.", valueName: "time"))
        var until: TimeArgument

        @Option(help: "Why (kept with the override).")
        var note: String?

        @OptionGroup var client: ClientOptions

        func validate() throws {
            guard until.date > from.date else { throw ValidationError("--until must be after --from") }
        }

        func run() throws {
            struct Body: Encodable { var schedule, person, from, until: String; var note: String? }
            let api = try client.client()
            let stored = try api.decode(StoredOverride.self, from: try api.post(
                "/api/v1/overrides",
                json: Body(schedule: schedule, person: person, from: from.rfc3339, until: until.rfc3339, note: note)))
            if client.json { return try Formatting.printJSON(stored) }
            print("Override #\(stored.id ?? 0): \(stored.person) is on call for \(stored.schedule) from \(Formatting.time(stored.startsAt)) until \(Formatting.time(stored.endsAt)).")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List overrides that have not ended (--all: every one).")

        @Flag(help: "Include overrides that have ended.")
        var all = false

        @OptionGroup var client: ClientOptions

        func run() throws {
            struct Listing: Codable { var overrides: [StoredOverride] }
            let api = try client.client()
            let listing = try api.decode(Listing.self, from: try api.get("/api/v1/overrides" + (all ? "?all=true" : "")))
            if client.json { return try Formatting.printJSON(listing) }
            guard !listing.overrides.isEmpty else {
                print("No overrides.")
                return
            }
            var table = TextTable(header: ["ID", "SCHEDULE", "PERSON", "FROM", "UNTIL", "BY", "NOTE"])
            for entry in listing.overrides {
                table.rows.append([
                    "#\(entry.id ?? 0)", entry.schedule, entry.person, Formatting.time(entry.startsAt), Formatting.time(entry.endsAt),
                    entry.createdBy, entry.note ?? "",
                ])
            }
            print(table.render())
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove an override.")

        @Argument(help: "The override's id (see `tocsin override list`).")
        var id: Int64

        @OptionGroup var client: ClientOptions

        func run() throws {
            let api = try client.client()
            let removed = try api.decode(StoredOverride.self, from: try api.delete("/api/v1/overrides/\(id)"))
            if client.json { return try Formatting.printJSON(removed) }
            print("Removed override #\(id) (\(removed.person) on call for \(removed.schedule)).")
        }
    }
}
