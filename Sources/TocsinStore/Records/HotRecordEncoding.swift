import Foundation
import GRDB
import TocsinCore

// The records written on every ingest and every escalation step, encoded column by column
// instead of through Codable (GRDB's `encode(to:)` hook): the same columns and the same text
// (dates as `StoredDate`, JSON as `LabelJSON` and GRDB's own JSON encoder), at a fraction of the
// cost. Incidents, read on every ingest, are also decoded column by column (`init(row:)`); the
// others read through Codable. `RecordEncodingTests` checks that each one reads back equal.

extension Incident {
    public init(row: Row) throws {
        func malformed(_ column: String) -> StoreError { StoreError.malformed(column, of: "incident", in: row) }
        guard let state = IncidentState(rawValue: row["state"]) else { throw malformed("state") }
        guard let createdAt = StoredDate.parse(row["created_at"]) else { throw malformed("created_at") }
        guard let lastSeenAt = StoredDate.parse(row["last_seen_at"]) else { throw malformed("last_seen_at") }
        guard let groupLabels = StringMapJSON.decode(row["group_labels"]) else { throw malformed("group_labels") }
        self.init(
            id: row["id"], title: row["title"], severity: row["severity"], state: state, source: row["source"],
            receiver: row["receiver"], groupKey: row["group_key"], groupLabels: groupLabels, externalURL: row["external_url"],
            createdAt: createdAt, lastSeenAt: lastSeenAt, acknowledgedAt: StoredDate.parse(row["acknowledged_at"]),
            acknowledgedBy: row["acknowledged_by"], resolvedAt: StoredDate.parse(row["resolved_at"]),
            resolvedBy: row["resolved_by"], alertCount: row["alert_count"], firingCount: row["firing_count"],
            truncatedAlerts: row["truncated_alerts"], drillRun: row["drill_run"])
        correlationID = row["correlation_id"]
    }

    /// The stored columns, `id` first: the one list that inserts (``insertRow(_:)``, `encode(to:)`)
    /// and updates (``updateAllColumns(_:)``) write.
    static let storedColumnNames = [
        "id", "title", "severity", "state", "source", "receiver", "group_key", "group_labels", "external_url", "created_at",
        "last_seen_at", "acknowledged_at", "acknowledged_by", "resolved_at", "resolved_by", "alert_count", "firing_count",
        "truncated_alerts", "drill_run", "correlation_id",
    ]

    /// The values of ``storedColumnNames``, in order.
    var storedValues: [(any DatabaseValueConvertible)?] {
        [
            id, title, severity, state, source, receiver, groupKey, LabelJSON.encode(groupLabels), externalURL,
            StoredDate.text(createdAt), StoredDate.text(lastSeenAt), acknowledgedAt.map(StoredDate.text), acknowledgedBy,
            resolvedAt.map(StoredDate.text), resolvedBy, alertCount, firingCount, truncatedAlerts, drillRun, correlationID,
        ]
    }

    private static let insertSQL = "INSERT INTO incidents (" + storedColumnNames.joined(separator: ", ") + ") VALUES ("
        + Array(repeating: "?", count: storedColumnNames.count).joined(separator: ", ") + ")"

    private static let updateSQL = "UPDATE incidents SET "
        + storedColumnNames.dropFirst().map { "\($0) = ?" }.joined(separator: ", ") + " WHERE id = ?"

    /// Inserts the incident through one cached statement and takes SQLite's row id (GRDB's
    /// `insert` builds its statement and a persistence container on every call, a cost the
    /// ingest writer paid on every new incident).
    mutating func insertRow(_ db: Database) throws {
        try db.cachedStatement(sql: Self.insertSQL).execute(arguments: StatementArguments(storedValues))
        id = db.lastInsertedRowID
    }

    /// Writes every column of a stored incident with one cached statement (GRDB's `update` builds
    /// its statement anew on every call, a cost the ingest writer pays per batch).
    func updateAllColumns(_ db: Database) throws {
        guard let id else { throw StoreError.database("cannot update an incident that was never stored") }
        try db.cachedStatement(sql: Self.updateSQL).execute(arguments: StatementArguments(storedValues.dropFirst() + [id]))
    }

