import Foundation

/// An alert event of PagerDuty's Events API v2 (`POST /v2/enqueue`), read and validated.
///
/// Tools that already page through PagerDuty (Alertmanager's `pagerduty_configs`, Grafana, Datadog,
/// cron wrappers, …) can send the same body to Tocsin. ``decode(_:receivedAt:)`` checks it the way
/// PagerDuty documents it and reports every problem at once (``Invalid``), and
/// ``batch(integration:integrationLabels:dedupKey:receivedAt:resolving:)`` turns a `trigger` or
/// `resolve` into the ``AlertBatch`` every source produces. An `acknowledge` has no batch: the
/// server acknowledges the incident keyed by the integration (as receiver) and the ``dedupKey``
/// (as group key).
///
/// What is kept of the body:
/// - `routing_key`, `event_action`, `dedup_key`;
/// - `payload` (``Payload``): `summary`, `source`, `severity`, `timestamp`, `component`, `group`,
///   `class` and `custom_details`, the last as compact JSON text;
/// - `links` and `images` (``Link``, ``Image``), and the top-level `client` and `client_url`
///   from PagerDuty's documented example.
///
/// Unknown keys, at the top level and in `payload`, are passed over, as PagerDuty does; when an
/// object repeats a key, its first occurrence counts. `null` reads as absent.
public struct PagerDutyEvent: Sendable, Equatable {
    /// What the event asks for (`event_action`).
    public enum Action: String, Sendable, Equatable, CaseIterable {
        /// Opens an alert, or updates the open one with the same dedup key.
        case trigger
        /// Acknowledges the incident with the dedup key.
        case acknowledge
        /// Resolves the alert with the dedup key.
        case resolve
    }

    /// PagerDuty's severity levels (`payload.severity`), mapped to Tocsin's `severity` label by
    /// ``label``.
    public enum Severity: String, Sendable, Equatable, CaseIterable {
        /// High urgency in PagerDuty.
        case critical
        /// High urgency in PagerDuty.
        case error
        /// Low urgency in PagerDuty.
        case warning
        /// Low urgency in PagerDuty.
        case info

        /// The `severity` label Tocsin's routes match.
        ///
        /// | PagerDuty | label | why |
        /// |---|---|---|
        /// | `critical` | `critical` | |
        /// | `error` | `critical` | PagerDuty treats `error` as high urgency, so it pages at once |
        /// | `warning` | `warning` | |
        /// | `info` | `info` | low urgency; the default route takes it like a warning |
        ///
        /// PagerDuty's own value is kept in the `pagerduty_severity` label, for routes that tell
        /// `error` from `critical`.
        public var label: String {
            switch self {
            case .critical, .error: "critical"
            case .warning: "warning"
            case .info: "info"
            }
        }
    }

    /// What the event says about the affected system (`payload`).
    public struct Payload: Sendable, Equatable {
        /// A brief summary, 1 to 1024 characters: the alert's `summary` annotation and so the
        /// incident's title.
        public var summary: String
        /// The affected system, preferably a host name.
        public var source: String
        /// How badly the system is affected.
        public var severity: Severity
        /// When the sender detected the event; the time it was received when the body has none
        /// (PagerDuty fills it in alike).
        public var timestamp: Date
        /// The part of the system at fault, e.g. `mysql`.
        public var component: String?
        /// A logical group of components, e.g. `app-stack`.
        public var group: String?
        /// The class or type of the event (`payload.class`), e.g. `ping failure`.
        public var eventClass: String?
        /// `custom_details` as compact JSON text (any JSON value; insignificant whitespace
        /// removed, keys and numbers as sent), e.g. `{"ping time":"1500ms","load avg":0.75}`.
        public var customDetails: String?

        public init(
            summary: String, source: String, severity: Severity, timestamp: Date, component: String? = nil,
            group: String? = nil, eventClass: String? = nil, customDetails: String? = nil
        ) {
            self.summary = summary
            self.source = source
            self.severity = severity
            self.timestamp = timestamp
            self.component = component
            self.group = group
            self.eventClass = eventClass
            self.customDetails = customDetails
        }
    }

    /// A link attached to the alert (`links[]`).
    public struct Link: Sendable, Equatable {
        /// The link's URL.
        public var href: String
        /// What the link is for.
        public var text: String?

