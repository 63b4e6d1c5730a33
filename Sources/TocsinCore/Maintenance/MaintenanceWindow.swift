import Foundation

/// A maintenance window: while it is open, alerts matching its matchers (Alertmanager's syntax,
/// from any source) are stored and shown, marked as held by it, but page nobody. When it ends (or
/// is removed), the alerts it held that still fire are paged as new, at once.
///
/// A window holds alerts as they start firing; an escalation already running when it opens goes
/// on (a window never silences a page under way).
public struct MaintenanceWindow: Sendable, Equatable {
    public var id: Int64?
    /// Every matcher must match an alert's labels; at least one is required.
    public var matchers: [Matcher]
    public var startsAt: Date
    public var endsAt: Date
    public var note: String?
    public var createdBy: String
    public var createdAt: Date
    /// When it was removed before its end, if it was.
    public var removedAt: Date?

    /// The longest window `serve --max-maintenance` allows by default (longer ones need `force`).
    public static let defaultMaxLength: TimeInterval = 7 * 86_400

    public init(
        id: Int64? = nil, matchers: [Matcher], startsAt: Date, endsAt: Date, note: String? = nil, createdBy: String, createdAt: Date,
        removedAt: Date? = nil
    ) {
        self.id = id
        self.matchers = matchers
        self.startsAt = startsAt
        self.endsAt = endsAt
        self.note = note
        self.createdBy = createdBy
        self.createdAt = createdAt
        self.removedAt = removedAt
    }

    /// Whether the window holds alerts at `now`.
    public func isOpen(at now: Date) -> Bool {
        removedAt == nil && startsAt <= now && now < endsAt
    }

    /// When it stops holding alerts: its end, or its removal.
    public var closesAt: Date { removedAt.map { min($0, endsAt) } ?? endsAt }

    /// Whether it matches an alert with `labels`.
    public func matches(_ labels: [String: String]) -> Bool {
        !matchers.isEmpty && matchers.allSatisfy { $0.matches(labels) }
    }

    /// `cluster="eu1", severity=~"warning|info"`.
    public var matcherDescription: String { matchers.map(\.description).joined(separator: ", ") }

    /// Why a window from `startsAt` to `endsAt` cannot be added at `now`, naming the field, or nil.
    public static func problem(
        matchers: [Matcher], startsAt: Date, endsAt: Date, now: Date, maxLength: TimeInterval, force: Bool
    ) -> IngestValidationError? {
        if matchers.isEmpty {
            return IngestValidationError(field: "matchers", problem: "at least one matcher is required (a window matching everything would silence every page)")
        }
        if matchers.allSatisfy({ $0.matches([:]) }) {
            return IngestValidationError(
                field: "matchers",
                problem: "they match alerts without any of these labels, so the window would hold nearly every page; "
                    + "add a matcher that selects what is under maintenance, such as cluster=\"eu1\"")
        }
        if endsAt <= startsAt {
            return IngestValidationError(field: "until", problem: "must be after from")
        }
        if endsAt <= now {
            return IngestValidationError(field: "until", problem: "is in the past")
        }
        if !force, endsAt.timeIntervalSince(startsAt) > maxLength {
            return IngestValidationError(
                field: "until",
                problem: "the window is longer than \(PolicyDuration.format(maxLength)) (serve --max-maintenance); force it if you mean it")
        }
        return nil
    }
}

/// The open maintenance windows at one instant, and which alerts they hold.
public struct MaintenanceHold: Sendable, Equatable {
    public var windows: [MaintenanceWindow]

    public init(windows: [MaintenanceWindow] = []) {
        self.windows = windows
    }

    /// The open windows of `all` at `now`.
    public init(_ all: [MaintenanceWindow], at now: Date) {
        windows = all.filter { $0.isOpen(at: now) }
    }

    /// The window that holds an alert with `labels`, if any (the earliest added).
    public func window(holding labels: [String: String]) -> MaintenanceWindow? {
        windows.first { $0.matches(labels) }
    }
}
