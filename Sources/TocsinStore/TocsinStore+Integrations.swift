import Foundation
import GRDB
import TocsinCore

extension TocsinStore {
    /// Adds an integration whose key hashes to `keyHash`; audited. A name already taken (even by a
    /// revoked integration) is a conflict.
    public func addIntegration(
        name: String, source: Integration.Source, labels: [String: String],
        insufficientData: CloudWatchAlarm.InsufficientData? = nil, topicArn: String? = nil, keyHash: String, now: Date
    ) async throws(StoreError) -> Integration {
        try await write { db in
            if try Int.fetchOne(db, sql: "SELECT 1 FROM integrations WHERE name = ?", arguments: [name]) != nil {
                throw StoreError.conflict("an integration named \"\(name)\" already exists (names are not reused, even once revoked)")
            }
            try db.execute(
                sql: """
                    INSERT INTO integrations (name, source, key_hash, labels, insufficient_data, topic_arn, created_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    name, source.rawValue, keyHash, LabelJSON.encode(labels), insufficientData?.rawValue, topicArn, StoredDate.text(now),
                ])
            let integration = Integration(
                id: db.lastInsertedRowID, name: name, source: source, labels: labels, insufficientData: insufficientData,
                topicArn: topicArn, createdAt: now)
            try Self.audit(.integrationCreated(name: name, source: source, labels: labels, at: now), in: db)
            return integration
        }
    }

    /// Revokes the key of the integration named `name`; audited. Events presenting it are refused at once.
    public func revokeIntegration(name: String, now: Date) async throws(StoreError) -> Integration {
        try await write { db in
            guard var integration = try Self.integration(sql: "SELECT * FROM integrations WHERE name = ?", [name], in: db) else {
                throw StoreError.notFound(what: "integration", id: name)
            }
            guard integration.revokedAt == nil else { return integration }
            try db.execute(sql: "UPDATE integrations SET revoked_at = ? WHERE name = ?", arguments: [StoredDate.text(now), name])
            integration.revokedAt = now
            try Self.audit(.integrationRevoked(name: name, at: now), in: db)
            return integration
        }
    }

    /// Every integration, revoked ones included, by name.
    public func integrations() async throws(StoreError) -> [Integration] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM integrations ORDER BY name").map(Self.integration)
        }
    }

    /// The unrevoked integration whose key hashes to `keyHash`, if any.
    public func integration(forKeyHash keyHash: String) async throws(StoreError) -> Integration? {
        try await read { db in
            try Self.integration(sql: "SELECT * FROM integrations WHERE key_hash = ? AND revoked_at IS NULL", [keyHash], in: db)
        }
    }

    /// The topic the integration named `name` takes messages from: `topic` if it had none yet
    /// (and it is recorded, audited), else the one it had.
    public func pinTopic(integration name: String, topic: String, now: Date) async throws(StoreError) -> String {
        try await write { db in
            try db.execute(
                sql: "UPDATE integrations SET topic_arn = ? WHERE name = ? AND topic_arn IS NULL", arguments: [topic, name])
            if db.changesCount > 0 {
                try Self.audit(.topicPinned(integration: name, topic: topic, at: now), in: db)
            }
            return try String.fetchOne(db, sql: "SELECT topic_arn FROM integrations WHERE name = ?", arguments: [name]) ?? topic
        }
    }

    private static func integration(sql: String, _ arguments: StatementArguments, in db: Database) throws -> Integration? {
        try Row.fetchOne(db, sql: sql, arguments: arguments).map(integration)
    }

    private static func integration(_ row: Row) throws -> Integration {
        try integration(
            id: row["id"], name: row["name"], source: row["source"], labels: row["labels"], insufficientData: row["insufficient_data"],
            topicArn: row["topic_arn"], createdAt: StoredDate.parse(row["created_at"]), revokedAt: StoredDate.parse(row["revoked_at"]))
    }

    /// An integration from its stored columns (either store).
    static func integration(
        id: Int64, name: String, source: String, labels: String, insufficientData: String?, topicArn: String?, createdAt: Date?,
        revokedAt: Date?
    ) throws -> Integration {
        guard let source = Integration.Source(rawValue: source), let createdAt else {
            throw StoreError.database("integration \"\(name)\" has an unreadable source or time")
        }
        return Integration(
            id: id, name: name, source: source, labels: (try? JSONDecoder().decode([String: String].self, from: Data(labels.utf8))) ?? [:],
            insufficientData: insufficientData.flatMap(CloudWatchAlarm.InsufficientData.init(rawValue:)), topicArn: topicArn,
            createdAt: createdAt, revokedAt: revokedAt)
    }
}
