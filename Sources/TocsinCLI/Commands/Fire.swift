import ArgumentParser
import Foundation
import TocsinAPI
import TocsinClient
import TocsinCore

/// `tocsin fire`: posts a generic event from the shell, for scripts and cron jobs.
struct Fire: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Fire (or resolve) an alert from a script: a generic event to POST /api/v1/ingest/generic.",
        discussion: """
            Authenticates with the key of a generic integration (tocsin integrations add NAME --source generic),
            from --integration-key or $TOCSIN_INTEGRATION_KEY. The alert is identified by --key: fire it
            again and it stays one alert; --resolve with the same key resolves it.

              tocsin fire --key backup-nightly --severity critical --summary "Nightly backup failed" --label host=db1
              tocsin fire --key backup-nightly --resolve
            """)

    @Option(help: "The alert's identity (e.g. backup-nightly): the same key is the same alert.")
    var key: String

    @Flag(help: "Resolve the alert instead of firing it.")
    var resolve = false

    @Option(help: "One line saying what is wrong (the page's title).")
    var summary: String?

    @Option(help: "critical, error, warning or info (routes usually page on critical).")
    var severity: String?

    @Option(name: .customLong("label"), help: ArgumentHelp("A label, e.g. host=db1 (repeat for more).", valueName: "name=value"))
    var labels: [String] = []

    @Option(name: .customLong("labels"), help: ArgumentHelp("Labels, comma-separated: host=db1,team=sre.", valueName: "list"))
    var labelList: String?

    @Option(name: .customLong("annotation"), help: ArgumentHelp("An annotation, e.g. runbook=https://… (repeat for more).", valueName: "name=value"))
    var annotations: [String] = []

    @Option(help: "Group alerts into one incident by this key (default: the alert's own key).")
    var group: String?

    @Option(help: ArgumentHelp("The integration's key (default: $TOCSIN_INTEGRATION_KEY).", valueName: "key"))
    var integrationKey: String?

    @Option(help: ArgumentHelp("Tocsin server URL (default: $TOCSIN_URL, else http://127.0.0.1:9797).", valueName: "url"))
    var server: String?

    @Flag(help: "Print JSON instead of text.")
    var json = false

    /// The wire body of `POST /api/v1/ingest/generic`.
    struct Event: Encodable, Sendable {
        var key: String
        var status: String
        var summary: String?
        var severity: String?
        var labels: [String: String]?
        var annotations: [String: String]?
        var group: String?
    }

    func validate() throws {
        guard !key.isEmpty else { throw ValidationError("--key must not be empty") }
        if let severity, !GenericEvent.severities.contains(severity.lowercased()) {
            throw ValidationError("--severity must be critical, error, warning or info, got \"\(severity)\"")
        }
        _ = try Self.pairs(allLabels, option: "--label")
        _ = try Self.pairs(annotations, option: "--annotation")
    }

    /// `--label` pairs and the pairs of `--labels`.
    var allLabels: [String] {
        labels + (labelList.map { $0.split(separator: ",").map(String.init) } ?? [])
    }

    static func pairs(_ values: [String], option: String) throws -> [String: String]? {
        guard !values.isEmpty else { return nil }
        var parsed: [String: String] = [:]
        for value in values {
            guard let equals = value.firstIndex(of: "="), equals != value.startIndex else {
                throw ValidationError("\(option) must be name=value, got \"\(value)\"")
            }
            parsed[String(value[..<equals])] = String(value[value.index(after: equals)...])
        }
        return parsed
    }

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        guard let key = integrationKey ?? environment["TOCSIN_INTEGRATION_KEY"], !key.isEmpty else {
            throw CLIError(
                "no integration key: pass --integration-key or set TOCSIN_INTEGRATION_KEY "
                    + "(create one with `tocsin integrations add NAME --source generic`)",
                exitCode: .unauthorized)
        }
        let client = try ClientOptions.resolve(server: server, token: key)
        let event = Event(
            key: self.key, status: resolve ? "resolved" : "firing", summary: summary, severity: severity?.lowercased(),
            labels: try Self.pairs(allLabels, option: "--label"), annotations: try Self.pairs(annotations, option: "--annotation"),
            group: group)
        let result = try await client.post("/api/v1/ingest/generic", body: event, as: IngestResultResource.self)
        if json {
            try Formatting.printJSON(result)
            return
        }
        let incident = result.incidentIDs.first.map { "incident #\($0)" + (result.state.map { " (\($0.rawValue))" } ?? "") }
        print("\(resolve ? "Resolved" : "Fired") \(self.key)" + (incident.map { ": \($0)" } ?? ": no open incident to resolve"))
    }
}
