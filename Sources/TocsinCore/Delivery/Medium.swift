/// How a notification travels: the kinds of ``Contact`` Tocsin delivers to. Its raw value is the
/// word used in policies, drills, the outbox, the API and metrics labels.
public enum Medium: String, Sendable, Hashable, Codable, CaseIterable, Comparable, CustomStringConvertible {
    case webhook
    case email
    /// A text message to a phone number, through Twilio.
    case sms
    /// A phone call that reads the page and takes a key press, through Twilio.
    case voice

    public var description: String { rawValue }

    /// Alphabetical, as listings show media.
    public static func < (lhs: Medium, rhs: Medium) -> Bool { lhs.rawValue < rhs.rawValue }
}

extension Contact {
    /// The contact that reaches `address` by `medium`.
    public init(medium: Medium, address: String) {
        switch medium {
        case .email: self = .email(address)
        case .webhook: self = .webhook(address)
        case .sms: self = .sms(address)
        case .voice: self = .voice(address)
        }
    }
}
