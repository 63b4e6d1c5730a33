/// A person who can be paged, from `people:` in the policy files.
public struct Person: Sendable, Equatable {
    public var name: String
    public var email: String?
    /// A phone number in E.164 form (`+441632960001`), for SMS and voice calls.
    public var phone: String?
    public var webhooks: [String]
    /// The order in which a page reaches this person (`notify:`); empty: every contact method at
    /// once except a call (email, webhooks and a text), as before rules existed.
    public var notify: [NotificationRule]
    /// IANA time zone name, e.g. `Europe/London` (used by schedules; shown to people).
    public var timezone: String?
    /// How this person's webhooks are written and signed.
    public var webhook: WebhookSettings
    public var location: SourceLocation?

    public init(
        name: String, email: String? = nil, webhooks: [String] = [], timezone: String? = nil,
        webhook: WebhookSettings = WebhookSettings(), location: SourceLocation? = nil, phone: String? = nil,
        notify: [NotificationRule] = []
    ) {
        self.name = name
        self.email = email
        self.phone = phone
        self.notify = notify
        self.webhooks = webhooks
        self.timezone = timezone
        self.webhook = webhook
        self.location = location
    }

    /// Every way to reach this person: email, webhooks, and a text and a call to the phone.
    public var contacts: [Contact] {
        (email.map { [Contact.email($0)] } ?? []) + webhooks.map { Contact.webhook($0) }
            + (phone.map { [Contact.sms($0), Contact.voice($0)] } ?? [])
    }

    /// The contact methods this person has (`via:` of a rule must name one of them).
    public var media: Set<Medium> { Set(contacts.map(\.medium)) }
}

/// A shared destination, from `channels:`: team chat, a ticketing system, a mailing list.
public struct Channel: Sendable, Equatable {
    public var name: String
    public var webhooks: [String]
    public var emails: [String]
    /// How this channel's webhooks are written and signed.
    public var webhook: WebhookSettings
    public var location: SourceLocation?

    public init(
        name: String, webhooks: [String] = [], emails: [String] = [], webhook: WebhookSettings = WebhookSettings(),
        location: SourceLocation? = nil
    ) {
        self.name = name
        self.webhooks = webhooks
        self.emails = emails
        self.webhook = webhook
        self.location = location
    }

    public var contacts: [Contact] {
        webhooks.map { Contact.webhook($0) } + emails.map { Contact.email($0) }
    }
}

/// One concrete way to deliver a notification.
public enum Contact: Sendable, Hashable, Codable, CustomStringConvertible {
    case email(String)
    case webhook(String)
    /// A text message to this phone number (E.164).
    case sms(String)
    /// A call to this phone number (E.164).
    case voice(String)

    /// How this contact is reached.
    public var medium: Medium {
        switch self {
        case .email: .email
        case .webhook: .webhook
        case .sms: .sms
        case .voice: .voice
        }
    }

    /// The address, URL or phone number.
    public var address: String {
        switch self {
        case .email(let address), .webhook(let address), .sms(let address), .voice(let address): address
        }
    }

    public var description: String { "\(medium):\(address)" }

    /// `email-9f3c…` / `webhook-1a2b…`: the contact in idempotency keys, logs and headers, without
    /// the address itself (a webhook URL is often a credential).
    public var keyComponent: String {
        "\(medium)-\(Fingerprint(labels: ["address": address]))"
    }
}

/// Who a policy step notifies, as written in the policy: a person, a channel, a bare address,
/// or whoever is on call for a schedule when the step runs (`next`: the person after them).
public enum NotifyTarget: Sendable, Hashable, Codable, CustomStringConvertible {
    case person(String)
    case channel(String)
    case email(String)
    case oncall(String, next: Bool)

    /// A stable key such as `person:alice`, used in idempotency keys.
    public var key: String {
        switch self {
        case .person(let name): "person:\(name)"
        case .channel(let name): "channel:\(name)"
        case .email(let address): "email:\(address)"
        case .oncall(let schedule, let next): "oncall:\(schedule)" + (next ? ":next" : "")
        }
    }

    public var description: String { key }
}

/// How webhooks to a person or channel are written and signed.
public struct WebhookSettings: Sendable, Equatable {
    /// The body Tocsin POSTs.
    public enum Format: String, Sendable, CaseIterable {
        /// Tocsin's versioned JSON payload (``WebhookPayload``).
        case tocsin
        /// Slack-compatible incoming-webhook JSON.
        case slack
    }

    public var format: Format
    /// HMAC secrets for `X-Tocsin-Signature`; two during a rotation, none for no signature.
    public var secrets: [String]

    public init(format: Format = .tocsin, secrets: [String] = []) {
        self.format = format
        self.secrets = secrets
    }
}
