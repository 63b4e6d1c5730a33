import Foundation
import GRDB
import TocsinCore

// The records written on every ingest and every escalation step, encoded column by column
// instead of through Codable (GRDB's `encode(to:)` hook): the same columns and the same text
// (dates as `StoredDate`, JSON as `LabelJSON` and GRDB's own JSON encoder), at a fraction of the
// cost. Incidents, read on every ingest, are also decoded column by column (`init(row:)`); the
// others read through Codable. `RecordEncodingTests` checks that each one reads back equal.

/// A stored row's values by position: GRDB's `Row`, or values read from PostgreSQL in SQLite's shape.
protocol StoredValues {
    func value(at index: Int) -> DatabaseValue
}

extension Row: StoredValues {
    func value(at index: Int) -> DatabaseValue { self[index] }
}

extension Array: StoredValues where Element == DatabaseValue {
    func value(at index: Int) -> DatabaseValue { indices.contains(index) ? self[index] : .null }
}

extension Incident {
    /// The stored columns, in the order of the table, of ``storedColumnNames`` and of
    /// ``selection``: rows are read by position (``init(row:)``), not looked up by name.
    enum StoredColumn: Int, CaseIterable {
        case id, title, severity, state, source, receiver, groupKey, groupLabels, externalURL, createdAt, lastSeenAt,
            acknowledgedAt, acknowledgedBy, resolvedAt, resolvedBy, alertCount, firingCount, truncatedAlerts, drillRun,
            correlationID

        var name: String {
            switch self {
            case .id: "id"
            case .title: "title"
            case .severity: "severity"
            case .state: "state"
            case .source: "source"
            case .receiver: "receiver"
            case .groupKey: "group_key"
            case .groupLabels: "group_labels"
            case .externalURL: "external_url"
            case .createdAt: "created_at"
            case .lastSeenAt: "last_seen_at"
            case .acknowledgedAt: "acknowledged_at"
            case .acknowledgedBy: "acknowledged_by"
            case .resolvedAt: "resolved_at"
            case .resolvedBy: "resolved_by"
            case .alertCount: "alert_count"
            case .firingCount: "firing_count"
            case .truncatedAlerts: "truncated_alerts"
            case .drillRun: "drill_run"
            case .correlationID: "correlation_id"
            }
        }
    }

    /// Reads a row of ``selection`` (every query of incidents selects it, and GRDB's query
    /// interface does through ``databaseSelection``), by position.
    public init(row: Row) throws {
        try self.init(stored: row)
    }

    /// Reads the stored values of an incident by position: a SQLite row of ``selection``, or
    /// PostgreSQL's values in SQLite's shape (``TableLayout``).
    init(stored values: some StoredValues) throws {
        typealias At = StoredColumn
        func value(_ column: At) -> DatabaseValue { values.value(at: column.rawValue) }
        func text(_ column: At) -> String? { String.fromDatabaseValue(value(column)) }
        func number(_ column: At) -> Int? { Int.fromDatabaseValue(value(column)) }
        func date(_ column: At) -> Date? { StoredDate.parse(value(column)) }
        func malformed(_ column: At) -> StoreError {
            StoreError.malformed(column.name, of: "incident", id: Int64.fromDatabaseValue(value(.id)) ?? 0, holding: "\(value(column))")
        }
        func required<T>(_ read: (At) -> T?, _ column: At) throws -> T {
            guard let value = read(column) else { throw malformed(column) }
            return value
        }
        guard let state = text(.state).flatMap(IncidentState.init(rawValue:)) else { throw malformed(.state) }
        guard let groupLabels = text(.groupLabels).flatMap(StringMapJSON.decode) else { throw malformed(.groupLabels) }
        self.init(
            id: Int64.fromDatabaseValue(value(.id)), title: try required(text, .title), severity: try required(text, .severity), state: state,
            source: try required(text, .source), receiver: try required(text, .receiver), groupKey: try required(text, .groupKey),
            groupLabels: groupLabels, externalURL: try required(text, .externalURL), createdAt: try required(date, .createdAt),
            lastSeenAt: try required(date, .lastSeenAt), acknowledgedAt: date(.acknowledgedAt), acknowledgedBy: text(.acknowledgedBy),
            resolvedAt: date(.resolvedAt), resolvedBy: text(.resolvedBy), alertCount: try required(number, .alertCount),
            firingCount: try required(number, .firingCount), truncatedAlerts: try required(number, .truncatedAlerts),
            drillRun: text(.drillRun))
        correlationID = text(.correlationID)
    }

    /// The stored columns, `id` first: the one list that inserts (``insertRow(_:)``, `encode(to:)`)
    /// and updates (``updateAllColumns(_:)``) write, and that reads select.
    static let storedColumnNames = StoredColumn.allCases.map(\.name)

    /// ``storedColumnNames`` as SQL: what `SELECT` reads of an incident.
    static let selection = storedColumnNames.joined(separator: ", ")

    /// GRDB's query interface selects the same columns in the same order.
    public static var databaseSelection: [any SQLSelectable] { storedColumnNames.map { Column($0) } }

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
