import Foundation
import GRDB
import TocsinCore

/// A stored API token: only its SHA-256 hash, never the token.
struct APITokenRecord: Codable, FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "api_tokens"
    var id: Int64?
    var userID: Int64
    var tokenHash: String
    var createdAt: Date
    var revokedAt: Date?

    enum CodingKeys: String, CodingKey {
        case id
        case userID = "user_id"
        case tokenHash = "token_hash"
        case createdAt = "created_at"
        case revokedAt = "revoked_at"
    }

    mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}

extension User: FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "users"

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}

extension TocsinStore {
    /// Adds a user together with their first API token (given as its hash).
    ///
    /// - Throws: ``StoreError/conflict(_:)`` when the name is taken.
    public func addUser(name: String, email: String, tokenHash: String, now: Date) async throws(StoreError) -> User {
        try await write { db in
            if try User.filter(Column("name") == name).fetchCount(db) > 0 {
                throw StoreError.conflict("a user named \"\(name)\" already exists")
            }
            var user = User(name: name, email: email, createdAt: now)
            try user.insert(db)
            guard let userID = user.id else { throw StoreError.database("user was stored without an id") }
            var token = APITokenRecord(userID: userID, tokenHash: tokenHash, createdAt: now)
            try token.insert(db)
            return user
        }
    }

    /// Issues another token for an existing user.
    public func addToken(userName: String, tokenHash: String, now: Date) async throws(StoreError) -> User {
        try await write { db in
            guard let user = try User.filter(Column("name") == userName).fetchOne(db), let userID = user.id else {
                throw StoreError.notFound(what: "user", id: userName)
            }
            var token = APITokenRecord(userID: userID, tokenHash: tokenHash, createdAt: now)
            try token.insert(db)
            return user
        }
    }

    /// All users, by name.
    public func users() async throws(StoreError) -> [User] {
        try await read { db in try User.order(Column("name")).fetchAll(db) }
    }

    /// The user owning the unrevoked token with this hash, if any.
    public func user(forTokenHash hash: String) async throws(StoreError) -> User? {
        try await read { db in
            try User.fetchOne(
                db,
                sql: """
                    SELECT users.* FROM users JOIN api_tokens ON api_tokens.user_id = users.id
                    WHERE api_tokens.token_hash = ? AND api_tokens.revoked_at IS NULL
                    """,
                arguments: [hash])
        }
    }
}
