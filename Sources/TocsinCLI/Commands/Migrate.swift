import ArgumentParser
import Foundation
import Logging
import TocsinStore

/// `tocsin migrate`: copies a SQLite installation into PostgreSQL, verified table by table.
struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Copy a SQLite database into PostgreSQL, verified by counts and checksums.",
        discussion: """
            Copies every table (incidents, alerts, timelines, escalations, the outbox, users, tokens, overrides, \
            the audit trail, …) from one consistent snapshot of the file, which a server may keep using, in one \
            PostgreSQL transaction. The copy is checked table by table before it commits; one that does not match \
            is rolled back.

            The target must be empty, or hold exactly what an earlier copy left: run the command again to bring \
            the changes since (for the last time after stopping the SQLite server), until instances start on \
            PostgreSQL. Once they have written to it, a copy is refused. The password may come from PGPASSWORD.
            """)

    @Option(help: ArgumentHelp("The SQLite database to copy (a path or sqlite:PATH).", valueName: "path"))
    var from: String

    @Option(help: ArgumentHelp("The PostgreSQL database to copy into: postgres://USER@HOST:5432/DATABASE[?sslmode=…].", valueName: "url"))
    var to: String

    @Flag(help: "Print the report as JSON.")
    var json = false

    func validate() throws {
        guard case .sqlite = try location(from, option: "--from") else {
            throw ValidationError("--from must be a SQLite file (a path or sqlite:PATH), not a database URL")
        }
        guard case .postgres = try location(to, option: "--to") else {
            throw ValidationError("--to must be a postgres:// URL, got \(to)")
        }
    }

    private func location(_ text: String, option: String) throws -> StoreLocation {
        do {
            return try StoreLocation(parsing: text, environment: ProcessInfo.processInfo.environment)
        } catch {
            throw ValidationError("\(option) \(error.value): \(error.reason)")
        }
    }

    func run() async throws {
        guard case .sqlite(let path) = try location(from, option: "--from"),
            case .postgres(let target) = try location(to, option: "--to")
        else { return }
        guard FileManager.default.fileExists(atPath: path) else {
            throw CLIError("no database at \(URL(fileURLWithPath: path).standardizedFileURL.path): pass the SQLite file with --from PATH")
        }
        var logger = Logger(label: "tocsin.migrate")
        logger.logLevel = .warning
        let report: StoreCopyReport
        do {
            let source = try TocsinStore(path: path)
            defer { try? source.close() }
            let store = try await PostgresStore.open(target, logger: logger)
            do {
                report = try await store.copy(from: source)
                await store.close()
            } catch {
                await store.close()
                throw error
            }
        } catch let error as StoreError {
            if case .conflict = error { throw CLIError(error.description, exitCode: .conflict) }
            throw CLIError(error.description)
        }
        if json {
            try Formatting.printJSON(report)
        } else {
            var table = TextTable(header: ["TABLE", "SQLITE ROWS", "POSTGRESQL ROWS", "CHECKSUM", "MATCH"])
            table.rows = report.tables.map { table in
                [table.name, "\(table.sourceRows)", "\(table.targetRows)", String(table.targetChecksum.prefix(12)), table.matches ? "yes" : "NO"]
            }
            print(table.render())
        }
        let total = report.tables.reduce(0) { $0 + $1.sourceRows }
        guard report.matches else {
            let differing = report.tables.filter { !$0.matches }.map(\.name).joined(separator: ", ")
            throw CLIError("the copy did not match the file (\(differing)); nothing was committed to \(target)")
        }
        if !json {
            print("Copied \(total) rows in \(report.tables.count) tables from \(path) to \(target); every table matches.")
        }
    }
}
