import ArgumentParser
import Foundation
import TocsinCore
import TocsinAPI
import TocsinClient

/// `tocsin deliveries`: the notifications queue — what is waiting, retrying, or dead.
struct Deliveries: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List notification deliveries, or re-queue a dead one.",
        subcommands: [List.self, Retry.self],
        defaultSubcommand: List.self
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List deliveries, newest first.")

        @Option(help: "Only these states, comma-separated: pending, sending, sent, retry, dead, cancelled.")
        var state: String?

        @Option(help: "Show at most this many.")
        var limit = 100

        @OptionGroup var client: ClientOptions

        func validate() throws {
            guard (1...1000).contains(limit) else { throw ValidationError("--limit must be between 1 and 1000") }
            for raw in (state ?? "").split(separator: ",") where OutboxEntry.State(rawValue: String(raw)) == nil {
                throw ValidationError("unknown state \"\(raw)\"; use pending, sending, sent, retry, dead or cancelled")
            }
        }

        func run() async throws {
            let api = try client.client()
            let query = "/api/v1/deliveries?limit=\(limit)" + (state.map { "&state=\($0)" } ?? "")
            let listing = try await api.get(query, as: DeliveryListResource.self)
            if client.json {
                try Formatting.printJSON(listing)
                return
            }
            guard !listing.deliveries.isEmpty else {
                print("No deliveries\(state.map { " in state \($0)" } ?? "").")
                return
            }
            var table = TextTable(header: ["ID", "INCIDENT", "STATE", "EVENT", "TO", "VIA", "ATTEMPTS", "LAST ERROR"])
            for entry in listing.deliveries {
                table.rows.append([
                    "\(entry.id)", "#\(entry.incidentID)", entry.state.rawValue, entry.event.rawValue, entry.target,
                    "\(entry.medium) \(entry.address)", "\(entry.attempts)", entry.lastError ?? "",
                ])
            }
            print(table.render())
        }
    }

    struct Retry: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Re-queue a dead delivery (same idempotency key).")

        @Argument(help: "Delivery id (from `tocsin deliveries --state dead`).")
        var id: Int64

        @OptionGroup var client: ClientOptions

        func run() async throws {
            let api = try client.client()
            let entry = try await api.post("/api/v1/deliveries/\(id)/retry", body: [String: String](), as: DeliveryResource.self)
            if client.json {
                try Formatting.printJSON(entry)
            } else {
                print("Delivery \(id) re-queued: \(entry.event.rawValue) to \(entry.target) by \(entry.medium) \(entry.address)")
            }
        }
    }
}
