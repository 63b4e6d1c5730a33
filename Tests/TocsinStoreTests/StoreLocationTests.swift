import Testing
@testable import TocsinStore

@Suite("--db: a SQLite path or a PostgreSQL URL")
struct StoreLocationTests {
    @Test("a path, relative or absolute, or sqlite:PATH, is a SQLite file", arguments: [
        ("tocsin-data/tocsin.sqlite", "tocsin-data/tocsin.sqlite"),
        ("/var/lib/tocsin/tocsin.sqlite", "/var/lib/tocsin/tocsin.sqlite"),
        ("sqlite:/var/lib/tocsin/tocsin.sqlite", "/var/lib/tocsin/tocsin.sqlite"),
        ("sqlite:data/t.sqlite", "data/t.sqlite"),
        ("sqlite:///var/lib/t.sqlite", "/var/lib/t.sqlite"),
    ])
    func sqlite(text: String, path: String) throws {
        #expect(try StoreLocation(parsing: text) == .sqlite(path: path))
    }

    @Test("a postgres:// or postgresql:// URL is a PostgreSQL database, 5432 and sslmode=prefer by default")
    func postgres() throws {
        #expect(
            try StoreLocation(parsing: "postgres://tocsin@db.internal/tocsin")
                == .postgres(PostgresLocation(host: "db.internal", port: 5432, username: "tocsin", database: "tocsin", tls: .prefer)))
        #expect(
            try StoreLocation(parsing: "postgresql://pager:s3cr%40t@10.0.0.5:6432/alerts?sslmode=verify-full")
                == .postgres(
                    PostgresLocation(host: "10.0.0.5", port: 6432, username: "pager", password: "s3cr@t", database: "alerts", tls: .verifyFull)))
    }

    @Test("PGPASSWORD gives the password when the URL has none; the URL's own wins")
    func passwordFromEnvironment() throws {
        let environment = ["PGPASSWORD": "from-env"]
        guard case .postgres(let bare) = try StoreLocation(parsing: "postgres://u@h/d", environment: environment),
            case .postgres(let given) = try StoreLocation(parsing: "postgres://u:inline@h/d", environment: environment)
        else {
            Issue.record("not PostgreSQL")
            return
        }
        #expect(bare.password == "from-env")
        #expect(given.password == "inline")
    }

    @Test("shown without its password, in logs and errors")
    func descriptionHidesPassword() throws {
        let location = try StoreLocation(parsing: "postgres://u:hunter2@h:5433/d?sslmode=disable")
        #expect(location.description == "postgres://u@h:5433/d?sslmode=disable")
        #expect(throws: StoreLocationError.self) { try StoreLocation(parsing: "postgres://u:hunter2@h/d?sslmode=maybe") }
        do {
            _ = try StoreLocation(parsing: "postgres://u:hunter2@h/d?sslmode=maybe")
        } catch {
            #expect(!error.description.contains("hunter2"))
            #expect(error.description.contains("sslmode maybe is not one of disable, prefer, require, verify-full"))
        }
    }

    @Test("a value Tocsin cannot use is refused, naming what is wrong", arguments: [
        ("", "it is empty"),
        ("mysql://u@h/d", "mysql:// is not a database Tocsin uses"),
        ("postgres://h/d", "names no user"),
        ("postgres://u@/d", "names no host"),
        ("postgres://u@h", "names no database"),
        ("postgres://u@h/", "names no database"),
        ("postgres://u@h:99999/d", "port 99999 is out of range"),
        ("postgres://u@h/d?application=x", "the parameter application is not one Tocsin reads"),
        ("sqlite:", "names no file"),
    ])
    func refused(text: String, reason: String) {
        do {
            let location = try StoreLocation(parsing: text)
            Issue.record("\(text) was taken as \(location)")
        } catch {
            #expect(error.description.contains(reason), "\(error)")
            #expect(error.description.hasPrefix("--db "))
        }
    }
}
