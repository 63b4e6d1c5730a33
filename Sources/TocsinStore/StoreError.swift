import GRDB

/// Why a storage operation failed, in terms a caller can act on.
public enum StoreError: Error, CustomStringConvertible, Sendable {
    /// The database stayed locked past the busy timeout; the caller should retry later (HTTP 503).
    case busy(String)
    /// The database cannot be written now (disk full, I/O error, read-only file); nothing was
    /// written, and the caller should retry later (HTTP 503).
    case unavailable(String)
    /// No such record.
    case notFound(what: String, id: String)
    /// The request conflicts with the current state (HTTP 409).
    case conflict(String)
    /// A uniqueness or validity rule of the schema refused the write.
    case constraint(String)
    /// The database carries migrations this binary does not know: it was written by a newer Tocsin.
    case databaseNewerThanBinary(path: String, unknownMigrations: [String])
    /// The database file could not be opened or created.
    case cannotOpen(path: String, reason: String)
    /// Any other database failure, with SQLite's message.
    case database(String)

    public var description: String {
        switch self {
        case .busy(let message):
            "the database is busy (\(message)); try again shortly"
        case .unavailable(let message):
            "the database cannot be written now (\(message)); nothing was stored, try again shortly"
        case .notFound(let what, let id):
            "\(what) \(id) not found"
        case .conflict(let message), .constraint(let message):
            message
        case .databaseNewerThanBinary(let path, let unknown):
            "the database \(path) was written by a newer version of Tocsin (unknown migrations: "
                + "\(unknown.joined(separator: ", "))); upgrade tocsin or use another --db"
        case .cannotOpen(let path, let reason):
            "cannot open the database \(path): \(reason)"
        case .database(let message):
            "database error: \(message)"
        }
    }

    /// Runs `body`, translating GRDB's errors into ``StoreError``.
    static func mapping<T>(_ body: () throws -> T) throws(StoreError) -> T {
        do {
            return try body()
        } catch {
            throw StoreError(error)
        }
    }

    /// Runs `body`, translating GRDB's errors into ``StoreError``.
    static func mapping<T>(_ body: () async throws -> T) async throws(StoreError) -> T {
        do {
            return try await body()
        } catch {
            throw StoreError(error)
        }
    }

    init(_ error: any Error) {
        switch error {
        case let error as StoreError:
            self = error
        case let error as DatabaseError:
            switch error.resultCode {
            case .SQLITE_BUSY, .SQLITE_LOCKED:
                self = .busy(error.message ?? "locked")
            case .SQLITE_CONSTRAINT:
                self = .constraint(error.message ?? "constraint violation")
            case .SQLITE_FULL, .SQLITE_IOERR, .SQLITE_READONLY, .SQLITE_CANTOPEN:
                self = .unavailable(error.message ?? "\(error.resultCode)")
            default:
                self = .database(error.message ?? "\(error.resultCode)")
            }
        default:
            self = .database(String(describing: error))
        }
    }

    /// Whether the failure is transient: the sender should retry (HTTP 503 with Retry-After).
    public var isTransient: Bool {
        switch self {
        case .busy, .unavailable: true
        default: false
        }
    }
}
