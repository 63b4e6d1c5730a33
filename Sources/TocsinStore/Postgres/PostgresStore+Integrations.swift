import Foundation
import PostgresNIO
import TocsinCore

extension PostgresStore {
    public func addIntegration(
        name: String, source: Integration.Source, labels: [String: String], insufficientData: CloudWatchAlarm.InsufficientData? = nil,
        topicArn: String? = nil, keyHash: String, now: Date
    ) async throws(StoreError) -> Integration {
        let now = now.storedPrecision
        return try await transaction { connection, logger in
            let rows = try await connection.query(
                """
                INSERT INTO integrations (name, source, key_hash, labels, insufficient_data, topic_arn, created_at)
                VALUES (\(name), \(source.rawValue), \(keyHash), \(LabelJSON.encode(labels)), \(insufficientData?.rawValue), \(topicArn),
                        \(now.moment))
                ON CONFLICT (name) DO NOTHING RETURNING id
                """, logger: logger)
            guard let id = try await rows.decode(Int64.self).all().first else {
                throw StoreError.conflict("an integration named \"\(name)\" already exists (names are not reused, even once revoked)")
            }
            try await Self.insertAudit(.integrationCreated(name: name, source: source, labels: labels, at: now), on: connection, logger: logger)
            return Integration(
                id: id, name: name, source: source, labels: labels, insufficientData: insufficientData, topicArn: topicArn, createdAt: now)
        }
    }

    public func revokeIntegration(name: String, now: Date) async throws(StoreError) -> Integration {
        let now = now.storedPrecision
        return try await transaction { connection, logger in
            guard var integration = try await Self.integration(where: "name", is: name, on: connection, logger: logger, lockingIt: true) else {
                throw StoreError.notFound(what: "integration", id: name)
            }
            guard integration.revokedAt == nil else { return integration }
            try await connection.query("UPDATE integrations SET revoked_at = \(now.moment) WHERE name = \(name)", logger: logger)
            integration.revokedAt = now
            try await Self.insertAudit(.integrationRevoked(name: name, at: now), on: connection, logger: logger)
            return integration
        }
    }

    public func integrations() async throws(StoreError) -> [Integration] {
        try await reading { connection, logger in
            try await Self.integrations(PostgresQuery(unsafeSQL: "\(Self.integrationColumns) ORDER BY name"), on: connection, logger: logger)
        }
    }

    public func integration(forKeyHash keyHash: String) async throws(StoreError) -> Integration? {
        try await reading { connection, logger in
            try await Self.integration(where: "key_hash", is: keyHash, unrevoked: true, on: connection, logger: logger)
        }
    }

    public func pinTopic(integration name: String, topic: String, now: Date) async throws(StoreError) -> String {
        try await transaction { connection, logger in
            let pinned = try await connection.query(
                "UPDATE integrations SET topic_arn = \(topic) WHERE name = \(name) AND topic_arn IS NULL", logger: logger
            ).get()
            if (pinned.metadata.rows ?? 0) > 0 {
                try await Self.insertAudit(.topicPinned(integration: name, topic: topic, at: now), on: connection, logger: logger)
            }
            let rows = try await connection.query("SELECT topic_arn FROM integrations WHERE name = \(name)", logger: logger)
            return try await rows.decode(String?.self).all().first.flatMap { $0 } ?? topic
        }
    }

    private static let integrationColumns =
        "SELECT id, name, source, labels, insufficient_data, topic_arn, created_at, revoked_at FROM integrations"

    /// The integration whose `column` (`name` or `key_hash`) is `value`, if any; `lockingIt` holds
    /// its row until the transaction ends.
    private static func integration(
        where column: String, is value: String, unrevoked: Bool = false, on connection: PostgresConnection, logger: Logger,
        lockingIt: Bool = false
    ) async throws -> Integration? {
        var bindings = PostgresBindings()
        bindings.append(value)
        let sql = "\(integrationColumns) WHERE \(column) = $1" + (unrevoked ? " AND revoked_at IS NULL" : "") + (lockingIt ? " FOR UPDATE" : "")
        return try await integrations(PostgresQuery(unsafeSQL: sql, binds: bindings), on: connection, logger: logger).first
    }

    private static func integrations(_ query: PostgresQuery, on connection: PostgresConnection, logger: Logger) async throws -> [Integration] {
        var integrations: [Integration] = []
        let rows = try await connection.query(query, logger: logger)
        for try await (id, name, source, labels, insufficientData, topicArn, createdAt, revokedAt) in rows.decode(
            (Int64, String, String, String, String?, String?, Date, Date?).self)
        {
            integrations.append(
                try TocsinStore.integration(
                    id: id, name: name, source: source, labels: labels, insufficientData: insufficientData, topicArn: topicArn,
                    createdAt: createdAt.storedPrecision, revokedAt: revokedAt?.storedPrecision))
        }
        return integrations
    }
}
