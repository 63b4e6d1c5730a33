import ArgumentParser
import TocsinCore

/// `--scopes`: what a new API token may do.
struct ScopeOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "What the token may do, comma-separated: ingest, read, respond (ack, resolve, overrides; includes read), admin (everything).",
            valueName: "scopes"))
    var scopes = TokenScope.format(TokenScope.defaults)

    var parsed: Set<TokenScope> { TokenScope.parse(scopes) ?? TokenScope.defaults }

    func validate() throws {
        guard TokenScope.parse(scopes) != nil else {
            throw ValidationError("--scopes must list ingest, read, respond or admin, comma-separated, got \"\(scopes)\"")
        }
    }
}
