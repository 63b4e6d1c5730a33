import ArgumentParser
import Foundation
import TocsinCore
import TocsinStore

/// `tocsin ack ID`: take an incident; escalation stops.
struct Ack: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Acknowledge an incident: you are on it, escalation stops.",
        discussion: "Acknowledging twice is harmless. A resolved incident cannot be acknowledged (exit 6)."
    )

    @Argument(help: "Incident id, e.g. 42 or #42.")
    var id: IncidentID

    @Option(help: "A note for the timeline.")
    var note: String?

    @OptionGroup var client: ClientOptions

    func run() throws {
        try IncidentCommand.send(action: "ack", verb: "acknowledged", id: id, note: note, client: client)
    }
}

/// `tocsin resolve ID`: close an incident by hand.
struct Resolve: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Resolve an incident by hand.",
        discussion: "Resolving twice is harmless. If its alerts still fire, the next delivery opens a new incident."
    )

    @Argument(help: "Incident id, e.g. 42 or #42.")
    var id: IncidentID

    @Option(help: "A note for the timeline.")
    var note: String?

    @OptionGroup var client: ClientOptions

    func run() throws {
        try IncidentCommand.send(action: "resolve", verb: "resolved", id: id, note: note, client: client)
    }
}

/// What `ack` and `resolve` share: the request and its one-line report.
enum IncidentCommand {
    struct Body: Encodable {
        var note: String?
        var channel = "cli"
    }

    static func send(action: String, verb: String, id: IncidentID, note: String?, client: ClientOptions) throws {
        let api = try client.client()
        let answer = try api.post("/api/v1/incidents/\(id.value)/\(action)", json: Body(note: note))
        let result = try api.decode(IncidentCommandResult.self, from: answer)
        if client.json {
            try Formatting.printJSON(result)
        } else if result.changed {
            print("Incident #\(id.value) \(verb): \(Formatting.terminalSafe(result.incident.title))")
        } else {
            print("Incident #\(id.value) was already \(result.incident.state.rawValue); nothing changed.")
        }
    }
}
