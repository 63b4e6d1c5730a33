import ArgumentParser
import Foundation
import TocsinCore
import TocsinAPI
import TocsinClient

/// `tocsin override`: someone stands in for a schedule for a while.
struct Override: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Add, list and remove on-call overrides (who stands in for a schedule, and when).",
        subcommands: [Add.self, List.self, Remove.self],
        defaultSubcommand: List.self)

    struct Add: AsyncParsableCommand {
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

        func run() async throws {
            let api = try client.client()
            let stored = try await api.post(
                "/api/v1/overrides",
                body: OverrideCreateBody(schedule: schedule, person: person, from: from.rfc3339, until: until.rfc3339, note: note),
                as: OverrideResource.self)
            if client.json { return try Formatting.printJSON(stored) }
            print("Override #\(stored.id): \(stored.person) is on call for \(stored.schedule) from \(Formatting.time(stored.startsAt)) until \(Formatting.time(stored.endsAt)).")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List overrides that have not ended (--all: every one).")

        @Flag(help: "Include overrides that have ended.")
        var all = false

        @OptionGroup var client: ClientOptions

        func run() async throws {
            let api = try client.client()
            let listing = try await api.get("/api/v1/overrides" + (all ? "?all=true" : ""), as: OverrideListResource.self)
            if client.json { return try Formatting.printJSON(listing) }
            guard !listing.overrides.isEmpty else {
                print("No overrides.")
                return
            }
            var table = TextTable(header: ["ID", "SCHEDULE", "PERSON", "FROM", "UNTIL", "BY", "NOTE"])
            for entry in listing.overrides {
                table.rows.append([
                    "#\(entry.id)", entry.schedule, entry.person, Formatting.time(entry.startsAt), Formatting.time(entry.endsAt),
                    entry.createdBy, entry.note ?? "",
                ])
            }
            print(table.render())
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove an override.")

        @Argument(help: "The override's id (see `tocsin override list`).")
        var id: Int64

        @OptionGroup var client: ClientOptions

        func run() async throws {
            let api = try client.client()
            let removed = try await api.delete("/api/v1/overrides/\(id)", as: OverrideResource.self)
            if client.json { return try Formatting.printJSON(removed) }
            print("Removed override #\(id) (\(removed.person) on call for \(removed.schedule)).")
        }
    }
}
