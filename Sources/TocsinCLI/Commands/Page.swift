import ArgumentParser
import Foundation
import TocsinAPI
import TocsinClient

/// `tocsin page`: page someone by hand, about a new incident or an open one.
struct Page: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Page someone now: open an incident by hand, or add a responder to an open one (audited).",
        discussion: """
              tocsin page --person bob --summary "Payments are failing" [--severity critical] [--details "…"]
              tocsin page --schedule primary --policy critical-immediate --summary "…"
              tocsin page 42 --person bob          # bob is paged about incident 42 now

            A new incident's source is manual. With only --person or --schedule, they are paged at once and the
            incident escalates no further; --policy also escalates it through that policy from step 1.
            """)

    @Argument(help: "An open incident to page someone about (leave out to open a new one).")
    var id: IncidentID?

    @Option(help: "Page this person (from the policy directory).")
    var person: String?

    @Option(help: "Page whoever is on call for this schedule.")
    var schedule: String?

    @Option(help: "Escalate through this policy from its first step.")
    var policy: String?

    @Option(help: "What is wrong: the new incident's title.")
    var summary: String?

    @Option(help: "critical (the default), error, warning or info.")
    var severity: String?

    @Option(help: "More words for the page.")
    var details: String?

    @OptionGroup var client: ClientOptions

    func validate() throws {
        guard person != nil || schedule != nil || policy != nil else {
            throw ValidationError("name someone to page: --person, --schedule or --policy")
        }
        if id == nil, (summary ?? "").trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            throw ValidationError("--summary is required to open a new incident")
        }
    }

    func run() async throws {
        let body = ManualPageBody(
            summary: summary, severity: severity, details: details, person: person, schedule: schedule, policy: policy, channel: "cli")
        let path = id.map { "/api/v1/incidents/\($0.value)/page" } ?? "/api/v1/incidents"
        let result = try await client.client().post(path, body: body, as: IncidentCommandResultResource.self)
        if client.json {
            try Formatting.printJSON(result)
        } else if let id {
            print("Paged about incident #\(id.value): \(Formatting.terminalSafe(result.incident.title))")
        } else {
            print("Incident #\(result.incident.id) opened by hand and paged: \(Formatting.terminalSafe(result.incident.title))")
        }
    }
}

/// `tocsin reassign 42 --policy NAME | --person P`.
struct Reassign: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Reassign an incident: stop its escalations, start a policy from step 1 or page a person as the only target.")

    @Argument(help: "Incident id, e.g. 42 or #42.")
    var id: IncidentID

    @Option(help: "Escalate through this policy from step 1 (a new snapshot).")
    var policy: String?

    @Option(help: "Page this person, the only target from now on.")
    var person: String?

    @OptionGroup var client: ClientOptions

    func validate() throws {
        guard (policy == nil) != (person == nil) else { throw ValidationError("give exactly one of --policy or --person") }
    }

    func run() async throws {
        let result = try await client.client().post(
            "/api/v1/incidents/\(id.value)/reassign", body: ManualPageBody(person: person, policy: policy, channel: "cli"),
            as: IncidentCommandResultResource.self)
        if client.json {
            try Formatting.printJSON(result)
        } else {
            print("Incident #\(id.value) reassigned to \(policy.map { "policy \($0)" } ?? "person \(person ?? "")").")
        }
    }
}
