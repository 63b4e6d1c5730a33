import Foundation

/// One Block Kit block of a Slack message, encoded as Slack reads it.
///
/// Slack refuses a message whose texts are too long; encoding keeps to its limits whatever a block
/// holds: plain text is cut (``headerLimit``, ``SlackButton/textLimit``), mrkdwn is cut before an
/// entity or a link it would split (``textLimit``). mrkdwn given to a block must be escaped already
/// (``SlackMessage/escape(_:)``); plain text needs no escaping (Slack does not parse it).
public enum SlackBlock: Codable, Sendable, Equatable {
    /// Large plain text: `{"type": "header", "text": {"type": "plain_text", "text": …}}`.
    case header(String)
    /// mrkdwn text: `{"type": "section", "text": {"type": "mrkdwn", "text": …}}`.
    case section(String)
    /// Small mrkdwn text: `{"type": "context", "elements": [{"type": "mrkdwn", "text": …}]}`.
    case context(String)
    /// Link buttons: `{"type": "actions", "elements": [{"type": "button", …}]}`.
    case actions([SlackButton])

    /// The most characters of a header's text.
    public static let headerLimit = 150
    /// The most characters of a section's or a context element's text.
    public static let textLimit = 3000

    private enum CodingKeys: String, CodingKey {
        case type, text, elements
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .header(let text):
            try container.encode("header", forKey: .type)
            try container.encode(SlackText(plain: text, limit: Self.headerLimit), forKey: .text)
        case .section(let text):
            try container.encode("section", forKey: .type)
            try container.encode(SlackText(mrkdwn: text), forKey: .text)
        case .context(let text):
            try container.encode("context", forKey: .type)
            try container.encode([SlackText(mrkdwn: text)], forKey: .elements)
        case .actions(let buttons):
            try container.encode("actions", forKey: .type)
            try container.encode(buttons, forKey: .elements)
        }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let type = try container.decode(String.self, forKey: .type)
        switch type {
        case "header": self = .header(try container.decode(SlackText.self, forKey: .text).text)
        case "section": self = .section(try container.decode(SlackText.self, forKey: .text).text)
        case "context": self = .context(try container.decode([SlackText].self, forKey: .elements).map(\.text).joined(separator: "\n"))
        case "actions": self = .actions(try container.decode([SlackButton].self, forKey: .elements))
        default:
            throw DecodingError.dataCorruptedError(forKey: .type, in: container, debugDescription: "unknown block type \(type)")
        }
    }
}

/// A link button: `{"type": "button", "text": {"type": "plain_text", "text": "Acknowledge"},
/// "url": …, "action_id": "acknowledge", "style": "primary"}`.
public struct SlackButton: Codable, Sendable, Equatable {
    /// The most characters of a button's text.
    public static let textLimit = 75

    public var text: String
    public var url: String
    public var actionID: String
    /// `primary` (green) or `danger` (red); nil for Slack's plain button.
    public var style: String?

    public init(text: String, url: String, actionID: String, style: String? = nil) {
        self.text = text
        self.url = url
        self.actionID = actionID
        self.style = style
    }

    private enum CodingKeys: String, CodingKey {
        case type, text, url, style
        case actionID = "action_id"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode("button", forKey: .type)
        try container.encode(SlackText(plain: text, limit: Self.textLimit), forKey: .text)
        try container.encode(url, forKey: .url)
        try container.encode(actionID, forKey: .actionID)
        try container.encodeIfPresent(style, forKey: .style)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        text = try container.decode(SlackText.self, forKey: .text).text
        url = try container.decode(String.self, forKey: .url)
        actionID = try container.decodeIfPresent(String.self, forKey: .actionID) ?? ""
        style = try container.decodeIfPresent(String.self, forKey: .style)
    }
}

/// A Slack text object, `plain_text` or `mrkdwn`, cut to its limit.
struct SlackText: Codable, Sendable, Equatable {
    var type: String
    var text: String

    init(plain text: String, limit: Int) {
        self.type = "plain_text"
        self.text = PageFacts.clipped(text, to: limit)
    }

    init(mrkdwn text: String) {
        self.type = "mrkdwn"
        self.text = Self.cut(text, to: SlackBlock.textLimit)
    }

    /// Escaped mrkdwn cut to `limit` characters with `…`, never inside an entity (`&amp;`) or a
    /// link (`<url|label>`).
    static func cut(_ text: String, to limit: Int) -> String {
        guard text.count > limit else { return text }
        var kept = String(text.prefix(max(limit - 1, 0)))
        if let amp = kept.lastIndex(of: "&"), !kept[amp...].contains(";") { kept = String(kept[..<amp]) }
        if let open = kept.lastIndex(of: "<"), !kept[open...].contains(">") { kept = String(kept[..<open]) }
        return kept + "…"
    }
}
