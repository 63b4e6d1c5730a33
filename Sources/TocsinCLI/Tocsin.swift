import ArgumentParser
import TocsinClient

/// The `tocsin` command: the server and the tools on-call engineers and admins use.
@main
struct Tocsin: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tocsin",
        abstract: "Self-hosted alert routing and escalation for Prometheus Alertmanager.",
        discussion: """
            Start the server with `tocsin serve`, point Alertmanager's webhook at \
            http://HOST:9797/api/v1/ingest/alertmanager, create a user with `tocsin users add`, \
            then list and acknowledge incidents with `tocsin incidents` and `tocsin ack ID`.

            Client commands find the server from --server or TOCSIN_URL (default \
            http://127.0.0.1:9797) and the API token from --token or TOCSIN_TOKEN.
            """,
        version: TocsinVersion.current,
        subcommands: [
            Serve.self, Incidents.self, Show.self, Ack.self, Resolve.self, OnCall.self, Override.self, Deliveries.self, Policy.self,
            DrillCommand.self, Users.self, Audit.self, Links.self, Heartbeats.self, Integrations.self, Fire.self, Note.self, Escalate.self, Page.self, Reassign.self, Maintenance.self, Migrate.self,
        ]
    )

    /// Runs the chosen command; a ``CLIError`` becomes one line on stderr and its exit code.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let error as CLIError {
            error.exit()
        } catch let failure as TocsinClient.Failure {
            CLIError(failure).exit()
        } catch {
            exit(withError: error)
        }
    }
}

/// The version this binary reports (`tocsin --version`, `User-Agent`).
enum TocsinVersion {
    static let current = "0.1.0"
}
