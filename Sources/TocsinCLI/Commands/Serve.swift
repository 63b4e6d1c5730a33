import ArgumentParser
import Foundation
import Hummingbird
import Logging
import TocsinCore
import TocsinDelivery
import TocsinServer
import TocsinStore

/// `tocsin serve`: run the HTTP server on a SQLite database, or on PostgreSQL shared with other instances.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the Tocsin server.",
        discussion: """
            Opens (or creates) the SQLite database, or the PostgreSQL database that several instances \
            share (--db postgres://…), applies its migrations and serves HTTP:
              POST /api/v1/ingest/alertmanager   Alertmanager webhook (version 4)
              GET  /api/v1/incidents[/ID]        incident API (bearer token)
              POST /api/v1/incidents/ID/ack|resolve
              GET  /api/v1/incidents/ID/ack?token=…  signed one-click links (confirmation page)
              GET  /api/v1/deliveries, POST /api/v1/deliveries/ID/retry
              GET  /api/v1/oncall[/shifts], GET|POST /api/v1/overrides, DELETE /api/v1/overrides/ID
              GET|POST /api/v1/drills, POST /api/v1/drills/ID/finish   (live drills)
              GET  /ui/                          the web console (sign in with an API token)
              POST /twilio/sms|status/ID|voice/… Twilio's callbacks (X-Twilio-Signature, no token)
              POST /-/reload                     re-read the policies (also SIGHUP)
              GET  /healthz, /readyz, /metrics (Prometheus text format)
            Refuses to start when the policy directory has problems (see `tocsin policy check`). \
            Stops cleanly on SIGTERM or SIGINT.
            """
    )

    @Option(help: "Address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "Port to listen on (0 picks a free one).")
    var port = 9797

    @OptionGroup var database: DatabaseOptions

    @OptionGroup var policyDirectory: PolicyDirectoryOption
    var config: String { policyDirectory.path }

    @Option(
        help: ArgumentHelp(
            "Require this bearer token on the ingest endpoint (default: $TOCSIN_INGEST_TOKEN, else none).",
            valueName: "token"))
    var ingestToken: String?

    @Option(help: ArgumentHelp(
        "Largest ingest request body accepted, in bytes (413 above it). Generous, so that an alert storm is paged, never bounced.",
        valueName: "bytes"))
    var maxBodyBytes = 64 << 20

    @Option(help: ArgumentHelp(
        "The most alerts of one payload an incident keeps in full; the rest are counted as truncated and the incident pages as usual.",
        valueName: "n"))
    var maxAlertsPerIncident = AlertmanagerWebhook.defaultMaxAlerts

    @Option(help: ArgumentHelp("Requests per second per client on the API and links, with bursts of twice that; 429 beyond (0: off).", valueName: "n"))
    var rateLimit: Double = 20

    @Option(help: ArgumentHelp("Requests per second per client on the ingest endpoint (0: off, the default).", valueName: "n"))
    var ingestRateLimit: Double = 0

    @Option(help: ArgumentHelp("Commit durability: full (survives power loss) or normal (survives a crash).", valueName: "mode"))
    var durability: TocsinStore.Durability = .full

    @Option(help: ArgumentHelp(
        "Prepare escalation steps this long before they fall due; their pages wait in the outbox until the due time, "
            + "so thousands of steps due at once still go out on time (0: prepare at the due time; at most 1m).",
        valueName: "duration"))
    var escalationLead = "2s"

    @Option(help: ArgumentHelp(
        "Close a connection that has no request in flight for this long (slow and idle clients cannot hold connections).",
        valueName: "duration"))
    var idleTimeout = "60s"

    @Option(help: ArgumentHelp(
        "At most this many open connections; more wait until one closes (default: the file-descriptor limit, raised to "
            + "its maximum at start, less \(FileDescriptorLimit.headroom) kept for the database and deliveries).",
        valueName: "n"))
    var maxConnections: Int?

    @Option(
        name: .customLong("trusted-proxy"),
        help: ArgumentHelp(
            "A reverse proxy (CIDR, e.g. 127.0.0.1/32) whose X-Forwarded-For names the client, for rate limits and the "
                + "audit trail; repeat for several. Without it the peer's address is the client.",
            valueName: "cidr"))
    var trustedProxies: [String] = []

    @Option(help: ArgumentHelp(
        "The longest maintenance window that may be added without --force.", valueName: "duration"))
    var maxMaintenance = "7d"

    @Option(help: ArgumentHelp(
        "How long a web console session lasts after signing in at /ui/login; it also ends at sign-out and when its "
            + "token is revoked.", valueName: "duration"))
    var sessionLifetime = "12h"

    @Option(
        name: .customLong("testing-sns-host"),
        help: ArgumentHelp(
            "For tests only: also trust this host (over plain http, any port) to serve SNS signing certificates and "
                + "confirm subscriptions, instead of Amazon's SNS hosts alone.",
            valueName: "host", visibility: .hidden))
    var testingSNSHost: String?

    @Option(help: ArgumentHelp(
        "Delete incidents resolved longer ago than this (with their alerts, timeline and notifications), in small "
            + "batches off the request path; 0 keeps them forever.",
        valueName: "duration"))
    var retention = "90d"

    @Option(help: ArgumentHelp("Delete audit events older than this; by default the audit trail is kept forever.", valueName: "duration"))
    var auditRetention: String?

    @OptionGroup(title: "Delivery") var delivery: DeliveryOptions

    @Option(help: "Log format: json (one object per line) or text.")
    var logFormat: LogFormat = .json

    @Option(help: "Lowest log level written: trace, debug, info, notice, warning, error, critical.")
    var logLevel: Logger.Level = .info

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be between 0 and 65535, got \(port)") }
        guard maxBodyBytes >= 1024 else { throw ValidationError("--max-body-bytes must be at least 1024") }
        guard let longest = PolicyDuration.parse(maxMaintenance), longest > 0 else {
            throw ValidationError("--max-maintenance must be a duration such as 7d or 12h, got \"\(maxMaintenance)\"")
        }
        guard let session = PolicyDuration.parse(sessionLifetime), session >= 60, session <= 30 * 86_400 else {
            throw ValidationError("--session-lifetime must be a duration from 1m to 30d, such as 12h, got \"\(sessionLifetime)\"")
        }
        guard (1...1_000_000).contains(maxAlertsPerIncident) else {
            throw ValidationError("--max-alerts-per-incident must be between 1 and 1000000")
        }
        guard rateLimit >= 0, ingestRateLimit >= 0 else { throw ValidationError("rate limits must not be negative") }
        guard let lead = PolicyDuration.parse(escalationLead), (0...60).contains(lead) else {
            throw ValidationError("--escalation-lead must be a duration from 0 to 1m such as 2s, got \"\(escalationLead)\"")
        }
        guard (PolicyDuration.parse(idleTimeout) ?? 0) >= 1 else {
            throw ValidationError("--idle-timeout must be a duration of at least 1s such as 60s, got \"\(idleTimeout)\"")
        }
        guard PolicyDuration.parse(retention) != nil else {
            throw ValidationError("--retention must be a duration such as 90d, or 0 to keep incidents forever, got \"\(retention)\"")
        }
        if let auditRetention, (PolicyDuration.parse(auditRetention) ?? 0) <= 0 {
            throw ValidationError("--audit-retention must be a duration such as 365d, got \"\(auditRetention)\"")
        }
        for cidr in trustedProxies where !TocsinServer.Configuration.isValidNetwork(cidr) {
            throw ValidationError("--trusted-proxy takes an address or network such as 127.0.0.1/32 or ::1, got \"\(cidr)\"")
        }
        if let maxConnections, maxConnections < 1 {
            throw ValidationError("--max-connections must be at least 1, got \(maxConnections)")
        }
        if let token = resolvedIngestToken, token.count < 16 {
            throw ValidationError("the ingest token must be at least 16 characters long")
        }
    }

    /// Whether `host` only accepts connections from this machine.
    static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }

    private var resolvedIngestToken: String? {
        let token = ingestToken ?? ProcessInfo.processInfo.environment["TOCSIN_INGEST_TOKEN"]
        return token?.isEmpty == false ? token : nil
    }

    func run() async throws {
        logFormat.bootstrap(level: logLevel)
        let metricsRegistry = ServerMetrics.bootstrap(version: TocsinVersion.current)
        let logger = Logger(label: "tocsin")
        let started = ContinuousClock.now
        let store = try await database.open(durability: durability, logger: logger)
        // On PostgreSQL, due times follow the database server's clock, which every instance shares.
        var clock: any TocsinClock = WallClock()
        if let postgres = store as? PostgresStore {
            do {
                let databaseClock = try await postgres.clock()
                if abs(databaseClock.measuredOffset) > 1 {
                    logger.warning(
                        "this host's clock is off the database server's; due times follow the database's",
                        metadata: ["offset_seconds": "\(databaseClock.measuredOffset)"])
                }
                clock = databaseClock
            } catch {
                throw CLIError(error.description, exitCode: .failure)
            }
        }
        let policies: TocsinConfiguration
        do {
            policies = try PolicyDirectory.load(config)
        } catch {
            throw CLIError("invalid policy directory (fix it, or check it with `tocsin policy check \(config)`): \(error)")
        }
        ServerMetrics.loadedAtStart(at: Date())
        do {
            _ = try await store.linkSigningKey()  // made now if new, so the first page need not
        } catch {
            throw CLIError(error.description)
        }
        let descriptorLimit = FileDescriptorLimit.raiseToHardLimit()
        let connectionCap = maxConnections ?? FileDescriptorLimit.connectionCap(forLimit: descriptorLimit)
        if resolvedIngestToken == nil, !Self.isLoopback(host) {
            logger.warning(
                """
                listening on a non-loopback address with the ingest endpoint unauthenticated: anyone who can reach it \
                can open incidents and page people; set TOCSIN_INGEST_TOKEN (or --ingest-token)
                """,
                metadata: ["host": "\(host)"])
        }
        // `--port 0` picks a free port; it is picked now, so that links in pages name it.
        let port = self.port == 0 && delivery.publicURL == nil ? try await Self.freePort(host: host) : self.port
        var configuration = TocsinServer.Configuration(
                host: host, port: port, ingestToken: resolvedIngestToken, maxBodyBytes: maxBodyBytes,
                maxAlertsPerIncident: maxAlertsPerIncident, apiRateLimit: rateLimit,
                ingestRateLimit: ingestRateLimit, escalationLead: PolicyDuration.parse(escalationLead) ?? Escalator.defaultLead,
                idleTimeout: PolicyDuration.parse(idleTimeout) ?? 60, maxConnections: connectionCap, trustedProxies: trustedProxies,
                retention: PolicyDuration.parse(retention).flatMap { $0 > 0 ? $0 : nil },
                auditRetention: auditRetention.flatMap(PolicyDuration.parse))
        configuration.maxMaintenance = PolicyDuration.parse(maxMaintenance) ?? MaintenanceWindow.defaultMaxLength
        let deliverySettings = delivery.settings(host: host, port: port)
        let phoned = policies.people.filter { $0.phone != nil }.map(\.name)
        if deliverySettings.twilio == nil, !phoned.isEmpty {
            logger.warning(
                "people have a phone but no Twilio account is configured: their texts and calls will be dead (--twilio-account-sid)",
                metadata: ["people": "\(phoned.joined(separator: ","))"])
        } else if deliverySettings.twilio?.from == nil, policies.people.contains(where: { $0.notify.contains { $0.via.contains(.voice) } }) {
            logger.warning("a notification rule calls, but calls need --twilio-from (a messaging service only sends texts)")
        }
        configuration.sessionLifetime = PolicyDuration.parse(sessionLifetime) ?? configuration.sessionLifetime
        configuration.secureCookies = deliverySettings.publicURL.lowercased().hasPrefix("https://")
        if let testingSNSHost {
            configuration.snsTrust = SNSMessage.Trust(allowsPlainHTTP: true, allowsAnyPort: true) { host in
                host == testingSNSHost || SNSMessage.Trust.isAWSSNSHost(host)
            }
            logger.warning("trusting a test host for SNS certificates and subscriptions", metadata: ["host": "\(testingSNSHost)"])
        }
        let server = TocsinServer(
            configuration: configuration,
            store: store, policies: ConfigurationStore(directory: config, initial: policies),
            delivery: deliverySettings, clock: clock, logger: logger,
            metricsRegistry: metricsRegistry)
        let app = server.makeApplication { boundPort in
            let elapsed = ContinuousClock.now - started
            logger.info(
                "listening",
                metadata: [
                    "url": "http://\(host):\(boundPort)", "db": "\(database.description)",
                    "ingest_auth": "\(resolvedIngestToken != nil)", "startup": "\(elapsed)",
                    "policies": "\(policies.policies.map(\.name).joined(separator: ","))",
                    "max_connections": "\(connectionCap)", "open_files_limit": "\(descriptorLimit)",
                ])
        }
        try await app.runService()
        try? await store.close()
        logger.info("stopped")
    }
}

extension Serve {
    static func freePort(host: String) async throws -> Int {
        do {
            return try await FreePort.pick(host: host)
        } catch {
            throw CLIError("--port 0: could not find a free port on \(host): \(error)")
        }
    }
}

extension TocsinStore.Durability: ExpressibleByArgument {}
extension LogFormat: ExpressibleByArgument {}
extension Logger.Level: @retroactive ExpressibleByArgument {}
