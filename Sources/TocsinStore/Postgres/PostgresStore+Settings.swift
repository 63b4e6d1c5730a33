import Foundation
import PostgresNIO
import TocsinCore

extension PostgresStore {
    public func setting(_ name: String, orInsert initial: String) async throws(StoreError) -> String {
        try await transaction { connection, logger in
            // Instances asking at once: the first insert wins, and every one reads the same value.
            try await connection.query(
                "INSERT INTO settings (name, value) VALUES (\(name), \(initial)) ON CONFLICT (name) DO NOTHING", logger: logger)
            return try await Self.setting(name, on: connection, logger: logger) ?? initial
        }
    }

    public func linkSigningKey() async throws(StoreError) -> [UInt8] {
        let stored = try await reading { connection, logger in
            try await Self.setting(TocsinStore.linkKeySetting, on: connection, logger: logger)
        }
        if let stored { return Array(stored.utf8) }
        return Array(try await setting(TocsinStore.linkKeySetting, orInsert: TocsinStore.randomKey()).utf8)
    }

    public func rotateLinkSigningKey(by actor: String, source: String, now: Date) async throws(StoreError) {
        try await transaction { connection, logger in
            let key = TocsinStore.randomKey()
            try await connection.query(
                """
                INSERT INTO settings (name, value) VALUES (\(TocsinStore.linkKeySetting), \(key))
                ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value
                """, logger: logger)
            try await connection.query(
                PostgresQuery(unsafeSQL: "UPDATE outbox SET rendered = NULL WHERE state IN \(OutboxEntry.State.unfinished.sqlList)"),
                logger: logger)
            try await Self.insertAudit(.linkKeyRotated(by: actor, source: source, at: now), on: connection, logger: logger)
        }
    }

    public func accessRevoked(userName: String) async throws(StoreError) -> Bool {
        try await reading { connection, logger in
            let rows = try await connection.query(
                """
                SELECT NOT EXISTS (SELECT 1 FROM api_tokens WHERE user_id = users.id AND revoked_at IS NULL)
                FROM users WHERE name = \(userName)
                """, logger: logger)
            return try await rows.decode(Bool.self).all().first ?? false
        }
    }

    private static func setting(_ name: String, on connection: PostgresConnection, logger: Logger) async throws -> String? {
        let rows = try await connection.query("SELECT value FROM settings WHERE name = \(name)", logger: logger)
        return try await rows.decode(String.self).all().first
    }
}
