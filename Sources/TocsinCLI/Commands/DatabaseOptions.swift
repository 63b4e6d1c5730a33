import ArgumentParser
import Foundation
import Logging
import TocsinStore

/// `--db`: where the state lives, shared by `serve` and the admin commands that run on the server
/// host. A path or `sqlite:PATH` is a SQLite file; a `postgres://` URL names PostgreSQL, which
/// several instances may share (``StoreLocation``).
struct DatabaseOptions: ParsableArguments {
    @Option(
        name: .customLong("db"),
        help: ArgumentHelp(
            "SQLite database file (or sqlite:PATH), or postgres://USER@HOST:5432/DATABASE[?sslmode=…] "
                + "(default: $TOCSIN_DB, else tocsin-data/tocsin.sqlite; the password may come from PGPASSWORD).",
            valueName: "path|url"))
    var explicitPath: String?

    /// The value as given: `--db`, else `TOCSIN_DB`, else the default file.
    private var value: (text: String, origin: String) {
        if let explicitPath { return (explicitPath, "--db") }
        if let fromEnvironment = ProcessInfo.processInfo.environment["TOCSIN_DB"], !fromEnvironment.isEmpty {
            return (fromEnvironment, "TOCSIN_DB")
        }
        return ("tocsin-data/tocsin.sqlite", "--db")
    }

    /// Refuses a value that names no store Tocsin can open.
    func validate() throws {
        _ = try location
    }

    /// Where the state lives.
    var location: StoreLocation {
        get throws {
            let (text, origin) = value
            do {
                return try StoreLocation(parsing: text, environment: ProcessInfo.processInfo.environment)
            } catch {
                throw ValidationError(origin == "--db" ? error.description : "TOCSIN_DB: \(error.description)")
            }
        }
    }

    /// Opens the store: the SQLite file (created when missing) with `durability`, or the
    /// PostgreSQL database (migrated when behind).
    func open(durability: TocsinStore.Durability = .full, logger: Logger) async throws -> any StateStore {
        do {
            switch try location {
            case .sqlite(let path):
                return try TocsinStore(path: path, configuration: .init(durability: durability))
            case .postgres(let postgres):
                return try await PostgresStore.open(postgres, logger: logger)
            }
        } catch let error as StoreError {
            throw CLIError(error.description, exitCode: .failure)
        }
    }

    /// The database as logs show it (no password).
    var description: String {
        switch try? location {
        case .sqlite(let path): path
        case .postgres(let postgres): postgres.description
        case nil: value.text
        }
    }
}

/// `--db` for the admin commands (`users`, `audit`), which work on the server's existing database
/// and create one only when told: a mistyped or missing `--db` must not quietly make a second,
/// empty database whose tokens the running server rejects.
struct ExistingDatabaseOptions: ParsableArguments {
    @OptionGroup var database: DatabaseOptions

    @Flag(help: "Create the database file if it does not exist yet (before the first `tocsin serve`).")
    var create = false

    /// Opens the database, refusing to create a SQLite file unless `--create` was given.
    func open() async throws -> any StateStore {
        if case .sqlite(let path) = try database.location, !create, !FileManager.default.fileExists(atPath: path) {
            let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
            throw CLIError(
                "no database at \(absolute): pass the server's database with --db PATH (or TOCSIN_DB), "
                    + "or add --create to start a new one")
        }
        return try await database.open(logger: Logger(label: "tocsin"))
    }
}
