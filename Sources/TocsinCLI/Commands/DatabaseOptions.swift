import ArgumentParser
import Foundation

/// `--db`: the SQLite file, shared by `serve` and the admin commands that run on the server host.
struct DatabaseOptions: ParsableArguments {
    @Option(
        name: .customLong("db"),
        help: ArgumentHelp(
            "SQLite database file (default: $TOCSIN_DB, else tocsin-data/tocsin.sqlite).", valueName: "path"))
    var explicitPath: String?

    var path: String {
        explicitPath ?? ProcessInfo.processInfo.environment["TOCSIN_DB"].flatMap { $0.isEmpty ? nil : $0 }
            ?? "tocsin-data/tocsin.sqlite"
    }
}
