import ArgumentParser
import Foundation
import TocsinStore

/// `tocsin links`: the signed one-click links in pages. Runs on the server host, on the database.
struct Links: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Manage the signed ack and resolve links in pages (on the server host, against the database file).",
        subcommands: [RotateKey.self])

    struct RotateKey: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rotate-key",
            abstract: "Replace the key that signs links: every link sent before stops working at once (audited).",
            discussion: """
                The key is kept in the database, so a copy of the database (a backup) can sign links: treat backups \
                as secrets, and rotate the key when one may have leaked. The running server uses the new key at once; \
                pages sent from now on carry links under it.
                """)

        @OptionGroup var database: ExistingDatabaseOptions

        func run() async throws {
            let store = try await database.open()
            do {
                try await store.rotateLinkSigningKey(by: ProcessInfo.processInfo.userName, source: "cli", now: Date())
            } catch {
                throw CLIError(error.description)
            }
            print("The link-signing key was replaced: every ack and resolve link sent before now no longer works.")
        }
    }
}
