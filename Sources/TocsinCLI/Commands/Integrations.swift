import ArgumentParser
import Foundation
import TocsinCore
import TocsinServer
import TocsinStore

/// `tocsin integrations`: the keys of senders other than Alertmanager (PagerDuty Events v2
/// clients, scripts posting generic events, CloudWatch through SNS). Runs on the server host.
struct Integrations: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Manage integration keys for PagerDuty Events v2, generic JSON and CloudWatch (on the server host).",
        discussion: """
            An integration's key authenticates its events: PagerDuty clients send it as routing_key to
            POST /v2/enqueue; generic events send it as Authorization: Bearer KEY to
            POST /api/v1/ingest/generic; an SNS subscription's URL ends in it:
            POST /api/v1/ingest/cloudwatch/KEY. Only a hash is stored; adding and revoking are audited.
            """,
        subcommands: [Add.self, List.self, Revoke.self],
        defaultSubcommand: List.self)

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add an integration and print its key (shown once).")

        @Argument(help: "Integration name: letters, digits, '.', '_' or '-' (incidents show it as their receiver).")
        var name: String

        @Option(help: "What it sends: pagerduty, generic or cloudwatch.")
        var source: Integration.Source

        @Option(name: .customLong("label"), help: ArgumentHelp(
            "A label added to every alert it sends, e.g. service=billing (repeat for more).", valueName: "name=value"))
        var labels: [String] = []

        @Option(help: ArgumentHelp(
            "CloudWatch only: what an alarm entering INSUFFICIENT_DATA does: fire, resolve or ignore (the default).",
            valueName: "action"))
        var insufficientData: CloudWatchAlarm.InsufficientData?

        @Option(help: ArgumentHelp(
            "CloudWatch only: the SNS topic it takes messages from (arn:aws:sns:REGION:ACCOUNT:NAME). Without it, the first "
                + "topic that sends a correctly signed message is the only one taken from then on.",
            valueName: "arn"))
        var topicArn: String?

        @OptionGroup var database: ExistingDatabaseOptions

        func validate() throws {
            if insufficientData != nil || topicArn != nil, source != .cloudwatch {
                throw ValidationError("--insufficient-data and --topic-arn apply to --source cloudwatch only")
            }
            if let topicArn, !topicArn.hasPrefix("arn:aws") || topicArn.split(separator: ":").count != 6 {
                throw ValidationError("--topic-arn must look like arn:aws:sns:us-east-1:123456789012:alarms, got \"\(topicArn)\"")
            }
            guard Integration.isValidName(name) else {
                throw ValidationError("integration name must be 1-128 letters, digits, '.', '_' or '-', got \"\(name)\"")
            }
            if let problem = Integration.problem(withLabels: try parsedLabels()) {
                throw ValidationError("--label: \(problem)")
            }
        }

        func parsedLabels() throws -> [String: String] {
            var parsed: [String: String] = [:]
            for label in labels {
                guard let equals = label.firstIndex(of: "="), equals != label.startIndex else {
                    throw ValidationError("--label must be name=value, got \"\(label)\"")
                }
                let name = String(label[..<equals])
                guard parsed[name] == nil else { throw ValidationError("--label \(name) is given twice") }
                parsed[name] = String(label[label.index(after: equals)...])
            }
            return parsed
        }

        func run() async throws {
            let store = try await database.open()
            let key = IntegrationKey.generate()
            let integration: Integration
            do {
                integration = try await store.addIntegration(
                    name: name, source: source, labels: try parsedLabels(), insufficientData: insufficientData,
                    topicArn: topicArn, keyHash: APIToken.hash(key), now: Date())
            } catch let error as StoreError {
                throw CLIError(error.description, exitCode: error.isConflict ? .conflict : .failure)
            }
            print("Added integration \(integration.name) (\(integration.source.rawValue)). Its key (shown once, keep it secret):")
            print(key)
            switch integration.source {
            case .pagerduty: print("Send it as routing_key to POST /v2/enqueue (or /api/v1/ingest/pagerduty).")
            case .generic: print("Send it as Authorization: Bearer KEY to POST /api/v1/ingest/generic (or use tocsin fire).")
            case .cloudwatch: print("Subscribe https://YOUR-TOCSIN/api/v1/ingest/cloudwatch/KEY to the SNS topic (protocol HTTPS).")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List integrations (their keys are not stored).")

        @OptionGroup var database: ExistingDatabaseOptions

        @Flag(help: "Print JSON instead of text.")
        var json = false

        func run() async throws {
            let store = try await database.open()
            let integrations: [Integration]
            do {
                integrations = try await store.integrations()
            } catch {
                throw CLIError(error.description)
            }
            if json {
                try Formatting.printJSON(integrations)
            } else if integrations.isEmpty {
                print("No integrations. Add one with: tocsin integrations add NAME --source pagerduty|generic|cloudwatch")
            } else {
                var table = TextTable(header: ["NAME", "SOURCE", "LABELS", "CREATED", "REVOKED"])
                table.rows = integrations.map {
                    [$0.name, $0.source.rawValue, Formatting.labels($0.labels), Formatting.time($0.createdAt),
                     $0.revokedAt.map(Formatting.time) ?? ""]
                }
                print(table.render())
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke an integration's key (refused at once; audited).")

        @Argument(help: "Integration name.")
        var name: String

        @OptionGroup var database: ExistingDatabaseOptions

        func run() async throws {
            let store = try await database.open()
            do {
                _ = try await store.revokeIntegration(name: name, now: Date())
                print("Revoked the key of integration \(name).")
            } catch {
                throw CLIError(error.description, exitCode: .notFound)
            }
        }
    }
}

extension Integration.Source: ExpressibleByArgument {}
extension CloudWatchAlarm.InsufficientData: ExpressibleByArgument {}
