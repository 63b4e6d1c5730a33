import Foundation
import GRDB
import TocsinCore

extension TocsinStore {
    static let linkKeySetting = "link_signing_key"

    /// The key that signs the one-click links in pages, made on first use. It lives in the
    /// database, so a backup of the database is a secret too.
    public func linkSigningKey() async throws(StoreError) -> [UInt8] {
        if let stored = try await read({ db in try Self.storedLinkSigningKey(in: db) }) { return stored }
        return Array(try await setting(Self.linkKeySetting, orInsert: Self.randomKey()).utf8)
    }

    /// The link-signing key, if one was made.
    static func storedLinkSigningKey(in db: Database) throws -> [UInt8]? {
        try String.fetchOne(db.cachedStatement(sql: "SELECT value FROM settings WHERE name = ?"), arguments: [linkKeySetting])
            .map { Array($0.utf8) }
    }

    /// Replaces the link-signing key with a new random one, so every link sent before stops
    /// working; audited.
    public func rotateLinkSigningKey(by actor: String, source: String, now: Date) async throws(StoreError) {
        try await write { db in
            try db.execute(
                sql: "INSERT OR REPLACE INTO settings (name, value) VALUES (?, ?)", arguments: [Self.linkKeySetting, Self.randomKey()])
            // Pages not yet delivered are rendered again, with links under the new key.
            try db.execute(sql: "UPDATE outbox SET rendered = NULL WHERE state IN \(OutboxEntry.State.unfinished.sqlList)")
            try Self.audit(.linkKeyRotated(by: actor, source: source, at: now), in: db)
        }
    }

    /// Whether `name` is a user whose access was revoked: the account exists and none of its
    /// tokens is still valid. Links sent to such a person no longer act as them.
    public func accessRevoked(userName: String) async throws(StoreError) -> Bool {
        try await read { db in
            try Bool.fetchOne(
                db,
                sql: """
                    SELECT NOT EXISTS (SELECT 1 FROM api_tokens WHERE user_id = users.id AND revoked_at IS NULL)
                    FROM users WHERE name = ?
                    """,
                arguments: [userName]) ?? false
        }
    }

    /// 32 random bytes as hex, from the system's secure generator.
    static func randomKey() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<32).map { _ in String(format: "%02x", UInt8.random(in: .min ... .max, using: &generator)) }.joined()
    }
}
