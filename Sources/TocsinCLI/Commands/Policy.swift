import ArgumentParser
import Foundation
import TocsinCore
import TocsinServer
import TocsinStore

/// `tocsin policy`: review escalation policies before anyone is woken by them.
struct Policy: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check and simulate escalation policies.",
        subcommands: [Check.self, Simulate.self]
    )

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check the policy directory; exit 1 with one line per problem.",
            discussion: """
                Reports YAML errors with file, line and column; unknown people, channels, policies and schedules; \
                bad durations, matchers and schedules; steps that reach nobody; routes shadowed by an earlier route. \
                Steps that page on-call schedules are proven reachable at every instant of the next --days days \
                (default 30): each stretch where a step reaches nobody is reported with its times (UTC).
                """)

        @OptionGroup var policyDirectory: PolicyDirectoryOption

        /// The directory as a positional argument, as earlier versions took it (deprecated).
        @Argument(help: ArgumentHelp("Deprecated: use --config DIR.", visibility: .hidden))
        var positionalDirectory: String?

        @Option(help: "How many days ahead on-call reachability is proven.")
        var days = 30

        var directory: String { positionalDirectory ?? policyDirectory.path }

        func validate() throws {
            guard (1...366).contains(days) else { throw ValidationError("--days must be between 1 and 366") }
        }

        func run() throws {
            if let positionalDirectory {
                var standardError = StandardError()
                print(
                    "tocsin: note: `tocsin policy check DIR` is deprecated; use `tocsin policy check --config \(positionalDirectory)`",
                    to: &standardError)
            }
            let loaded = PolicyDirectory.read(directory)
            let problems = loaded.problems.isEmpty
                ? loaded.configuration.reachabilityProblems(from: Date(), days: days) : loaded.problems
            for problem in problems {
                print("\(directory)/\(problem)")
            }
            guard problems.isEmpty else {
                throw CLIError("\(problems.count) problem\(problems.count == 1 ? "" : "s") in \(directory)")
            }
            let configuration = loaded.configuration
            print(
                "OK: \(directory): \(configuration.people.count) people, \(configuration.channels.count) channels, "
                    + "\(configuration.routes.count) routes, \(configuration.policies.count) policies, "
                    + "\(configuration.schedules.count) schedules (\(loaded.files.joined(separator: ", ")))")
        }
    }

    struct Simulate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show who is paged when, for an alert, by running the real engine on a virtual clock.",
            discussion: """
                Example: tocsin policy simulate --labels alertname=DiskFull,severity=critical --ack-at 7m --ack-by bob
                """)

        @OptionGroup var policyDirectory: PolicyDirectoryOption
        var config: String { policyDirectory.path }

        @Option(help: ArgumentHelp(
            "An alert's labels, e.g. alertname=DiskFull,severity=critical. Repeat it to fire several alerts as one group: each is routed by its own labels.",
            valueName: "k=v,…"))
        var labels: [String] = []

        @Option(help: ArgumentHelp("An Alertmanager webhook payload (JSON) to fire instead of --labels.", valueName: "file"))
        var payload: String?

        @Option(help: ArgumentHelp("Acknowledge this long after the alert fires, e.g. 7m.", valueName: "duration"))
        var ackAt: String?

        @Option(help: "Who acknowledges.")
        var ackBy = "responder"

        @Option(help: ArgumentHelp("Resolve this long after the alert fires.", valueName: "duration"))
        var resolveAt: String?

        @Option(help: ArgumentHelp("Escalate by hand this long after the alert fires (the next step runs then).", valueName: "duration"))
        var escalateAt: String?

        @Option(name: .customLong("maintenance"), help: ArgumentHelp(
            "A maintenance window open when the alerts fire, e.g. 'cluster=\"eu1\"' (repeat: all must match).", valueName: "matcher"))
        var maintenanceMatchers: [String] = []

        @Option(help: ArgumentHelp("When that window closes, after the alerts fire.", valueName: "duration"))
        var maintenanceUntil = "1h"

        @Option(help: ArgumentHelp("Stop simulating after this long.", valueName: "duration"))
        var until = "48h"

        @Option(help: ArgumentHelp(
            "When the alerts fire: now (the default), +8h, or an RFC 3339 time. On-call targets resolve as of then.",
            valueName: "time"))
        var at: TimeArgument?

        @Flag(help: "Print JSON instead of text.")
        var json = false

        func validate() throws {
            guard labels.isEmpty != (payload == nil) else {
                throw ValidationError("give either --labels or --payload")
            }
            for (name, value) in [
                ("--ack-at", ackAt), ("--resolve-at", resolveAt), ("--escalate-at", escalateAt), ("--until", until),
                ("--maintenance-until", maintenanceUntil),
            ] {
                if let value, PolicyDuration.parse(value) == nil {
                    throw ValidationError("\(name) must be a duration such as 30s, 5m or 24h, got \"\(value)\"")
                }
            }
        }

        func run() async throws {
            let policies = try loadPolicies(config)
            // Whole seconds, so offsets print exactly (the database keeps milliseconds).
            let start = Date(timeIntervalSince1970: (at?.date ?? Date()).timeIntervalSince1970.rounded(.down))
            let batch = try makeBatch(start: start)
            var actions: [PolicySimulation.ScheduledAction] = []
            if let ackAt = ackAt.flatMap(PolicyDuration.parse) {
                actions.append(.init(after: ackAt, action: .acknowledge(by: ackBy)))
            }
            if let resolveAt = resolveAt.flatMap(PolicyDuration.parse) {
                actions.append(.init(after: resolveAt, action: .resolve(by: ackBy)))
            }
            if let escalateAt = escalateAt.flatMap(PolicyDuration.parse) {
                actions.append(.init(after: escalateAt, action: .escalate(by: ackBy)))
            }
            var window: (matchers: [Matcher], until: TimeInterval)?
            if !maintenanceMatchers.isEmpty {
                do {
                    window = (try maintenanceMatchers.map { try Matcher(parsing: $0) }, PolicyDuration.parse(maintenanceUntil) ?? 3600)
                } catch {
                    throw ValidationError("--maintenance: \(error)")
                }
            }
            let simulation = PolicySimulation(
                configuration: policies, actions: actions, until: PolicyDuration.parse(until) ?? 172_800, maintenance: window)
            let result = try await simulation.run(batch, start: start)
            if json {
                try Formatting.printJSON(SimulationReport(result))
            } else {
                print(SimulationReport(result).text)
            }
        }

        private func makeBatch(start: Date) throws -> AlertBatch {
            if let payload {
                let body: Data
                do {
                    body = try Data(contentsOf: URL(fileURLWithPath: payload))
                } catch {
                    throw CLIError("cannot read \(payload): \(error.localizedDescription)")
                }
                do {
                    return try AlertmanagerWebhook.decode(Array(body), receivedAt: start)
                } catch {
                    throw CLIError("\(payload): \(error)")
                }
            }
            let alerts = try labels.map { Alert(status: .firing, labels: try Self.parseLabels($0), startsAt: start) }
            // The group's common labels, as Alertmanager would send them; routing ignores them.
            let common = AlertBatch.commonLabels(of: alerts.map(\.labels))
            return AlertBatch(
                receiver: "simulation", groupKey: "simulation", status: .firing, groupLabels: common, commonLabels: common,
                alerts: alerts)
        }

        private static func parseLabels(_ text: String) throws -> [String: String] {
            var parsed: [String: String] = [:]
            for pair in text.split(separator: ",") {
                let parts = pair.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                guard parts.count == 2, LabelRules.isValidName(parts[0]) else {
                    throw ValidationError("--labels takes name=value pairs separated by commas, got \"\(pair)\"")
                }
                parsed[parts[0]] = parts[1]
            }
            return parsed
        }
    }
}

