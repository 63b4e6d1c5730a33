import Foundation
import Hummingbird
import HummingbirdCore
import NIOCore
import Logging
import Prometheus
import TocsinCore
import TocsinDelivery
import TocsinStore

/// Assembles Tocsin's HTTP application: routes, middleware and the services that run beside it.
public struct TocsinServer: Sendable {
    /// What `tocsin serve` is told on its command line.
    public struct Configuration: Sendable {
        public var host: String
        public var port: Int
        /// When set, `POST /api/v1/ingest/alertmanager` requires this bearer token.
        public var ingestToken: String?
        /// Largest ingest body accepted, in bytes (413 above it).
        public var maxBodyBytes: Int
        /// The most alerts of one payload an incident keeps in full; the rest count as truncated.
        public var maxAlertsPerIncident: Int
        /// Requests per second per client on the API and links (0: no limit).
        public var apiRateLimit: Double
        /// Requests per second per client on the ingest endpoint (0: no limit).
        public var ingestRateLimit: Double
        /// How long before its due time an escalation step is prepared (see ``Escalator``).
        public var escalationLead: TimeInterval
        /// A connection with no request in flight for this long is closed.
        public var idleTimeout: TimeInterval
        /// At most this many connections are open at once; more wait in the listen backlog (0: no cap).
        public var maxConnections: Int
        /// Proxies whose `X-Forwarded-For` names the client (CIDR, e.g. `127.0.0.1/32`); none by default.
        public var trustedProxies: [String]
        /// How long resolved incidents are kept (nil: forever).
        public var retention: TimeInterval?
        /// How long audit events are kept (nil: forever, the default).
        public var auditRetention: TimeInterval?
        /// The longest maintenance window without `force` (`serve --max-maintenance`).
        public var maxMaintenance: TimeInterval = MaintenanceWindow.defaultMaxLength
        /// Which hosts may serve SNS signing certificates and confirm subscriptions: Amazon's SNS
        /// hosts over https; only tests trust anything else (`serve --testing-sns-host`).
        public var snsTrust: SNSMessage.Trust = .aws
        /// How long a web console session lasts (`serve --session-lifetime`).
        public var sessionLifetime: TimeInterval = 12 * 3600
        /// Whether the console's session cookie is `Secure`: when the public URL is https.
        public var secureCookies = false

        /// Whether `cidr` is an IPv4 or IPv6 address with an optional prefix length.
        public static func isValidNetwork(_ cidr: String) -> Bool {
            ClientAddress.Network(cidr) != nil
        }

        public init(
            host: String = "127.0.0.1", port: Int = 9797, ingestToken: String? = nil, maxBodyBytes: Int = 64 << 20,
            maxAlertsPerIncident: Int = AlertmanagerWebhook.defaultMaxAlerts,
            apiRateLimit: Double = 0, ingestRateLimit: Double = 0, escalationLead: TimeInterval = Escalator.defaultLead,
            idleTimeout: TimeInterval = 60, maxConnections: Int = 0, trustedProxies: [String] = [],
            retention: TimeInterval? = nil, auditRetention: TimeInterval? = nil
        ) {
            self.retention = retention
            self.auditRetention = auditRetention
            self.trustedProxies = trustedProxies
            self.escalationLead = escalationLead
            self.idleTimeout = idleTimeout
            self.maxConnections = maxConnections
            self.host = host
            self.port = port
            self.ingestToken = ingestToken
            self.maxBodyBytes = maxBodyBytes
            self.maxAlertsPerIncident = maxAlertsPerIncident
            self.apiRateLimit = apiRateLimit
            self.ingestRateLimit = ingestRateLimit
        }
    }

    public let configuration: Configuration
    public let store: any StateStore
    public let policies: ConfigurationStore
    public let clock: any TocsinClock
    public let logger: Logger
    /// The escalation engine's loop; runs beside the HTTP server.
    public let escalator: Escalator
    /// Delivers the outbox; runs beside the HTTP server.
    public let dispatcher: Dispatcher
    /// A fixed key for signed links (tests, drills); nil: the database's current one.
    let linkKey: [UInt8]?
    /// Where pages go and how (the public URL, SMTP, Twilio).
    let delivery: DeliverySettings
    /// What `GET /metrics` renders (see ``ServerMetrics/bootstrap(version:)``).
    let metricsRegistry: PrometheusCollectorRegistry

