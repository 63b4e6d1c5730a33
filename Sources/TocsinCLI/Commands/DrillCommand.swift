import ArgumentParser
import Foundation
import TocsinClient
import TocsinCore
import TocsinServer

/// `tocsin drill`: prove that the escalation chain works, with mock incidents.
struct DrillCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "drill",
        abstract: "Run mock-incident drills and report whether every expectation was met.",
        subcommands: [Run.self]
    )

    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run drill files on a virtual clock or live; exit 1 if any expectation is missed.",
            discussion: """
                --virtual (the default): each drill fires its alerts into the production engine (ingest, escalation, \
                delivery) running in-process on a virtual clock against a temporary database; deliveries are captured, \
                never sent. A 24-hour drill finishes in about a second.

                --live: each drill runs in real time against the Tocsin server at --server. Its alerts carry the label \
                tocsin_drill=<run id>; their pages go to a capture receiver this command starts on 127.0.0.1, never to \
                the people in the policies (unless --real-targets). Acks and resolves go through the API with --token. \
                Afterwards the drill's incidents are resolved and the run is finished. Both Tocsin and this command \
                must run on the same machine, since the receiver listens on loopback only.

                Drill files are described in drills/README.md.
                """)

        @Argument(help: "Drill files (YAML).")
        var files: [String]

        @Flag(help: "Run on a virtual clock (the default).")
        var virtual = false

        @Flag(help: "Run in real time against a running server (see --server).")
        var live = false

        @OptionGroup var policyDirectory: PolicyDirectoryOption
        var config: String { policyDirectory.path }

        /// Live: the server (`--server`), the token for registering the run, acks and resolves
        /// (`--token`); and `--json` for either mode.
        @OptionGroup var client: ClientOptions

        @Option(help: ArgumentHelp("Live: bearer token of the ingest endpoint, if the server requires one (default: $TOCSIN_INGEST_TOKEN).", valueName: "token"))
        var ingestToken: String?

        @Flag(help: "Live: page the policies' real people and channels instead of the capture receiver.")
        var realTargets = false

        @Option(help: ArgumentHelp("Live: shell command that a `restart: tocsin` action runs.", valueName: "command"))
        var restartCommand: String?

        @Option(help: ArgumentHelp("Write the reports as JSON to this file.", valueName: "file"))
        var report: String?

        func validate() throws {
            if virtual && live { throw ValidationError("choose one of --virtual and --live") }
            if !live && (client.server != nil || client.token != nil || realTargets || restartCommand != nil) {
                throw ValidationError("--server, --token, --real-targets and --restart-command need --live")
            }
        }

        func run() async throws {
            let drills = try files.map { file in
                do {
                    return (file, try DrillFile.load(file))
                } catch {
                    throw CLIError("\(error)")
                }
            }
            var reports: [DrillReport] = []
            if live {
                let runner = try liveRunner()
                for (_, drill) in drills {
                    do {
                        try runner.check(drill)
                    } catch {
                        throw CLIError(error.message, exitCode: .badRequest)
                    }
                }
                for (file, drill) in drills {
                    if !client.json { print("Drill: \(drill.name) (\(file)), live for \(PolicyDuration.format(drill.duration))…") }
                    let result: DrillReport
                    do {
                        result = try await runner.run(drill)
                    } catch {
                        throw error.server.map { CLIError(TocsinClient.Failure(kind: $0, message: error.message)) } ?? CLIError(error.message)
                    }
                    reports.append(result)
                    if !client.json { print(Self.text(result, file: file)) }
                }
            } else {
                let policies = try loadPolicies(config)
                for (file, drill) in drills {
                    let result = try await VirtualDrill(configuration: policies).run(drill)
                    reports.append(result)
                    if !client.json { print(Self.text(result, file: file)) }
                }
            }
            if client.json { try Formatting.printJSON(reports) }
            if let report {
                do {
                    try TocsinJSON.encoder(pretty: true).encode(reports).write(to: URL(fileURLWithPath: report))
                } catch {
                    throw CLIError("cannot write \(report): \(error.localizedDescription)")
                }
            }
            let failed = reports.filter { !$0.passed }.count
            if failed > 0 {
                throw CLIError("\(failed) of \(reports.count) drill\(reports.count == 1 ? "" : "s") missed an expectation")
            }
        }

        private func liveRunner() throws -> LiveDrill {
            let environment = ProcessInfo.processInfo.environment
            let api = try client.client()
            return LiveDrill(options: .init(
                serverURL: api.baseURL, token: api.token ?? "",
                ingestToken: ingestToken ?? environment["TOCSIN_INGEST_TOKEN"].flatMap { $0.isEmpty ? nil : $0 },
                realTargets: realTargets, restartCommand: restartCommand))
        }

        static func text(_ report: DrillReport, file: String) -> String {
            let mode = report.mode == "live" ? "live, run \(report.runID ?? "?")" : "virtual clock"
            var lines = ["Drill: \(report.drill) (\(file), \(mode))"]
            for start in report.policies {
                lines.append("  policy \(start.text)")
            }
            for result in report.results {
                lines.append("  \(result.met ? "met    " : "MISSED ") \(result.expected): \(result.actual)")
            }
            let missed = report.results.filter { !$0.met }.count
            lines.append(missed == 0 ? "  PASSED (\(report.results.count) of \(report.results.count) met)"
                : "  FAILED (\(missed) of \(report.results.count) missed)")
            return lines.joined(separator: "\n")
        }
    }
}