/// Reads and checks a policy directory, turning its problems into one CLI error.
func loadPolicies(_ directory: String) throws -> TocsinConfiguration {
    do {
        return try PolicyDirectory.load(directory)
    } catch {
        throw CLIError("\(error)")
    }
}

/// The simulation's outcome as people and scripts read it.
struct SimulationReport: Encodable {
    struct Line: Encodable {
        var offset: String
        var offsetSeconds: Double
        var kind: String
        var text: String

        enum CodingKeys: String, CodingKey {
            case offset, kind, text
            case offsetSeconds = "offset_seconds"
        }
    }

    /// A policy the alerts routed to, and the alert that started it.
    struct Started: Encodable {
        var policy: String
        var startedBy: String?

        enum CodingKeys: String, CodingKey {
            case policy
            case startedBy = "started_by"
        }
    }

    var policies: [String]
    var started: [Started]
    var timeline: [Line]
    var notifications: [OutboxEntry]
    /// When the simulated alerts fired (offsets count from it).
    var start: Date

    init(_ result: PolicySimulation.Result) {
        start = result.start
        started = result.policies.map { Started(policy: $0.policy, startedBy: $0.startedBy) }
        policies = started.map(\.policy)
        timeline = (result.detail?.timeline ?? []).map { event in
            let offset = event.at.timeIntervalSince(result.start)
            let text: String =
                switch event.kind {
                case .acknowledged: "acknowledged by \(event.actor) — escalation stopped"
                case .resolved: "resolved by \(event.actor)" + (event.note.map { " (\($0))" } ?? "")
                default: event.note ?? event.kind.rawValue
                }
            return Line(offset: "+" + PolicyDuration.format(offset), offsetSeconds: offset, kind: event.kind.rawValue, text: text)
        }
        // What was queued, not the rendered bodies (the simulation's own links and headers).
        notifications = (result.detail?.notifications ?? []).map { entry in
            var shown = entry
            shown.rendered = nil
            return shown
        }
    }

    var text: String {
        guard !timeline.isEmpty else { return "The alert opened no incident." }
        let named = started.map { $0.policy + ($0.startedBy.map { " (started by \($0))" } ?? "") }
        var lines = ["Policies: \(named.isEmpty ? "none matched: nobody would be notified" : named.joined(separator: ", "))"]
        let width = (timeline.map(\.offset.count).max() ?? 0) + 2
        lines += timeline.map { $0.offset.padding(toLength: width, withPad: " ", startingAt: 0) + $0.text }
        let sent = notifications.filter { $0.state == .sent }
        lines.append("\(notifications.count) notification\(notifications.count == 1 ? "" : "s")"
            + (notifications.count > sent.count ? ", \(notifications.count - sent.count) not sent" : "") + ":")
        // Each notification at its due time: a person's later rules (a text at +2m) show when they go out.
        let rows = notifications.sorted { $0.dueAt < $1.dueAt }.map { entry in
            let offset = "+" + PolicyDuration.format(entry.dueAt.timeIntervalSince(start))
            return (offset, "\(entry.event.rawValue) by \(entry.medium) to \(entry.target) — \(entry.state.rawValue)")
        }
        let rowWidth = (rows.map(\.0.count).max() ?? 0) + 2
        lines += rows.map { "  " + $0.0.padding(toLength: rowWidth, withPad: " ", startingAt: 0) + $0.1 }
        return lines.joined(separator: "\n")
    }
}
