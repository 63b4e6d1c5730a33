import Foundation

/// The answers of `GET /api/v1/oncall` and `GET /api/v1/oncall/shifts`, shared with the CLI.
public enum OnCallAPI {
    /// One schedule at an instant: who is on call, and who is next.
    public struct Current: Codable, Sendable {
        public var schedule: String
        public var timezone: String
        public var at: Date
        public var oncall: Shift?
        public var next: Shift?
    }

    /// A stretch of time with one person on call (nobody, in a gap: `person` is nil).
    public struct Shift: Codable, Sendable {
        public var person: String?
        /// `layer NAME`, `override #ID`, or `gap`.
        public var source: String
        public var start: Date
        public var end: Date
    }

    /// A schedule's resolved shifts over a period.
    public struct Timeline: Codable, Sendable {
        public var schedule: String
        public var timezone: String
        public var shifts: [Shift]
    }
}
