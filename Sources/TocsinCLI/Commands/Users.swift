import ArgumentParser
import Foundation
import TocsinCore
import TocsinServer
import TocsinStore

/// `tocsin users`: manage the people who may use the API. Runs on the server host, on the database file.
struct Users: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Manage users and their API tokens (on the server host, against the database file).",
        subcommands: [Add.self, List.self, Token.self, Revoke.self]
    )

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a user and print their API token (shown once; only a hash is stored).")

        @Argument(help: "User name: letters, digits, '.', '_' or '-' (the name on the timeline).")
        var name: String

        @Option(help: "The user's email address.")
        var email: String

        @OptionGroup var scopes: ScopeOptions

        @OptionGroup var database: ExistingDatabaseOptions

        func validate() throws {
            guard User.isValidName(name) else {
                throw ValidationError("user name must be 1-64 letters, digits, '.', '_' or '-', got \"\(name)\"")
            }
            guard User.isPlausibleEmail(email) else {
                throw ValidationError("--email must look like name@example.com, got \"\(email)\"")
            }
        }

        func run() async throws {
            let store = try await database.open()
            let token = APIToken.generate()
            do {
                let user = try await store.addUser(
                    name: name, email: email, tokenHash: APIToken.hash(token), scopes: scopes.parsed, now: Date())
                print("Added user \(user.name) <\(user.email)>. Their API token (\(TokenScope.format(scopes.parsed)); shown once, keep it secret):")
                print(token)
            } catch {
                throw CLIError(error.description, exitCode: error.isConflict ? .conflict : .failure)
            }
        }
    }

    struct Token: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Issue another API token for an existing user (earlier tokens stay valid).")

        @Argument(help: "User name.")
        var name: String

        @OptionGroup var scopes: ScopeOptions

        @OptionGroup var database: ExistingDatabaseOptions

        func run() async throws {
            let store = try await database.open()
            let token = APIToken.generate()
            do {
                _ = try await store.addToken(userName: name, tokenHash: APIToken.hash(token), scopes: scopes.parsed, now: Date())
                print(token)
            } catch {
                throw CLIError(error.description, exitCode: .notFound)
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Revoke every API token of a user (they are refused at once; audited).")

        @Argument(help: "User name.")
        var name: String

        @OptionGroup var database: ExistingDatabaseOptions

        func run() async throws {
            let store = try await database.open()
            do {
                let revoked = try await store.revokeTokens(userName: name, now: Date())
                print("Revoked \(revoked) token\(revoked == 1 ? "" : "s") of \(name).")
            } catch {
                throw CLIError(error.description, exitCode: .notFound)
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List users.")

        @OptionGroup var database: ExistingDatabaseOptions

        @Flag(help: "Print JSON instead of text.")
        var json = false

        func run() async throws {
            let store = try await database.open()
            let users: [User]
            do {
                users = try await store.users()
            } catch {
                throw CLIError(error.description)
            }
            if json {
                try Formatting.printJSON(users)
            } else if users.isEmpty {
                print("No users. Add one with: tocsin users add NAME --email ADDRESS")
            } else {
                var table = TextTable(header: ["NAME", "EMAIL", "CREATED"])
                table.rows = users.map { [$0.name, $0.email, Formatting.time($0.createdAt)] }
                print(table.render())
            }
        }
    }
}

extension StoreError {
    var isConflict: Bool {
        if case .conflict = self { return true }
        return false
    }
}
