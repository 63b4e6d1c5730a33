import Foundation
import PostgresNIO
import TocsinCore

extension PostgresStore {
    public func startConsoleSession(
        tokenHash: String, sessionHash: String, expiresAt: Date, client: String, now: Date
    ) async throws(StoreError) -> Authenticated? {
        try await transaction { connection, logger in
            guard let (authenticated, tokenID) = try await Self.authenticated(tokenHash: tokenHash, on: connection, logger: logger) else {
                return nil
            }
            try await connection.query(
                "DELETE FROM console_sessions WHERE ended_at IS NOT NULL OR expires_at <= \(now.moment)", logger: logger)
            try await connection.query(
                """
                INSERT INTO console_sessions (session_hash, token_id, created_at, expires_at)
                VALUES (\(sessionHash), \(tokenID), \(now.moment), \(expiresAt.moment))
                """, logger: logger)
            try await Self.insertAudit(.consoleSignedIn(authenticated, tokenID: tokenID, client: client, at: now), on: connection, logger: logger)
            return authenticated
        }
    }

    public func consoleSession(sessionHash: String, now: Date) async throws(StoreError) -> ConsoleSession? {
        try await reading { connection, logger in
            let rows = try await connection.query(
                """
                SELECT users.id, users.name, users.email, users.created_at, api_tokens.scopes, console_sessions.expires_at
                FROM console_sessions
                JOIN api_tokens ON api_tokens.id = console_sessions.token_id
                JOIN users ON users.id = api_tokens.user_id
                WHERE console_sessions.session_hash = \(sessionHash) AND console_sessions.ended_at IS NULL
                  AND console_sessions.expires_at > \(now.moment) AND api_tokens.revoked_at IS NULL
                """, logger: logger)
            guard let (id, name, email, createdAt, scopes, expiresAt) = try await rows.decode((Int64, String, String, Date, String, Date).self).all().first
            else { return nil }
            let user = User(id: id, name: name, email: email, createdAt: createdAt.storedPrecision)
            return ConsoleSession(
                authenticated: Authenticated(user: user, scopes: TokenScope.parse(scopes) ?? []), expiresAt: expiresAt.storedPrecision)
        }
    }

    @discardableResult
    public func endConsoleSession(sessionHash: String, client: String, now: Date) async throws(StoreError) -> Bool {
        try await transaction { connection, logger in
            let rows = try await connection.query(
                """
                UPDATE console_sessions SET ended_at = \(now.moment)
                FROM api_tokens JOIN users ON users.id = api_tokens.user_id
                WHERE api_tokens.id = console_sessions.token_id
                  AND console_sessions.session_hash = \(sessionHash) AND console_sessions.ended_at IS NULL
                RETURNING console_sessions.id, users.name
                """, logger: logger)
            guard let (id, name) = try await rows.decode((Int64, String).self).all().first else { return false }
            try await Self.insertAudit(.consoleSignedOut(sessionID: id, user: name, client: client, at: now), on: connection, logger: logger)
            return true
        }
    }

    public func liveConsoleSessionCount(now: Date) async throws(StoreError) -> Int {
        try await reading { connection, logger in
            let rows = try await connection.query(
                """
                SELECT count(*) FROM console_sessions JOIN api_tokens ON api_tokens.id = console_sessions.token_id
                WHERE console_sessions.ended_at IS NULL AND console_sessions.expires_at > \(now.moment) AND api_tokens.revoked_at IS NULL
                """, logger: logger)
            return Int(try await rows.decode(Int64.self).all().first ?? 0)
        }
    }
}
