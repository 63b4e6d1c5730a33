import ArgumentParser
import Foundation
import TocsinAPI
import TocsinClient
import TocsinCore
import TocsinDelivery

/// `tocsin ack ID`: take an incident; escalation stops.
typealias Ack = IncidentCommand<Acknowledging>
/// `tocsin resolve ID`: close an incident by hand.
typealias Resolve = IncidentCommand<Resolving>

/// What a person does to an incident from the command line: its name, help and report.
protocol IncidentCommandKind {
    /// `ack`, `resolve`: the command and the API's path.
    static var action: LinkAction { get }
    static var abstract: String { get }
    static var discussion: String { get }
}

/// The `ack` command's words.
enum Acknowledging: IncidentCommandKind {
    static let action = LinkAction.ack
    static let abstract = "Acknowledge an incident: you are on it, escalation stops."
    static let discussion = "Acknowledging twice is harmless. A resolved incident cannot be acknowledged (exit 6)."
}

/// The `resolve` command's words.
enum Resolving: IncidentCommandKind {
    static let action = LinkAction.resolve
    static let abstract = "Resolve an incident by hand."
    static let discussion = "Resolving twice is harmless. If its alerts still fire, the next delivery opens a new incident."
}

/// `ack` and `resolve`: one implementation, the request and its one-line report.
struct IncidentCommand<Kind: IncidentCommandKind>: AsyncParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: Kind.action.rawValue, abstract: Kind.abstract, discussion: Kind.discussion)
    }

    @Argument(help: "Incident id, e.g. 42 or #42.")
    var id: IncidentID

    @Option(help: "A note for the timeline.")
    var note: String?

    @OptionGroup var client: ClientOptions

    func run() async throws {
        let api = try client.client()
        let result = try await api.post(
            "/api/v1/incidents/\(id.value)/\(Kind.action.rawValue)", body: IncidentCommandBody(note: note, channel: "cli"),
            as: IncidentCommandResultResource.self)
        if client.json {
            try Formatting.printJSON(result)
        } else if result.changed {
            print("Incident #\(id.value) \(Kind.action.pastTense): \(Formatting.terminalSafe(result.incident.title))")
        } else {
            print("Incident #\(id.value) was already \(result.incident.state.rawValue); nothing changed.")
        }
    }
}
