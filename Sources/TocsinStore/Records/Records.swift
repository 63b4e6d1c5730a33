import Foundation
import GRDB
import TocsinCore

// Core's domain types are the rows of their tables: their coding keys are the column names
// (``RecordColumns``), read through Codable; the hot ones are written column by column
// (HotRecordEncoding.swift). None of them is the API's JSON: that is TocsinAPI's.

/// A record whose dates are stored as ``StoredDate`` text.
public protocol StoredDateRecord: FetchableRecord, EncodableRecord {}

extension StoredDateRecord {
    public static func databaseDateEncodingStrategy(for column: String) -> DatabaseDateEncodingStrategy { StoredDate.encoding }
    public static func databaseDateDecodingStrategy(for column: String) -> DatabaseDateDecodingStrategy { StoredDate.decoding }
}

/// A record whose id is SQLite's row id, known once it is inserted.
public protocol RowIDRecord: StoredDateRecord, MutablePersistableRecord {
    var id: Int64? { get set }
}

extension RowIDRecord {
    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}

extension Fingerprint: DatabaseValueConvertible {
    public var databaseValue: DatabaseValue { description.databaseValue }

    public static func fromDatabaseValue(_ dbValue: DatabaseValue) -> Fingerprint? {
        String.fromDatabaseValue(dbValue).flatMap(Fingerprint.init(hex:))
    }
}

extension Incident: RowIDRecord {
    public static let databaseTableName = "incidents"
}

extension IncidentAlert: RowIDRecord {
    public static let databaseTableName = "incident_alerts"
}

extension TimelineEvent: RowIDRecord {
    public static let databaseTableName = "timeline_events"
}

extension Escalation: RowIDRecord {
    public static let databaseTableName = "escalations"
}

extension OutboxEntry: RowIDRecord {
    public static let databaseTableName = "outbox"
}

extension DeliveryAttempt: RowIDRecord {
    public static let databaseTableName = "delivery_attempts"
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
        return parse(text: text)
    }

    static func parse(text: String) -> Date? {
        RFC3339.parse(text, utcWithoutOffset: true) ?? Date.fromDatabaseValue(text.databaseValue)
    }

    static let encoding = DatabaseDateEncodingStrategy.custom { text($0) }
    static let decoding = DatabaseDateDecodingStrategy.custom { parse($0) }
}