    public func encode(to container: inout PersistenceContainer) throws {
        for (name, value) in zip(Self.storedColumnNames, storedValues) {
            container[name] = value
        }
    }
}

extension TimelineEvent {
    /// The stored columns but the id (SQLite's), in the order ``appendStoredValues(incidentID:prepared:to:)``
    /// appends their values: the one list that `encode(to:)` and the batched insert of escalation steps write.
    static let storedColumnNames = ["incident_id", "at", "kind", "actor", "channel", "note", "lateness_ms", "prepared"]

    /// Appends the values of ``storedColumnNames``, in order (`prepared`: the event of a step
    /// prepared ahead of its due time), without building a row of its own (a pass writes thousands).
    func appendStoredValues(incidentID: Int64?, prepared: Bool, to values: inout [(any DatabaseValueConvertible)?]) {
        values.append(incidentID)
        values.append(StoredDate.text(at))
        values.append(kind)
        values.append(actor)
        values.append(channel)
        values.append(note)
        values.append(latenessMs)
        values.append(prepared)
    }

    private static let insertSQL = "INSERT INTO timeline_events (" + storedColumnNames.joined(separator: ", ") + ") VALUES ("
        + Array(repeating: "?", count: storedColumnNames.count).joined(separator: ", ") + ")"

    /// Inserts the event through one cached statement and takes SQLite's row id.
    mutating func insertRow(_ db: Database) throws {
        var values: [(any DatabaseValueConvertible)?] = []
        values.reserveCapacity(Self.storedColumnNames.count)
        appendStoredValues(incidentID: incidentID, prepared: false, to: &values)
        try db.cachedStatement(sql: Self.insertSQL).execute(arguments: StatementArguments(values))
        id = db.lastInsertedRowID
    }

    public func encode(to container: inout PersistenceContainer) throws {
        var values: [(any DatabaseValueConvertible)?] = []
        appendStoredValues(incidentID: incidentID, prepared: false, to: &values)
        container["id"] = id
        for (name, value) in zip(Self.storedColumnNames, values) {
            container[name] = value
        }
    }
}

extension Escalation {
    /// The snapshot as the `snapshot` column stores it.
    static func snapshotJSON(_ snapshot: PolicySnapshot) throws -> String {
        String(decoding: try databaseJSONEncoder(for: "snapshot").encode(snapshot), as: UTF8.self)
    }

    /// The stored columns but the id (SQLite's), in the order of ``storedValues(snapshotJSON:)``:
    /// the one list that `encode(to:)` and ``insert(_:snapshotJSON:)`` both write.
    static let storedColumnNames = [
        "incident_id", "policy_name", "snapshot", "epoch", "started_at", "position", "next_due_at", "started_by", "created_at",
    ]

    /// The values of ``storedColumnNames``, in order, the snapshot as `snapshotJSON`.
    func storedValues(snapshotJSON: String) -> [(any DatabaseValueConvertible)?] {
        [
            incidentID, policyName, snapshotJSON, epoch, StoredDate.text(startedAt), position, nextDueAt.map(StoredDate.text),
            startedBy, createdAt.map(StoredDate.text),
        ]
    }

    private static let insertSQL = "INSERT INTO escalations (" + storedColumnNames.joined(separator: ", ") + ") VALUES ("
        + Array(repeating: "?", count: storedColumnNames.count).joined(separator: ", ") + ")"

    /// Inserts the escalation with its snapshot already encoded (shared by the incidents a policy
    /// opens), through one cached statement.
    mutating func insert(_ db: Database, snapshotJSON: String) throws {
        try db.cachedStatement(sql: Self.insertSQL).execute(arguments: StatementArguments(storedValues(snapshotJSON: snapshotJSON)))
        id = db.lastInsertedRowID
    }

    public func encode(to container: inout PersistenceContainer) throws {
        container["id"] = id
        for (name, value) in zip(Self.storedColumnNames, storedValues(snapshotJSON: try Self.snapshotJSON(snapshot))) {
            container[name] = value
        }
    }
}
