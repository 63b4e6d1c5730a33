import GRDB
import TocsinCore

// The one place where Tocsin's typed protocol values become SQL text. Values are bound as
// arguments where a statement varies; statements written once (and the partial indexes they must
// match, such as `outbox_ready`) spell them with these literals instead of string constants.

extension RawRepresentable where RawValue == String {
    /// The value as an SQL string literal: `'pending'`.
    var sql: String { "'" + rawValue.replacingOccurrences(of: "'", with: "''") + "'" }
}

extension Sequence where Element: RawRepresentable, Element.RawValue == String {
    /// The values as an SQL list: `('pending', 'retry')`.
    var sqlList: String { "(" + map(\.sql).joined(separator: ", ") + ")" }
}

extension Medium: DatabaseValueConvertible {}
extension OutboxEntry.State: DatabaseValueConvertible {}
extension NotificationEvent: DatabaseValueConvertible {}
extension IncidentState: DatabaseValueConvertible {}
extension AlertStatus: DatabaseValueConvertible {}
extension TimelineEvent.Kind: DatabaseValueConvertible {}
