import PostgresNIO

extension StoreError {
    /// Runs `body`, translating postgres-nio's errors into ``StoreError``.
    static func mappingPostgres<T>(_ body: () async throws -> T) async throws(StoreError) -> T {
        do {
            return try await body()
        } catch {
            throw StoreError(postgres: error)
        }
    }

    /// The ``StoreError`` for an error from postgres-nio: the server's message and SQLSTATE when the
    /// server refused a statement, ``unavailable(_:)`` when no connection could be had.
    init(postgres error: any Error) {
        switch error {
        case let error as StoreError:
            self = error
        case let error as PostgresTransactionError:
            self = StoreError(postgres: error.closureError ?? error.commitError ?? error.beginError ?? error.rollbackError ?? error)
        case let error as PSQLError:
            self = StoreError(psql: error)
        default:
            self = .database(String(describing: error))
        }
    }

    private init(psql error: PSQLError) {
        guard let info = error.serverInfo, let state = info[.sqlState] else {
            // Not an answer from the server: the connection failed or was lost.
            let cause = error.underlying.map { ConnectionFailure.explain($0) ?? String(describing: $0) } ?? "\(error.code)"
            self = .unavailable("PostgreSQL: \(cause)")
            return
        }
        let message = "\(info[.message] ?? "error") (SQLSTATE \(state))"
        switch state {
        case "40001", "40P01", "55P03":  // serialization failure, deadlock, lock not available
            self = .busy(message)
        case _ where state.hasPrefix("23"):  // integrity constraint violation
            self = .constraint(message)
        case _ where state.hasPrefix("08") || state.hasPrefix("53") || state.hasPrefix("57"):
            // connection exception, insufficient resources, operator intervention (shutdown)
            self = .unavailable(message)
        default:
            self = .database(message)
        }
    }

    /// This error as the reason a database could not be opened: ``cannotOpen(path:reason:)``
    /// naming `location`, unless it already says more (a database newer than the binary).
    func whileOpening(_ location: PostgresLocation) -> StoreError {
        switch self {
        case .cannotOpen, .databaseNewerThanBinary:
            self
        case .busy(let reason), .unavailable(let reason), .conflict(let reason), .constraint(let reason), .database(let reason):
            .cannotOpen(path: location.description, reason: reason)
        case .notFound:
            .cannotOpen(path: location.description, reason: description)
        }
    }
}
