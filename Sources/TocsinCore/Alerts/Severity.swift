/// The `severity` label of an alert, ranked so an incident can take its highest.
///
/// Known values rank `critical` > `error` > `warning` > `info`; any other value ranks below
/// `info` but is kept verbatim, so a team's own vocabulary still shows up.
public struct Severity: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The label value as sent, lower-cased.
    public let label: String

    public static let critical = Severity(label: "critical")
    public static let error = Severity(label: "error")
    public static let warning = Severity(label: "warning")
    public static let info = Severity(label: "info")
    /// Used when no alert of an incident carries a `severity` label.
    public static let none = Severity(label: "none")

    public init(label: String) {
        self.label = label.lowercased()
    }

    /// Higher is more severe.
    public var rank: Int {
        switch label {
        case "critical", "page", "emergency", "fatal": 5
        case "error", "high", "major": 4
        case "warning", "warn", "medium", "minor": 3
        case "info", "low", "informational": 2
        case "none": 0
        default: 1
        }
    }

    public var description: String { label }

    public static func < (lhs: Severity, rhs: Severity) -> Bool {
        lhs.rank < rhs.rank || (lhs.rank == rhs.rank && lhs.label < rhs.label)
    }
}
