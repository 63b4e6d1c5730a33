import ArgumentParser
import Foundation
import TocsinCore
import TocsinDelivery

/// `tocsin serve` options for delivering notifications: links, SMTP, timeouts and retries.
struct DeliveryOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "The URL people reach Tocsin at, used in ack/resolve links (default: http://HOST:PORT).", valueName: "url"))
    var publicURL: String?

    @Option(help: ArgumentHelp(
        "SMTP server for email: smtp://host:port or smtps://host:port (default: email is not sent).", valueName: "url"))
    var smtpURL: String?

    @Option(help: ArgumentHelp("Sender of email notifications.", valueName: "address"))
    var smtpFrom = "Tocsin <tocsin@localhost>"

    @Option(help: ArgumentHelp("SMTP user name; the password is read from $TOCSIN_SMTP_PASSWORD.", valueName: "name"))
    var smtpUsername: String?

    @Flag(help: "Require STARTTLS on smtp:// connections.")
    var smtpStarttls = false

    @Flag(help: "Allow sending the SMTP password without TLS (only for a relay on this host).")
    var smtpAllowPlaintextAuth = false

    @Option(help: ArgumentHelp("Seconds allowed per delivery attempt.", valueName: "seconds"))
    var deliveryTimeout: Double = 10

    @Option(help: ArgumentHelp("Seconds allowed to connect, per attempt.", valueName: "seconds"))
    var deliveryConnectTimeout: Double = 5

    @Option(help: "Deliveries in flight at once (worker threads).")
    var deliveryWorkers = 8

    @Option(help: ArgumentHelp(
        "Deliveries in flight at once to one destination (the SMTP server, or a webhook's scheme://host:port), so a "
            + "receiver that hangs never holds every worker.",
        valueName: "n"))
    var deliveryPerDestination = 2

    @Option(help: "Attempts before a notification is given up (dead); with retries at most 5 minutes apart, the default lets --delivery-max-age decide.")
    var deliveryMaxAttempts = 100

    @Option(help: ArgumentHelp("Age after which a notification is given up, e.g. 6h.", valueName: "duration"))
    var deliveryMaxAge = "6h"

    @Option(help: ArgumentHelp("How long ack/resolve links stay valid, e.g. 24h.", valueName: "duration"))
    var linkLifetime = "24h"

    @Option(help: ArgumentHelp(
        "Twilio account for texts and calls (AC…); its auth token is read from $TOCSIN_TWILIO_AUTH_TOKEN. Twilio reaches "
            + "Tocsin back at --public-url/twilio/.", valueName: "sid"))
    var twilioAccountSid: String?

    @Option(help: ArgumentHelp("The number texts and calls come from (E.164, e.g. +15005550006).", valueName: "number"))
    var twilioFrom: String?

    @Option(help: ArgumentHelp("A Twilio messaging service (MG…) that sends the texts instead of --twilio-from.", valueName: "sid"))
    var twilioMessagingServiceSid: String?

    @Option(name: .customLong("twilio-api-url"), help: ArgumentHelp(
        "Twilio's REST API; meant for tests, which point it at a local server speaking Twilio's API.", valueName: "url"))
    var twilioAPIURL = TwilioSettings.defaultAPIURL

    @Option(help: ArgumentHelp(
        "At most this many texts and calls to one phone number per hour (0: no limit).", valueName: "n"))
    var phoneRateLimit = 20

    @Option(help: ArgumentHelp(
        "Seconds a claimed delivery is held (default: the attempt's timeouts plus 15 s, 30 s). With several instances on "
            + "PostgreSQL, a page claimed by an instance that dies is sent again by another once its lease runs out.",
        valueName: "seconds"))
    var lease: Double?

    func validate() throws {
        if let twilioAccountSid {
            guard twilioAccountSid.hasPrefix("AC"), twilioAccountSid.count == 34 else {
                throw ValidationError("--twilio-account-sid must be AC followed by 32 characters, got \"\(twilioAccountSid)\"")
            }
            guard let token = ProcessInfo.processInfo.environment["TOCSIN_TWILIO_AUTH_TOKEN"], !token.isEmpty else {
                throw ValidationError("--twilio-account-sid needs the account's auth token in TOCSIN_TWILIO_AUTH_TOKEN")
            }
            guard twilioFrom != nil || twilioMessagingServiceSid != nil else {
                throw ValidationError("--twilio-account-sid needs --twilio-from (and calls need it) or --twilio-messaging-service-sid")
            }
            if let twilioFrom, !PhoneNumber.isE164(twilioFrom) {
                throw ValidationError("--twilio-from must be an E.164 number such as +15005550006, got \"\(twilioFrom)\"")
            }
        }
        guard phoneRateLimit >= 0 else { throw ValidationError("--phone-rate-limit must be 0 (no limit) or more") }
        guard deliveryTimeout > 0, deliveryConnectTimeout > 0 else { throw ValidationError("delivery timeouts must be positive") }
        if let lease, lease <= deliveryTimeout + deliveryConnectTimeout {
            throw ValidationError(
                "--lease must be longer than an attempt may take (--delivery-connect-timeout + --delivery-timeout = "
                    + "\(deliveryConnectTimeout + deliveryTimeout) s), got \(lease)")
        }
        guard (1...256).contains(deliveryWorkers) else { throw ValidationError("--delivery-workers must be between 1 and 256") }
        guard (1...256).contains(deliveryPerDestination) else {
            throw ValidationError("--delivery-per-destination must be between 1 and 256")
        }
        guard deliveryMaxAttempts >= 1 else { throw ValidationError("--delivery-max-attempts must be at least 1") }
        for (name, value) in [("--delivery-max-age", deliveryMaxAge), ("--link-lifetime", linkLifetime)]
        where PolicyDuration.parse(value) == nil {
            throw ValidationError("\(name) must be a duration such as 30m or 24h, got \"\(value)\"")
        }
        if let smtpURL, !(smtpURL.hasPrefix("smtp://") || smtpURL.hasPrefix("smtps://")) {
            throw ValidationError("--smtp-url must start with smtp:// or smtps://, got \"\(smtpURL)\"")
        }
        if smtpUsername != nil, smtpURL?.hasPrefix("smtp://") == true, !smtpStarttls, !smtpAllowPlaintextAuth {
            throw ValidationError(
                "--smtp-username over smtp:// would send the password in clear text: add --smtp-starttls, use smtps://, "
                    + "or --smtp-allow-plaintext-auth for a relay on this host")
        }
    }

    func settings(host: String, port: Int) -> DeliverySettings {
        let environment = ProcessInfo.processInfo.environment
        let smtp = smtpURL.map {
            SMTPSettings(
                url: $0, from: smtpFrom, username: smtpUsername, password: environment["TOCSIN_SMTP_PASSWORD"],
                requireTLS: smtpStarttls)
        }
        let base = publicURL ?? "http://\(host == "0.0.0.0" ? "127.0.0.1" : host):\(port)"
        var settings = DeliverySettings(
            publicURL: base.hasSuffix("/") ? String(base.dropLast()) : base, smtp: smtp,
            connectTimeout: deliveryConnectTimeout, timeout: deliveryTimeout, workers: deliveryWorkers, perDestination: deliveryPerDestination,
            policy: DeliveryPolicy(maxAttempts: deliveryMaxAttempts, maxAge: PolicyDuration.parse(deliveryMaxAge) ?? 21_600),
            linkLifetime: PolicyDuration.parse(linkLifetime) ?? 86_400, userAgent: "Tocsin/\(TocsinVersion.current)",
            twilio: twilioAccountSid.map { sid in
                TwilioSettings(
                    accountSID: sid, authToken: environment["TOCSIN_TWILIO_AUTH_TOKEN"] ?? "", from: twilioFrom,
                    messagingServiceSID: twilioMessagingServiceSid, apiURL: twilioAPIURL, phoneRateLimit: phoneRateLimit)
            })
        settings.leaseSeconds = lease
        return settings
    }
}
