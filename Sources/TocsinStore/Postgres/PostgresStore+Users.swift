import Foundation
import PostgresNIO
import TocsinCore

extension PostgresStore {
    public func addUser(
        name: String, email: String, tokenHash: String, scopes: Set<TokenScope> = TokenScope.defaults, now: Date
    ) async throws(StoreError) -> User {
        let now = now.storedPrecision
        return try await transaction { connection, logger in
            // A name taken, here or by an instance that committed a moment ago, inserts nothing.
            let rows = try await connection.query(
                """
                INSERT INTO users (name, email, created_at) VALUES (\(name), \(email), \(now.moment))
                ON CONFLICT (name) DO NOTHING RETURNING id
                """, logger: logger)
            guard let id = try await rows.decode(Int64.self).all().first else {
                throw StoreError.conflict("a user named \"\(name)\" already exists")
            }
            let user = User(id: id, name: name, email: email, createdAt: now)
            try await Self.insertToken(for: user, userID: id, tokenHash: tokenHash, scopes: scopes, now: now, on: connection, logger: logger)
            return user
        }
    }

    public func addToken(
        userName: String, tokenHash: String, scopes: Set<TokenScope> = TokenScope.defaults, now: Date
    ) async throws(StoreError) -> User {
        let now = now.storedPrecision
        return try await transaction { connection, logger in
            guard let user = try await Self.user(named: userName, on: connection, logger: logger), let id = user.id else {
                throw StoreError.notFound(what: "user", id: userName)
            }
            try await Self.insertToken(for: user, userID: id, tokenHash: tokenHash, scopes: scopes, now: now, on: connection, logger: logger)
            return user
        }
    }

    private static func insertToken(
        for user: User, userID: Int64, tokenHash: String, scopes: Set<TokenScope>, now: Date, on connection: PostgresConnection,
        logger: Logger
    ) async throws {
        let rows = try await connection.query(
            """
            INSERT INTO api_tokens (user_id, token_hash, created_at, scopes)
            VALUES (\(userID), \(tokenHash), \(now.moment), \(TokenScope.format(scopes))) RETURNING id
            """, logger: logger)
        let tokenID = try await rows.decode(Int64.self).all().first ?? 0
        try await insertAudit(.tokenCreated(id: tokenID, user: user.name, scopes: scopes, at: now), on: connection, logger: logger)
    }

    public func revokeTokens(userName: String, now: Date) async throws(StoreError) -> Int {
        let now = now.storedPrecision
        return try await transaction { connection, logger in
            guard let user = try await Self.user(named: userName, on: connection, logger: logger), let id = user.id else {
                throw StoreError.notFound(what: "user", id: userName)
            }
            let result = try await connection.query(
                "UPDATE api_tokens SET revoked_at = \(now.moment) WHERE user_id = \(id) AND revoked_at IS NULL", logger: logger
            ).get()
            let revoked = result.metadata.rows ?? 0
            try await Self.insertAudit(.tokensRevoked(revoked, user: userName, at: now), on: connection, logger: logger)
            return revoked
        }
    }

    public func users() async throws(StoreError) -> [User] {
        try await reading { connection, logger in
            let rows = try await connection.query("SELECT id, name, email, created_at FROM users ORDER BY name", logger: logger)
            var users: [User] = []
            for try await (id, name, email, createdAt) in rows.decode((Int64, String, String, Date).self) {
                users.append(User(id: id, name: name, email: email, createdAt: createdAt.storedPrecision))
            }
            return users
        }
    }

    public func authenticate(tokenHash hash: String) async throws(StoreError) -> Authenticated? {
        try await reading { connection, logger in try await Self.authenticated(tokenHash: hash, on: connection, logger: logger)?.0 }
    }

    /// The user and scopes of the unrevoked token with this hash, and the token's id.
    static func authenticated(tokenHash hash: String, on connection: PostgresConnection, logger: Logger) async throws
        -> (Authenticated, Int64)?
    {
        let rows = try await connection.query(
            """
            SELECT users.id, users.name, users.email, users.created_at, api_tokens.scopes, api_tokens.id FROM users
            JOIN api_tokens ON api_tokens.user_id = users.id
            WHERE api_tokens.token_hash = \(hash) AND api_tokens.revoked_at IS NULL
            """, logger: logger)
        guard let (id, name, email, createdAt, scopes, tokenID) = try await rows.decode((Int64, String, String, Date, String, Int64).self).all().first
        else { return nil }
        let user = User(id: id, name: name, email: email, createdAt: createdAt.storedPrecision)
        return (Authenticated(user: user, scopes: TokenScope.parse(scopes) ?? []), tokenID)
    }

    private static func user(named name: String, on connection: PostgresConnection, logger: Logger) async throws -> User? {
        let rows = try await connection.query("SELECT id, name, email, created_at FROM users WHERE name = \(name)", logger: logger)
        return try await rows.decode((Int64, String, String, Date).self).all().first.map { id, name, email, createdAt in
            User(id: id, name: name, email: email, createdAt: createdAt.storedPrecision)
        }
    }
}
