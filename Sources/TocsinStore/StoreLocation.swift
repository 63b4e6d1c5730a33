import Foundation

/// Where Tocsin keeps its state, as `--db` (or `TOCSIN_DB`) names it: a SQLite file, the default
/// for one instance, or a PostgreSQL database that several instances share.
public enum StoreLocation: Sendable, Equatable, CustomStringConvertible {
    /// A SQLite file (`tocsin-data/tocsin.sqlite`, `sqlite:/var/lib/tocsin/tocsin.sqlite`).
    case sqlite(path: String)
    /// A PostgreSQL database (`postgres://tocsin@db.internal:5432/tocsin`).
    case postgres(PostgresLocation)

    /// Reads a `--db` value: a `postgres://` or `postgresql://` URL selects PostgreSQL; `sqlite:PATH`
    /// or a plain path selects SQLite. `environment` supplies `PGPASSWORD` when the URL carries no
    /// password, so that the password need not appear on a command line.
    public init(parsing text: String, environment: [String: String] = [:]) throws(StoreLocationError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { throw StoreLocationError(text, "it is empty") }
        if let schemeEnd = trimmed.range(of: "://") {
            let scheme = trimmed[..<schemeEnd.lowerBound].lowercased()
            switch scheme {
            case "postgres", "postgresql":
                self = .postgres(try PostgresLocation(parsing: trimmed, environment: environment))
            case "sqlite":
                self = .sqlite(path: try Self.sqlitePath(String(trimmed[schemeEnd.upperBound...]), in: text))
            default:
                throw StoreLocationError(text, "\(scheme):// is not a database Tocsin uses (give a SQLite file's path or a postgres:// URL)")
            }
        } else if trimmed.lowercased().hasPrefix("sqlite:") {
            self = .sqlite(path: try Self.sqlitePath(String(trimmed.dropFirst("sqlite:".count)), in: text))
        } else {
            self = .sqlite(path: text)
        }
    }

    private static func sqlitePath(_ path: String, in text: String) throws(StoreLocationError) -> String {
        guard !path.isEmpty else { throw StoreLocationError(text, "sqlite: names no file (sqlite:tocsin-data/tocsin.sqlite)") }
        return path
    }

    /// The location as logs and `--json` output show it: a path, or a URL without its password.
    public var description: String {
        switch self {
        case .sqlite(let path): path
        case .postgres(let location): location.description
        }
    }
}

/// A PostgreSQL server and database, read from a `postgres://user:password@host:port/database` URL.
public struct PostgresLocation: Sendable, Equatable, CustomStringConvertible {
    /// How the connection uses TLS, as libpq's `sslmode` names it.
    public enum TLSMode: String, Sendable, CaseIterable {
        /// Plain TCP (a database on the same host or a private network).
        case disable
        /// TLS when the server offers it, its certificate unchecked; plain TCP otherwise (libpq's default).
        case prefer
        /// TLS always, the certificate unchecked.
        case require
        /// TLS always, the certificate checked against the system's roots and the host name.
        case verifyFull = "verify-full"
    }

    public var host: String
    public var port: Int
    public var username: String
    public var password: String?
    public var database: String
    public var tls: TLSMode

    public init(host: String, port: Int = 5432, username: String, password: String? = nil, database: String, tls: TLSMode = .prefer) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.database = database
        self.tls = tls
    }

    init(parsing text: String, environment: [String: String]) throws(StoreLocationError) {
        guard let url = URLComponents(string: text) else {
            throw StoreLocationError(text, "it is not a URL (postgres://user@host:5432/database)")
        }
        guard let host = url.host, !host.isEmpty else {
            throw StoreLocationError(text, "it names no host (postgres://user@host:5432/database)")
        }
        guard let username = url.user, !username.isEmpty else {
            throw StoreLocationError(text, "it names no user (postgres://user@host:5432/database)")
        }
        let database = String(url.path.drop { $0 == "/" })
        guard !database.isEmpty, !database.contains("/") else {
            throw StoreLocationError(text, "it names no database (postgres://user@host:5432/database)")
        }
        if let port = url.port, !(1...65535).contains(port) {
            throw StoreLocationError(text, "port \(port) is out of range")
        }
        var tls = TLSMode.prefer
        for item in url.queryItems ?? [] {
            switch item.name {
            case "sslmode":
                guard let value = item.value, let mode = TLSMode(rawValue: value) else {
                    let modes = TLSMode.allCases.map(\.rawValue).joined(separator: ", ")
                    throw StoreLocationError(text, "sslmode \(item.value ?? "") is not one of \(modes)")
                }
                tls = mode
            default:
                throw StoreLocationError(text, "the parameter \(item.name) is not one Tocsin reads (only sslmode)")
            }
        }
        let password = url.password.flatMap { $0.isEmpty ? nil : $0 } ?? environment["PGPASSWORD"].flatMap { $0.isEmpty ? nil : $0 }
        self.init(host: host, port: url.port ?? 5432, username: username, password: password, database: database, tls: tls)
    }

    /// `postgres://user@host:port/database`: never the password.
    public var description: String {
        let query = tls == .prefer ? "" : "?sslmode=\(tls.rawValue)"
        let shownHost = host.contains(":") ? "[\(host)]" : host
        return "postgres://\(username)@\(shownHost):\(port)/\(database)\(query)"
    }
}

/// A `--db` value Tocsin cannot use, with the reason.
public struct StoreLocationError: Error, Equatable, CustomStringConvertible {
    /// The value as given, its password hidden.
    public let value: String
    public let reason: String

    init(_ value: String, _ reason: String) {
        self.value = Self.hidingPassword(value)
        self.reason = reason
    }

    public var description: String { "--db \(value): \(reason)" }

    /// `value` with any password in its URL replaced by `***`.
    static func hidingPassword(_ value: String) -> String {
        guard var url = URLComponents(string: value), url.password != nil else { return value }
        url.password = "***"
        return url.string ?? value
    }
}
