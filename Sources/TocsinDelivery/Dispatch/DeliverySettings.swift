import Foundation
import TocsinCore

/// How the dispatcher delivers: where links point, the SMTP server, timeouts, retries, parallelism.
public struct DeliverySettings: Sendable {
    /// The base URL people reach Tocsin at, for links in pages (e.g. `https://tocsin.example.com`).
    public var publicURL: String
    /// Where mail goes; nil when email delivery is not configured.
    public var smtp: SMTPSettings?
    public var connectTimeout: TimeInterval
    /// The whole exchange, per attempt.
    public var timeout: TimeInterval
    /// Deliveries in flight at once (the worker threads of the pool).
    public var workers: Int
    /// Deliveries in flight at once to one destination (``DeliveryDestination``): a receiver that
    /// hangs holds at most this many workers.
    public var perDestination: Int
    /// The most notifications to one destination a worker claims at once and delivers one after
    /// another (a lane, see `DestinationLimit`): a burst to one receiver then costs a commit per
    /// lane, not per page.
    public var laneLength: Int
    /// A lane starts no notification later than this after its claim (nor after a failure to be
    /// retried): what it has not started goes back to the queue, so a slow receiver never holds
    /// claimed pages long, and a page cancelled meanwhile (an acknowledgement) starts at most this
    /// late, as a page already on the wire may still arrive.
    public var laneDuration: TimeInterval
    public var policy: DeliveryPolicy
    /// How long a signed ack/resolve link stays valid.
    public var linkLifetime: TimeInterval
    /// `Tocsin/<version>`.
    public var userAgent: String
    /// Where texts and calls go; nil when no Twilio account is configured.
    public var twilio: TwilioSettings?

    public init(
        publicURL: String, smtp: SMTPSettings? = nil, connectTimeout: TimeInterval = 5, timeout: TimeInterval = 10,
        workers: Int = 8, perDestination: Int = 2, laneLength: Int = 16, laneDuration: TimeInterval = 1, policy: DeliveryPolicy = DeliveryPolicy(), linkLifetime: TimeInterval = 86_400,
        userAgent: String = "Tocsin", twilio: TwilioSettings? = nil
    ) {
        self.twilio = twilio
        self.perDestination = perDestination
        self.laneLength = max(1, laneLength)
        self.laneDuration = laneDuration
        self.publicURL = publicURL
        self.smtp = smtp
        self.connectTimeout = connectTimeout
        self.timeout = timeout
        self.workers = workers
        self.policy = policy
        self.linkLifetime = linkLifetime
        self.userAgent = userAgent
    }

    /// How long a claimed delivery is held before another attempt may start (`--lease`): on
    /// PostgreSQL, how long a page claimed by an instance that died waits before another instance
    /// sends it. At least an attempt's whole time; by default 15 s more than that.
    public var leaseSeconds: TimeInterval?

    /// The lease of a claim.
    var lease: TimeInterval { max(leaseSeconds ?? connectTimeout + timeout + 15, connectTimeout + timeout + 1) }
}
