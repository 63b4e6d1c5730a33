import Foundation
import TocsinAPI
import TocsinCore

/// Turns an outbox entry into the bytes that go out: the webhook body (Tocsin JSON or Slack), or
/// the email message, with signed ack/resolve links.
struct NotificationRenderer: Sendable {
    let settings: DeliverySettings
    let signer: LinkSigner

    /// Where a person opens the incident: its page in the web console.
    func incidentURL(_ id: Int64) -> String {
        "\(settings.publicURL)/ui/incidents/\(id)"
    }

    /// Where a signed one-click link acts on the incident (it needs no session).
    func actionURL(_ id: Int64, _ action: LinkAction) -> String {
        "\(settings.publicURL)/api/v1/incidents/\(id)/\(action.rawValue)"
    }

    /// Where Twilio fetches what a call says (`/twilio/voice/{incident}/{token}`): signed like the
    /// one-click links, for the person called, valid as long as they are.
    func voiceURL(_ entry: OutboxEntry, now: Date) -> String {
        let grant = LinkSigner.Grant(
            incidentID: entry.incidentID, action: TwilioSettings.voiceAction, actor: Self.actor(forTarget: entry.target), channel: "voice",
            expires: now.addingTimeInterval(settings.linkLifetime))
        return "\(settings.publicURL)/twilio/voice/\(entry.incidentID)/\(signer.token(for: grant))"
    }

    /// Signed links for the actions that make sense after this event.
    func links(for entry: OutboxEntry, now: Date) -> WebhookPayload.Links {
        let actions: [LinkAction] =
            switch entry.event {
            case .triggered, .escalated, .reminder: [.ack, .resolve]
            case .acknowledged: [.resolve]
            case .resolved: []
            case .note: []
            }
        var links = WebhookPayload.Links()
        for action in actions {
            let grant = LinkSigner.Grant(
                incidentID: entry.incidentID, action: action.rawValue, actor: Self.actor(forTarget: entry.target),
                channel: "\(entry.medium)-link",
                expires: now.addingTimeInterval(settings.linkLifetime))
            let url = "\(actionURL(entry.incidentID, action))?token=\(signer.token(for: grant))"
            switch action {
            case .ack: links.ack = url
            case .resolve: links.resolve = url
            }
        }
        return links
    }

    /// What every format of the page says: `escalations` are the incident's live ones, times are
    /// in the recipient's `timeZone`.
    func pageFacts(
        _ entry: OutboxEntry, incident: Incident, alerts: [IncidentAlert], escalations: [Escalation], timeZone: TimeZone,
        now: Date
    ) -> PageFacts {
        PageFacts(
            entry: entry, incident: incident, alerts: alerts, escalations: escalations,
            incidentURL: incidentURL(entry.incidentID), links: links(for: entry, now: now), timeZone: timeZone, now: now)
    }

    func webhookBody(
        _ entry: OutboxEntry, incident: Incident, alerts: [IncidentAlert], escalations: [Escalation] = [],
        timeZone: TimeZone = ReadableTime.utc, format: WebhookSettings.Format, now: Date
    ) throws -> String {
        let facts = pageFacts(entry, incident: incident, alerts: alerts, escalations: escalations, timeZone: timeZone, now: now)
        switch format {
        case .tocsin:
            var payload = WebhookPayload(facts, entry: entry, incident: incident, alerts: alerts)
            payload.incident.apiURL = "\(settings.publicURL)/api/v1/incidents/\(entry.incidentID)"
            return String(decoding: try JSONWriter.bytes(of: payload), as: UTF8.self)
        case .slack:
            return String(decoding: try TocsinJSON.encoder().encode(SlackMessage(facts)), as: UTF8.self)
        }
    }

    func email(
        _ entry: OutboxEntry, incident: Incident, alerts: [IncidentAlert], escalations: [Escalation] = [],
        timeZone: TimeZone = ReadableTime.utc, from: String, now: Date
    ) -> String {
        let facts = pageFacts(entry, incident: incident, alerts: alerts, escalations: escalations, timeZone: timeZone, now: now)
        return EmailMessage.notification(facts, entry: entry, from: from, date: now).rendered(randomToken: Self.randomToken())
    }

    /// 128 random bits as hex, from the system's secure generator: a MIME boundary no alert text
    /// can predict.
    static func randomToken() -> String {
        var generator = SystemRandomNumberGenerator()
        return [generator.next(), generator.next()].map { (value: UInt64) in
            let hex = String(value, radix: 16)
            return String(repeating: "0", count: 16 - hex.count) + hex
        }.joined()
    }

    /// The name a link acts under: `alice` for `person:alice`, the channel or address otherwise.
    /// Who a link acts as: the person or address it was sent to, or `channel:NAME` for a shared
    /// channel, whose link asks who is acting (``LinkSigner/Grant/sharedChannel``).
    static func actor(forTarget target: String) -> String {
        for prefix in ["person:", "email:"] where target.hasPrefix(prefix) {
            return String(target.dropFirst(prefix.count))
        }
        return target
    }
}
