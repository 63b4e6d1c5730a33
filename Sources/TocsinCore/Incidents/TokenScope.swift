/// What an API token may do. `admin` includes everything; `respond` includes `read`.
public enum TokenScope: String, Sendable, Codable, CaseIterable, Comparable {
    /// Post alerts to the ingest endpoint (when it asks for a token).
    case ingest
    /// Read incidents, deliveries, schedules, overrides and drills.
    case read
    /// Acknowledge and resolve incidents, add and remove on-call overrides.
    case respond
    /// Reload policies, retry deliveries, run live drills.
    case admin

    /// The scopes a new user's first token gets unless told otherwise.
    public static let defaults: Set<TokenScope> = [.read, .respond]

    /// Whether a token with `scopes` may do what `self` allows.
    public func isGranted(by scopes: Set<TokenScope>) -> Bool {
        scopes.contains(self) || scopes.contains(.admin) || (self == .read && scopes.contains(.respond))
    }

    /// `read,respond` → the scopes; nil when a name is unknown or the list is empty.
    public static func parse(_ list: String) -> Set<TokenScope>? {
        let names = list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        guard !names.isEmpty else { return nil }
        var scopes: Set<TokenScope> = []
        for name in names {
            guard let scope = TokenScope(rawValue: name) else { return nil }
            scopes.insert(scope)
        }
        return scopes
    }

    /// `read,respond`, in a stable order.
    public static func format(_ scopes: Set<TokenScope>) -> String {
        scopes.sorted().map(\.rawValue).joined(separator: ",")
    }

    public static func < (lhs: TokenScope, rhs: TokenScope) -> Bool {
        allCases.firstIndex(of: lhs) ?? 0 < allCases.firstIndex(of: rhs) ?? 0
    }
}
