import ArgumentParser
import Foundation
import TocsinClient

/// `--server` and `--token`, shared by every command that talks to a running server.
struct ClientOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Tocsin server URL (default: $TOCSIN_URL, else http://127.0.0.1:9797).", valueName: "url"))
    var server: String?

    @Option(help: ArgumentHelp("API token (default: $TOCSIN_TOKEN).", valueName: "token"))
    var token: String?

    /// Prints machine-readable JSON instead of text.
    @Flag(help: "Print JSON instead of text.")
    var json = false

    func client() throws -> TocsinClient {
        try Self.resolve(server: server, token: token)
    }

    /// The client for `server` and `token`, falling back to $TOCSIN_URL and $TOCSIN_TOKEN.
    static func resolve(server: String?, token: String?) throws -> TocsinClient {
        let environment = ProcessInfo.processInfo.environment
        let url = server ?? environment["TOCSIN_URL"].flatMap { $0.isEmpty ? nil : $0 } ?? "http://127.0.0.1:9797"
        guard url.hasPrefix("http://") || url.hasPrefix("https://") else {
            throw ValidationError("--server must be an http:// or https:// URL, got \"\(url)\"")
        }
        guard let token = token ?? environment["TOCSIN_TOKEN"], !token.isEmpty else {
            throw CLIError("no API token: pass --token or set TOCSIN_TOKEN (create one with `tocsin users add`)",
                           exitCode: .unauthorized)
        }
        return TocsinClient(baseURL: url, token: token, userAgent: "tocsin-cli/\(TocsinVersion.current)")
    }
}
