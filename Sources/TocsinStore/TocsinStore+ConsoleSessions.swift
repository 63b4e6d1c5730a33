import Foundation
import GRDB
import TocsinCore

/// A web console session that is still good: who, with the scopes of the token it came from.
public struct ConsoleSession: Sendable, Equatable {
    public var authenticated: Authenticated
    public var expiresAt: Date
}

extension TocsinStore {
    /// Exchanges the API token with this hash for a session stored under `sessionHash`, good until
    /// `expiresAt`; audited with the client's address. Nil when the token is unknown or revoked
    /// (nothing is written then). Sessions that ended or expired are swept on the way.
    public func startConsoleSession(
        tokenHash: String, sessionHash: String, expiresAt: Date, client: String, now: Date
    ) async throws(StoreError) -> Authenticated? {
        try await write { db in
            guard let (authenticated, tokenID) = try Self.authenticated(tokenHash: tokenHash, in: db) else { return nil }
            try db.execute(
                sql: "DELETE FROM console_sessions WHERE ended_at IS NOT NULL OR expires_at <= ?",
                arguments: [StoredDate.text(now)])
            try db.execute(
                sql: "INSERT INTO console_sessions (session_hash, token_id, created_at, expires_at) VALUES (?, ?, ?, ?)",
                arguments: [sessionHash, tokenID, StoredDate.text(now), StoredDate.text(expiresAt)])
            try Self.audit(.consoleSignedIn(authenticated, tokenID: tokenID, client: client, at: now), in: db)
            return authenticated
        }
    }

    /// The session stored under this hash, when it has not ended or expired and its token is not revoked.
    public func consoleSession(sessionHash: String, now: Date) async throws(StoreError) -> ConsoleSession? {
        try await read { db in
            guard
                let row = try Row.fetchOne(
                    db,
                    sql: """
                        SELECT users.*, api_tokens.scopes AS token_scopes, console_sessions.expires_at AS session_expires
                        FROM console_sessions
                        JOIN api_tokens ON api_tokens.id = console_sessions.token_id
                        JOIN users ON users.id = api_tokens.user_id
                        WHERE console_sessions.session_hash = ? AND console_sessions.ended_at IS NULL
                          AND console_sessions.expires_at > ? AND api_tokens.revoked_at IS NULL
                        """,
                    arguments: [sessionHash, StoredDate.text(now)]),
                let expiresAt = StoredDate.parse(row["session_expires"])
            else { return nil }
            let scopes = TokenScope.parse(row["token_scopes"] ?? "") ?? []
            return ConsoleSession(authenticated: Authenticated(user: try User(row: row), scopes: scopes), expiresAt: expiresAt)
        }
    }

    /// Ends the session stored under this hash (signing out); audited. False when there was none to end.
    @discardableResult
    public func endConsoleSession(sessionHash: String, client: String, now: Date) async throws(StoreError) -> Bool {
        try await write { db in
            guard
                let row = try Row.fetchOne(
                    db,
                    sql: """
                        SELECT console_sessions.id, users.name FROM console_sessions
                        JOIN api_tokens ON api_tokens.id = console_sessions.token_id
                        JOIN users ON users.id = api_tokens.user_id
                        WHERE console_sessions.session_hash = ? AND console_sessions.ended_at IS NULL
                        """,
                    arguments: [sessionHash])
            else { return false }
            let id: Int64 = row["id"]
            try db.execute(sql: "UPDATE console_sessions SET ended_at = ? WHERE id = ?", arguments: [StoredDate.text(now), id])
            try Self.audit(.consoleSignedOut(sessionID: id, user: row["name"], client: client, at: now), in: db)
            return true
        }
    }

    /// The number of sessions that are still good (for tests and `/metrics`).
    public func liveConsoleSessionCount(now: Date) async throws(StoreError) -> Int {
        try await read { db in
            try Int.fetchOne(
                db,
                sql: """
                    SELECT count(*) FROM console_sessions JOIN api_tokens ON api_tokens.id = console_sessions.token_id
                    WHERE console_sessions.ended_at IS NULL AND console_sessions.expires_at > ? AND api_tokens.revoked_at IS NULL
                    """,
                arguments: [StoredDate.text(now)]) ?? 0
        }
    }
}
