import ArgumentParser
import Foundation
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
            abstract: "Run drill files on a virtual clock; exit 1 if any expectation is missed.",
            discussion: """
                Each drill fires its alerts into the production engine (ingest, escalation, delivery) running \
                in-process on a virtual clock against a temporary database; deliveries are captured, never sent. \
                A 24-hour drill finishes in about a second. Drill files are described in drills/README.md.
                """)

        @Argument(help: "Drill files (YAML).")
        var files: [String]

        @Flag(help: "Run on a virtual clock (the mode of this version).")
        var virtual = false

        @Option(help: ArgumentHelp("The policy directory the drills run against.", valueName: "dir"))
        var config = "escalation-policies"

        @Option(help: ArgumentHelp("Write the reports as JSON to this file.", valueName: "file"))
        var report: String?

        @Flag(help: "Print the reports as JSON instead of text.")
        var json = false

        func run() async throws {
            let policies = try loadPolicies(config)
            var reports: [VirtualDrill.Report] = []
            for file in files {
                let drill: Drill
                do {
                    drill = try DrillFile.load(file)
                } catch {
                    throw CLIError("\(error)")
                }
                let result = try await VirtualDrill(configuration: policies).run(drill)
                reports.append(result)
                if !json { print(Self.text(result, file: file)) }
            }
            if json { try Formatting.printJSON(reports) }
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

        static func text(_ report: VirtualDrill.Report, file: String) -> String {
            var lines = ["Drill: \(report.drill) (\(file), virtual clock)"]
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
