import ArgumentParser
import Foundation
import TocsinStore

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

/// `--db` for the admin commands (`users`, `audit`), which work on the server's existing database
/// and create one only when told: a mistyped or missing `--db` must not quietly make a second,
/// empty database whose tokens the running server rejects.
struct ExistingDatabaseOptions: ParsableArguments {
    @OptionGroup var database: DatabaseOptions

    @Flag(help: "Create the database file if it does not exist yet (before the first `tocsin serve`).")
    var create = false

    /// Opens the database, refusing to create it unless `--create` was given.
    func open() throws -> TocsinStore {
        let path = database.path
        if !create, !FileManager.default.fileExists(atPath: path) {
            let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
            throw CLIError(
                "no database at \(absolute): pass the server's database with --db PATH (or TOCSIN_DB), "
                    + "or add --create to start a new one")
        }
        do {
            return try TocsinStore(path: path)
        } catch {
            throw CLIError(error.description)
        }
    }
}
