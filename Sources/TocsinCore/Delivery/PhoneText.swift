import Foundation

/// What a text message says of a notification: one SMS (160 characters) whenever it can be, the
/// incident, its severity, its title cut to fit, and how to answer.
///
/// `Tocsin #42 CRITICAL Disk almost full on db1. Reply 42A to ack, 42R to resolve`
public enum PhoneText {
    /// The longest text that goes out as one SMS in the GSM-7 alphabet.
    public static let singleMessage = 160

    /// The text of `event` about `incident`; `actor` names who acknowledged or resolved it.
    public static func sms(_ event: NotificationEvent, incidentID: Int64, severity: String, title: String, actor: String? = nil) -> String {
        let head = "Tocsin #\(incidentID) "
        let tail: String
        let lead: String
        switch event {
        case .triggered, .escalated, .reminder:
            lead = severity.uppercased() + " "
            tail = "Reply \(incidentID)A to ack, \(incidentID)R to resolve"
        case .acknowledged:
            lead = "acknowledged" + (actor.map { " by \($0)" } ?? "") + ": "
            tail = "Reply \(incidentID)R to resolve"
        case .resolved:
            lead = "resolved" + (actor.map { " by \($0)" } ?? "") + ": "
            tail = ""
        case .note:
            lead = "note: "
            tail = ""
        }
        let room = singleMessage - head.count - lead.count - (tail.isEmpty ? 0 : tail.count + 2)
        let text = clipped(title, to: max(room, 20))
        guard !tail.isEmpty else { return head + lead + text }
        return head + lead + text + (text.hasSuffix("...") ? " " : ". ") + tail
    }

    /// The one text a phone gets in an hour once the rate limit holds its texts and calls back.
    public static func rateNotice(limit: Int, consoleURL: String) -> String {
        "\(rateNoticePrefix) \(limit) texts and calls this hour; more incidents may be open: \(consoleURL). Email goes on."
    }

    /// How the rate notice begins.
    public static let rateNoticePrefix = "Tocsin: texts paused after"

    /// Why a text or call was held back with the rate notice sent in its place (its outbox row's
    /// reason, by which the notice is known to have gone out this hour).
    public static let rateNoticeSentReason = "held back by the phone rate limit; the rate notice was sent in its place"

    /// `text`, or its start and `...` when longer than `limit` characters (GSM-7 has no ellipsis).
    static func clipped(_ text: String, to limit: Int) -> String {
        let flat = text.split(whereSeparator: \.isNewline).joined(separator: " ")
        guard flat.count > limit else { return flat }
        return String(flat.prefix(max(limit - 3, 0))).trimmingCharacters(in: .whitespaces) + "..."
    }
}
