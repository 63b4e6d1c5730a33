import ArgumentParser
import Foundation
import TocsinStore

/// `--db`: where the state lives, shared by `serve` and the admin commands that run on the server
/// host. A path or `sqlite:PATH` is a SQLite file; a `postgres://` URL names PostgreSQL, which
/// this version reads (``StoreLocation``) but does not serve from yet.
struct DatabaseOptions: ParsableArguments {
    @Option(
        name: .customLong("db"),
        help: ArgumentHelp(
            "SQLite database file, or sqlite:PATH (default: $TOCSIN_DB, else tocsin-data/tocsin.sqlite).", valueName: "path"))
    var explicitPath: String?

    /// The value as given: `--db`, else `TOCSIN_DB`, else the default file.
    private var value: (text: String, origin: String) {
        if let explicitPath { return (explicitPath, "--db") }
        if let fromEnvironment = ProcessInfo.processInfo.environment["TOCSIN_DB"], !fromEnvironment.isEmpty {
            return (fromEnvironment, "TOCSIN_DB")
        }
        return ("tocsin-data/tocsin.sqlite", "--db")
    }

    /// Refuses a value that names no store Tocsin can open, and PostgreSQL, which it cannot serve from yet.
    func validate() throws {
        let (text, origin) = value
        let location: StoreLocation
        do {
            location = try StoreLocation(parsing: text, environment: ProcessInfo.processInfo.environment)
        } catch {
            throw ValidationError(origin == "--db" ? error.description : "TOCSIN_DB: \(error.description)")
        }
        if case .postgres(let postgres) = location {
            throw ValidationError(
                "\(origin) \(postgres): this version of Tocsin keeps its state in a SQLite file only; give a file's path")
        }
    }

    /// The SQLite file (after ``validate()``).
    var path: String {
        if case .sqlite(let path) = try? StoreLocation(parsing: value.text) { return path }
        return value.text
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
