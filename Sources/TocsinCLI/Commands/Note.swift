import ArgumentParser
import Foundation
import TocsinAPI
import TocsinClient

/// `tocsin note 42 "rolled back deploy 3f2a"`: a line on the incident's timeline.
struct Note: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a note on an incident's timeline (shown by `tocsin show`; audited).",
        discussion: "With --notify, everyone already paged about the incident is sent the note too.")

    @Argument(help: "Incident id, e.g. 42 or #42.")
    var id: IncidentID

    @Argument(help: "The note (1 to 4096 characters).")
    var text: String

    @Flag(help: "Send the note to everyone already paged about the incident.")
    var notify = false

    @OptionGroup var client: ClientOptions

    func validate() throws {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty, trimmed.count <= 4096 else { throw ValidationError("the note must be 1 to 4096 characters") }
    }

    func run() async throws {
        let result = try await client.client().post(
            "/api/v1/incidents/\(id.value)/notes", body: NoteCreateBody(note: text, notify: notify, channel: "cli"),
            as: NoteResultResource.self)
        if client.json {
            try Formatting.printJSON(result)
        } else {
            let sent = notify ? " and sent to \(result.notified) contact\(result.notified == 1 ? "" : "s") already paged" : ""
            print("Note added to incident #\(id.value)\(sent).")
        }
    }
}

/// `tocsin escalate 42 [--to-step N]`: the next step (or step N) runs now.
struct Escalate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Escalate an incident now: its policy's next step (or --to-step N) runs at once (audited).",
        discussion: """
            Later steps keep their spacing from now. Whoever a step already notified is not paged again for it.
            An acknowledged incident is triggered again first. A resolved incident, or one whose policy has run
            all its steps, is refused (exit 6): choose a step with --to-step.
            """)

    @Argument(help: "Incident id, e.g. 42 or #42.")
    var id: IncidentID

    @Option(help: "Run this step of the policy (1-based) instead of the next.")
    var toStep: Int?

    @Option(help: "A note for the timeline.")
    var note: String?

    @OptionGroup var client: ClientOptions

    func validate() throws {
        if let toStep, toStep < 1 { throw ValidationError("--to-step must be 1 or more") }
    }

    func run() async throws {
        let result = try await client.client().post(
            "/api/v1/incidents/\(id.value)/escalate", body: EscalateBody(toStep: toStep, note: note, channel: "cli"),
            as: IncidentCommandResultResource.self)
        if client.json {
            try Formatting.printJSON(result)
        } else {
            let which = toStep.map { "step \($0)" } ?? "the next step"
            print("Incident #\(id.value) escalated: \(which) ran now (\(result.incident.state.rawValue)).")
        }
    }
}