    public init(
        configuration: Configuration, store: any StateStore, policies: ConfigurationStore, delivery: DeliverySettings,
        linkKey: [UInt8]? = nil, clock: any TocsinClock = WallClock(), logger: Logger,
        metricsRegistry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()
    ) {
        self.metricsRegistry = metricsRegistry
        self.configuration = configuration
        self.store = store
        self.policies = policies
        self.clock = clock
        self.logger = logger
        let dispatcher = Dispatcher(
            store: store, clock: clock, settings: delivery, linkKey: linkKey,
            webhookSettings: { target in policies.configuration.webhookSettings(forTarget: target) },
            timeZone: { target in policies.configuration.timeZone(forTarget: target) }, logger: logger)
        self.dispatcher = dispatcher
        self.escalator = Escalator(
            store: store, clock: clock, logger: logger, lead: configuration.escalationLead,
            configuration: { policies.configuration }, onQueued: { dispatcher.wake() })
        self.linkKey = linkKey
        self.delivery = delivery
    }

    /// Tells the engine that incidents changed: timers may be due, notifications may be queued.
    public func wakeEngine() {
        escalator.wake()
        dispatcher.wake()
    }

    /// After a reload took effect: steps prepared ahead are taken back, so that the escalator
    /// prepares them again with the new schedules (`oncall:` targets resolve against them).
    func configurationReloaded() async {
        do {
            try await store.withdrawPreparedSteps(now: clock.now)
        } catch {
            logger.error("could not take back the steps prepared before the reload", metadata: ["error": "\(error)"])
        }
        wakeEngine()
    }

    /// The router with every route and middleware; tests drive it directly or over real HTTP.
    /// `/readyz` watches the heartbeats of `loops` (by default the escalator and the dispatcher).
    public func makeRouter(loops: [LoopHeartbeat]? = nil) -> Router<TocsinRequestContext> {
        let router = Router(context: TocsinRequestContext.self)
        // Outermost, so that errors are already responses when requests are counted and timed.
        router.add(middleware: MetricsMiddleware())
        router.add(middleware: CorrelationMiddleware())
        router.add(middleware: ErrorMiddleware())
        router.add(middleware: CanonicalPathMiddleware())
        router.add(middleware: ClientAddressMiddleware(addresses: ClientAddress(trustedProxies: configuration.trustedProxies.compactMap(ClientAddress.Network.init))))
        router.add(middleware: RateLimitMiddleware(
            apiPerSecond: configuration.apiRateLimit, ingestPerSecond: configuration.ingestRateLimit))
        router.addRoutes(
            HealthRoutes(store: store, clock: clock, loops: loops ?? [escalator.heartbeat, dispatcher.heartbeat]).collection)
        router.addRoutes(MetricsRoutes(store: store, registry: metricsRegistry, policies: policies).collection)
        let wake: @Sendable () -> Void = { [escalator, dispatcher] in
            escalator.wake()
            dispatcher.wake()
        }
        let gate = IngestGate(
            store: store, clock: clock, ingestToken: configuration.ingestToken, maxBodyBytes: configuration.maxBodyBytes)
        let ingestor = Ingestor(store: store, clock: clock, configuration: policies) { [escalator, dispatcher] deliveries in
            escalator.wake()
            if deliveries { dispatcher.wake() }
        }
        let ingest = IngestRoutes(ingestor: ingestor, gate: gate, maxAlertsPerIncident: configuration.maxAlertsPerIncident)
        router.addRoutes(ingest.collection, atPath: "/api/v1/ingest")
        router.addRoutes(
            CloudWatchRoutes(ingestor: ingestor, gate: gate, trust: configuration.snsTrust).collection, atPath: "/api/v1/ingest")
        let pagerDuty = PagerDutyRoutes(ingestor: ingestor, gate: gate)
        router.addRoutes(pagerDuty.collection(path: "pagerduty"), atPath: "/api/v1/ingest")
        router.addRoutes(pagerDuty.collection(path: "enqueue"), atPath: "/v2")
        let heartbeats = HeartbeatRoutes(store: store, clock: clock, policies: policies, gate: gate, wakeEngine: wake)
        router.addRoutes(heartbeats.beats, atPath: "/api/v1/heartbeats")
        router.addRoutes(heartbeats.list, atPath: "/api/v1/heartbeats")
        router.addRoutes(IncidentRoutes(store: store, clock: clock, policies: policies, wakeEngine: wake).collection, atPath: "/api/v1/incidents")
        router.addRoutes(
            LinkRoutes(store: store, clock: clock, linkKey: linkKey, policies: policies, wakeEngine: wake).collection,
            atPath: "/api/v1/incidents")
        router.addRoutes(DeliveryRoutes(store: store, clock: clock, wakeEngine: wake).collection, atPath: "/api/v1/deliveries")
        router.addRoutes(DrillRoutes(store: store, clock: clock).collection, atPath: "/api/v1/drills")
        router.addRoutes(
            MaintenanceRoutes(store: store, clock: clock, maxLength: configuration.maxMaintenance, wakeEngine: wake).collection,
            atPath: "/api/v1/maintenance")
        let onCall = OnCallRoutes(store: store, clock: clock, policies: policies, wakeEngine: wake)
        router.addRoutes(onCall.onCall, atPath: "/api/v1/oncall")
        router.addRoutes(onCall.overrides, atPath: "/api/v1/overrides")
        let console = ConsoleRoutes(
            store: store, clock: clock, policies: policies, renderer: ConsoleRenderer(),
            sessionLifetime: configuration.sessionLifetime, secureCookies: configuration.secureCookies,
            publicAuthority: URLComponents(string: delivery.publicURL).flatMap { url in
                url.host.map { host in url.port.map { "\(host):\($0)" } ?? host }
            },
            wakeEngine: wake)
        router.addRoutes(console.collection(), atPath: "/ui")
        router.get("/") { _, _ in ConsoleRenderer.redirect("/ui/incidents") }
        router.addRoutes(
            TwilioRoutes(
                store: store, clock: clock, policies: policies, twilio: delivery.twilio, publicURL: delivery.publicURL,
                deliveryPolicy: delivery.policy, linkKey: linkKey, wakeEngine: wake
            ).collection, atPath: "/twilio")
        router.addRoutes(
            ReloadRoutes(policies: policies, store: store, clock: clock, logger: logger, onReloaded: configurationReloaded).collection,
            atPath: "/-/reload")
        return router
    }

