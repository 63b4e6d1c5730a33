import GRDB
import TocsinCore

// Core's domain types are stored as they are: their Codable keys are the column names.

extension Fingerprint: DatabaseValueConvertible {
    public var databaseValue: DatabaseValue { description.databaseValue }

    public static func fromDatabaseValue(_ dbValue: DatabaseValue) -> Fingerprint? {
        String.fromDatabaseValue(dbValue).flatMap(Fingerprint.init(hex:))
    }
}

extension IncidentState: DatabaseValueConvertible {}
extension AlertStatus: DatabaseValueConvertible {}
extension TimelineEvent.Kind: DatabaseValueConvertible {}

extension Incident: FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "incidents"

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}

extension IncidentAlert: FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "incident_alerts"

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}

extension TimelineEvent: FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "timeline_events"

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}

extension Escalation: FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "escalations"

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}

extension OutboxEntry: FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "outbox"

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}

extension OutboxEntry.State: DatabaseValueConvertible {}
extension NotificationEvent: DatabaseValueConvertible {}
