import Foundation
import GRDB
import TocsinCore

// Core's domain types are stored as they are: their Codable keys are the column names.

extension Fingerprint: DatabaseValueConvertible {
    public var databaseValue: DatabaseValue { description.databaseValue }

    public static func fromDatabaseValue(_ dbValue: DatabaseValue) -> Fingerprint? {
        String.fromDatabaseValue(dbValue).flatMap(Fingerprint.init(hex:))
    }
}


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

extension DeliveryAttempt: FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "delivery_attempts"

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}


/// Dates as SQLite text, `2026-11-26 23:32:42.330` (UTC): the layout GRDB reads, written without
/// Foundation's `DateFormatter`, which costs more than the rest of an escalation step.
enum StoredDate {
    static func text(_ date: Date) -> String {
        RFC3339.format(date, separator: " ", suffix: "")
    }

    /// Reads the text layout above (as written by Tocsin or GRDB), without Foundation's calendar.
    static func parse(_ value: DatabaseValue) -> Date? {
        guard let text = String.fromDatabaseValue(value) else { return Date.fromDatabaseValue(value) }
        return RFC3339.parse(text.hasSuffix("Z") ? text : text + "Z") ?? Date.fromDatabaseValue(value)
    }

    static let encoding = DatabaseDateEncodingStrategy.custom { text($0) }
    static let decoding = DatabaseDateDecodingStrategy.custom { parse($0) }
}

extension IncidentAlert {
    public static func databaseDateEncodingStrategy(for column: String) -> DatabaseDateEncodingStrategy { StoredDate.encoding }
    public static func databaseDateDecodingStrategy(for column: String) -> DatabaseDateDecodingStrategy { StoredDate.decoding }
}

extension TimelineEvent {
    // Written column by column (`encode(to:)` in HotRecordEncoding.swift); read through Codable.
    public static func databaseDateDecodingStrategy(for column: String) -> DatabaseDateDecodingStrategy { StoredDate.decoding }
}

extension Escalation {
    // Written column by column (`encode(to:)` in HotRecordEncoding.swift); read through Codable.
    public static func databaseDateDecodingStrategy(for column: String) -> DatabaseDateDecodingStrategy { StoredDate.decoding }
}

extension OutboxEntry {
    public static func databaseDateEncodingStrategy(for column: String) -> DatabaseDateEncodingStrategy { StoredDate.encoding }
    public static func databaseDateDecodingStrategy(for column: String) -> DatabaseDateDecodingStrategy { StoredDate.decoding }
}

extension DeliveryAttempt {
    public static func databaseDateEncodingStrategy(for column: String) -> DatabaseDateEncodingStrategy { StoredDate.encoding }
    public static func databaseDateDecodingStrategy(for column: String) -> DatabaseDateDecodingStrategy { StoredDate.decoding }
}

extension User {
    public static func databaseDateEncodingStrategy(for column: String) -> DatabaseDateEncodingStrategy { StoredDate.encoding }
    public static func databaseDateDecodingStrategy(for column: String) -> DatabaseDateDecodingStrategy { StoredDate.decoding }
}