    /// The application, bound to the configured host and port, with the escalator, the
    /// dispatcher (unless `deliver` is false) and the SIGHUP reloader running beside it.
    public func makeApplication(
        deliver: Bool = true, onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        // Idle connections are closed and open ones capped below the file-descriptor limit, so idle
        // or slow clients cannot use up the descriptors the database and deliveries need.
        let timeout = TimeAmount.milliseconds(Int64(configuration.idleTimeout * 1000))
        var http1 = HTTP1Channel.Configuration(
            additionalChannelHandlers: [RequestReadTimeoutHandler(timeout: timeout)], idleTimeout: timeout)
        http1.httpDecoder = .init(maxHeaderFieldSize: 16 * 1024, maxHeaderListSize: 64 * 1024, maxHeaderFieldCount: 200)
        var application = Application(
            router: makeRouter(loops: deliver ? [escalator.heartbeat, dispatcher.heartbeat] : [escalator.heartbeat]),
            server: .http1(configuration: http1),
            configuration: .init(
                address: .hostname(configuration.host, port: configuration.port), serverName: "Tocsin",
                availableConnectionsDelegate: configuration.maxConnections > 0
                    ? MaximumAvailableConnections(configuration.maxConnections, logger: logger) : nil),
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? 0) },
            logger: logger
        )
        application.addServices(
            escalator, ReloadOnHangup(policies: policies, store: store, clock: clock, logger: logger, onReloaded: configurationReloaded),
            RetentionService(
                store: store, clock: clock, incidents: configuration.retention, auditEvents: configuration.auditRetention,
                logger: logger))
        if deliver {
            application.addServices(dispatcher)
        }
        if let clock = clock as? DatabaseClock {
            application.addServices(DatabaseClockService(clock: clock))
        }
        if let announcements = store as? any WorkAnnouncements {
            application.addServices(OthersWorkListener(announcements: announcements) { [escalator, dispatcher] in
                escalator.wake()
                dispatcher.wake()
            })
        }
        return application
    }
}
