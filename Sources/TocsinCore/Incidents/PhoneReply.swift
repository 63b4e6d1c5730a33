import Foundation

/// A reply to a page's text: `42A` or `ack 42` acknowledges incident 42, `42R` or `resolve 42`
/// resolves it (any case, spaces and a `#` allowed).
public struct PhoneReply: Sendable, Equatable {
    public enum Action: String, Sendable {
        case acknowledge, resolve
    }

    public var incidentID: Int64
    public var action: Action

    public init(incidentID: Int64, action: Action) {
        self.incidentID = incidentID
        self.action = action
    }

    /// The reply `text` asks for, or nil when it is not one.
    public init?(_ text: String) {
        let words = text.lowercased().replacingOccurrences(of: "#", with: " ")
            .split(whereSeparator: { $0.isWhitespace }).map(String.init)
        switch words.count {
        case 1:
            // 42A, 42R
            let word = words[0]
            guard let last = word.last, let id = Int64(word.dropLast()), id > 0 else { return nil }
            switch last {
            case "a": self.init(incidentID: id, action: .acknowledge)
            case "r": self.init(incidentID: id, action: .resolve)
            default: return nil
            }
        case 2:
            // ack 42, resolve 42; also 42 a
            if let id = Int64(words[1]), id > 0, let action = Self.verbs[words[0]] {
                self.init(incidentID: id, action: action)
            } else if let id = Int64(words[0]), id > 0, let action = Self.verbs[words[1]] {
                self.init(incidentID: id, action: action)
            } else {
                return nil
            }
        default:
            return nil
        }
    }

    private static let verbs: [String: Action] = [
        "a": .acknowledge, "ack": .acknowledge, "acknowledge": .acknowledge, "r": .resolve, "resolve": .resolve,
    ]
}
