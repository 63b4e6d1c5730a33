import Foundation
import GRDB
import TocsinCore

/// A stored API token: only its SHA-256 hash, never the token, and what it may do.
struct APITokenRecord: Codable, RowIDRecord {
    static let databaseTableName = "api_tokens"
    var id: Int64?
    var userID: Int64
    var tokenHash: String
    var createdAt: Date
    var revokedAt: Date?
    /// Comma-separated ``TokenScope`` names.
    var scopes: String

    enum CodingKeys: String, CodingKey {
        case id, scopes
        case userID = "user_id"
        case tokenHash = "token_hash"
        case createdAt = "created_at"
        case revokedAt = "revoked_at"
    }

}

extension User: RowIDRecord {
    public static let databaseTableName = "users"
}

/// Who presented a token, and what the token allows.
public struct Authenticated: Sendable, Equatable {
    public var user: User
    public var scopes: Set<TokenScope>
}

extension TocsinStore {
    /// Adds a user together with their first API token (given as its hash); audited.
    ///
    /// - Throws: ``StoreError/conflict(_:)`` when the name is taken.
    public func addUser(
        name: String, email: String, tokenHash: String, scopes: Set<TokenScope> = TokenScope.defaults, now: Date
    ) async throws(StoreError) -> User {
        try await write { db in
            if try User.filter(User.Columns.name == name).fetchCount(db) > 0 {
                throw StoreError.conflict("a user named \"\(name)\" already exists")
            }
            var user = User(name: name, email: email, createdAt: now)
            try user.insert(db)
            try Self.insertToken(for: user, tokenHash: tokenHash, scopes: scopes, now: now, in: db)
            return user
        }
    }

    /// Issues another token for an existing user; audited.
    public func addToken(
        userName: String, tokenHash: String, scopes: Set<TokenScope> = TokenScope.defaults, now: Date
    ) async throws(StoreError) -> User {
        try await write { db in
            guard let user = try User.filter(User.Columns.name == userName).fetchOne(db) else {
                throw StoreError.notFound(what: "user", id: userName)
            }
            try Self.insertToken(for: user, tokenHash: tokenHash, scopes: scopes, now: now, in: db)
            return user
        }
    }

    private static func insertToken(
        for user: User, tokenHash: String, scopes: Set<TokenScope>, now: Date, in db: Database
    ) throws {
        guard let userID = user.id else { throw StoreError.database("user was stored without an id") }
        var token = APITokenRecord(
            userID: userID, tokenHash: tokenHash, createdAt: now, scopes: TokenScope.format(scopes))
        try token.insert(db)
        try audit(.tokenCreated(id: token.id ?? 0, user: user.name, scopes: scopes, at: now), in: db)
    }

    /// Revokes every unrevoked token of a user; audited. Returns how many were revoked.
    public func revokeTokens(userName: String, now: Date) async throws(StoreError) -> Int {
        try await write { db in
            guard let user = try User.filter(User.Columns.name == userName).fetchOne(db), let userID = user.id else {
                throw StoreError.notFound(what: "user", id: userName)
            }
            try db.execute(
                sql: "UPDATE api_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL",
                arguments: [StoredDate.text(now), userID])
            let revoked = db.changesCount
            try Self.audit(.tokensRevoked(revoked, user: userName, at: now), in: db)
            return revoked
        }
    }

    /// All users, by name.
    public func users() async throws(StoreError) -> [User] {
        try await read { db in try User.order(User.Columns.name).fetchAll(db) }
    }

    /// The user owning the unrevoked token with this hash, if any.
    public func user(forTokenHash hash: String) async throws(StoreError) -> User? {
        try await authenticate(tokenHash: hash)?.user
    }

    /// The user and scopes of the unrevoked token with this hash, if any.
    public func authenticate(tokenHash hash: String) async throws(StoreError) -> Authenticated? {
        try await read { db in try Self.authenticated(tokenHash: hash, in: db)?.0 }
    }

    /// The user and scopes of the unrevoked token with this hash, and the token's id.
    static func authenticated(tokenHash hash: String, in db: Database) throws -> (Authenticated, Int64)? {
        guard
            // Cached: every authenticated request asks this (compiling it cost more than running it).
            let row = try Row.fetchOne(
                db.cachedStatement(
                    sql: """
                        SELECT users.*, api_tokens.scopes AS token_scopes, api_tokens.id AS token_id FROM users
                        JOIN api_tokens ON api_tokens.user_id = users.id
                        WHERE api_tokens.token_hash = ? AND api_tokens.revoked_at IS NULL
                        """),
                arguments: [hash])
        else { return nil }
        let scopes = TokenScope.parse(row["token_scopes"] ?? "") ?? []
        return (Authenticated(user: try User(row: row), scopes: scopes), row["token_id"])
    }
}