        public init(href: String, text: String? = nil) {
            self.href = href
            self.text = text
        }
    }

    /// An image attached to the alert (`images[]`): its `src`, the link it opens and its text.
    public struct Image: Sendable, Equatable {
        /// The image's URL.
        public var src: String
        /// The URL the image opens.
        public var href: String?
        /// The image's alternative text.
        public var alt: String?

        public init(src: String, href: String? = nil, alt: String? = nil) {
            self.src = src
            self.href = href
            self.alt = alt
        }
    }

    /// `trigger`, `acknowledge` or `resolve`.
    public var action: Action
    /// The integration key, exactly 32 characters: the server finds the integration by it.
    public var routingKey: String
    /// The sender's key for the alert: always set for `acknowledge` and `resolve`; nil on a
    /// `trigger` that sent none (the server then makes one up and answers with it).
    public var dedupKey: String?
    /// Always set for `trigger`. On `acknowledge` and `resolve` PagerDuty ignores the payload; it is
    /// kept only when complete and valid (Alertmanager sends one on `resolve`) and is nil otherwise.
    public var payload: Payload?
    /// Links to show with the alert.
    public var links: [Link]
    /// Images to show with the alert.
    public var images: [Image]
    /// The monitoring tool that sent the event (`client`).
    public var client: String?
    /// The monitoring tool's URL (`client_url`).
    public var clientURL: String?

    public init(
        action: Action, routingKey: String, dedupKey: String? = nil, payload: Payload? = nil, links: [Link] = [],
        images: [Image] = [], client: String? = nil, clientURL: String? = nil
    ) {
        self.action = action
        self.routingKey = routingKey
        self.dedupKey = dedupKey
        self.payload = payload
        self.links = links
        self.images = images
        self.client = client
        self.clientURL = clientURL
    }

    /// Recorded as the batch's `source`, and the namespace of the alerts' fingerprints.
    public static let source = "pagerduty"
    /// The `alertname` label of every PagerDuty alert (unless the integration's labels set one):
    /// the same on `trigger` and on a bare `resolve`, which carries no payload to name it from.
    public static let alertName = "PagerDutyEvent"
    /// A routing key has exactly this many characters.
    public static let routingKeyLength = 32
    /// A dedup key has at most this many characters.
    public static let maxDedupKeyCharacters = 255
    /// A summary has at most this many characters.
    public static let maxSummaryCharacters = 1024

    /// Why a body was refused: every problem found, each naming its field.
    ///
    /// PagerDuty answers such a body with `400` and
    /// `{"status":"invalid event","message":"Event object is invalid","errors":[…]}`; ``status``,
    /// ``message`` and ``messages`` are those three parts.
    public struct Invalid: Error, Sendable, Equatable, CustomStringConvertible {
        /// The problems, in the order found: a field with a value of the wrong kind, in body order,
        /// then the rules, field by field. A body that is not JSON has one problem, with an empty field.
        public var errors: [IngestValidationError]

        /// The `status` of PagerDuty's answer.
        public static let status = "invalid event"
        /// The `message` of PagerDuty's answer.
        public static let message = "Event object is invalid"

        public init(errors: [IngestValidationError]) {
            self.errors = errors
        }

        /// The `errors` of PagerDuty's answer, one a problem, the field quoted:
        /// `'payload.severity' must be one of critical, error, warning, info (got "fatal")`.
        public var messages: [String] {
            errors.map { $0.field.isEmpty ? $0.problem : "'\($0.field)' \($0.problem)" }
        }

        public var description: String {
            "\(Self.message): " + messages.joined(separator: "; ")
        }
    }

    /// Reads and validates a raw Events API v2 body (`POST /v2/enqueue`).
    ///
    /// Every problem is reported, not just the first (see ``Invalid``); `receivedAt` stands in for
    /// a missing `payload.timestamp`.
    public static func decode(_ body: some Collection<UInt8>, receivedAt: Date) throws(Invalid) -> PagerDutyEvent {
        let read = { (bytes: UnsafeBufferPointer<UInt8>) -> Result<Wire, Invalid> in Wire.read(bytes) }
        let outcome = body.withContiguousStorageIfAvailable(read) ?? Array(body).withUnsafeBufferPointer(read)
        switch outcome {
        case .success(let wire): return try wire.validated(receivedAt: receivedAt)
        case .failure(let invalid): throw invalid
        }
    }
}
