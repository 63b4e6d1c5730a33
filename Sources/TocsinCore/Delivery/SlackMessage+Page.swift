import Foundation

extension SlackMessage {
    /// How many characters of an alert's name, labels and description a Slack section gives them
    /// (escaped), so that its links still fit under ``SlackBlock/textLimit``.
    static let nameBudget = 300
    static let labelsBudget = 500
    static let descriptionBudget = 1500

    /// The page as a Slack message (`format: slack`): a header with the severity in words and the
    /// title; a section with the incident's state, when it fired, why this message and the
    /// escalation's next step; a section per alert (up to ``PageFacts/alertLimit``, then a context
    /// line `… and N more`); and link buttons to acknowledge, resolve and open the incident.
    ///
    /// `text` is the fallback Slack shows in notifications, and Slack-compatible receivers without
    /// blocks show instead: the subject, ``PageFacts/briefText`` and the same links.
    public init(_ facts: PageFacts) {
        var blocks: [SlackBlock] = [.header("\(facts.badge): \(facts.title)")]
        var summary = [Self.escape(facts.stateLine), "*Fired:* \(Self.escape(facts.firedAtText))"]
        if !facts.detail.isEmpty { summary.append(Self.escape(facts.detail)) }
        summary += facts.escalations.map { "*Escalation:* \(Self.escape($0.line))" }
        blocks.append(.section(Self.fitted(summary)))
        blocks += facts.alerts.map { SlackBlock.section(Self.section(for: $0, facts: facts)) }
        if let more = facts.moreAlertsLine {
            blocks.append(.context("\(Self.escape(more)): \(Self.link(facts.incidentURL, "see them all"))"))
        }
        blocks.append(.actions(facts.actions.map(SlackButton.init(action:))))
        let links = facts.actions.map { Self.link($0.url, $0.label) }.joined(separator: " · ")
        self.init(text: "*\(Self.escape(facts.subject))*\n\(Self.escape(facts.briefText))\n\(links)", blocks: blocks)
    }

    /// One alert's section: its status and name, labels, when it started, description and links.
    static func section(for alert: PageFacts.AlertFacts, facts: PageFacts) -> String {
        var lines = ["*\(alert.status.rawValue.uppercased())* · *\(escaped(alert.name, budget: nameBudget))*"]
        if !alert.labels.isEmpty {
            lines.append(escaped(alert.labels.map(\.text).joined(separator: ", "), budget: labelsBudget))
        }
        lines.append(Self.escape(facts.when(alert)))
        if let description = alert.description { lines.append(escaped(description, budget: descriptionBudget)) }
        if !alert.links.isEmpty { lines.append(alert.links.map { link($0.url, $0.label) }.joined(separator: " · ")) }
        return fitted(lines)
    }

    /// A mrkdwn link. The URL is one of Tocsin's or passed ``AlertListing/isWebURL(_:)``; it is
    /// escaped all the same, and a `|` in it (which would end the URL) is percent-encoded.
    static func link(_ url: String, _ label: String) -> String {
        "<\(escape(url).replacingOccurrences(of: "|", with: "%7C"))|\(escape(label))>"
    }

    /// `text` escaped, cut with `…` once the escaped text would pass `budget` characters.
    static func escaped(_ text: String, budget: Int) -> String {
        var out = ""
        var count = 0
        for character in text {
            let piece = escape(String(character))
            if count + piece.count > budget - 1 { return out + "…" }
            out += piece
            count += piece.count
        }
        return out
    }

    /// `lines` joined, as many as fit in a section (the first always, cut if it must be).
    static func fitted(_ lines: [String]) -> String {
        var text = ""
        for line in lines {
            let next = text.isEmpty ? line : text + "\n" + line
            if next.count > SlackBlock.textLimit { break }
            text = next
        }
        return text.isEmpty ? SlackText.cut(lines.first ?? "", to: SlackBlock.textLimit) : text
    }
}

extension SlackButton {
    /// The link button of a page's action: Acknowledge is Slack's primary (green) button.
    public init(action: PageFacts.Action) {
        self.init(
            text: action.label, url: action.url, actionID: action.kind.rawValue,
            style: action.kind == .acknowledge ? "primary" : nil)
    }
}
