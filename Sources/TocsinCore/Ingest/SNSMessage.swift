import Foundation

/// One message Amazon SNS POSTs to an HTTP(S) subscription: a notification, or a subscription or
/// unsubscribe confirmation, read from its JSON body.
///
/// Values are kept exactly as sent (JSON escapes undone), because ``stringToSign`` must rebuild
/// the bytes SNS signed. Reading checks that every field the message's type needs is there; it
/// does not check the signature (the server's `SNSSignatureVerifier` does, given the certificate)
/// nor whether the URLs may be fetched (``signingCertificateURLProblem(trust:)``,
/// ``subscribeURLProblem(trust:)``).
///
/// ```swift
/// let message = try SNSMessage.decode(body)
/// if let problem = message.signingCertificateURLProblem() { /* 403, naming the problem */ }
/// ```
public struct SNSMessage: Sendable, Equatable {
    /// The `Type` of a message, also sent as the `x-amz-sns-message-type` header.
    public enum Kind: String, Sendable, CaseIterable {
        case notification = "Notification"
        case subscriptionConfirmation = "SubscriptionConfirmation"
        case unsubscribeConfirmation = "UnsubscribeConfirmation"
    }

    /// The signature versions SNS uses: `1` is SHA1withRSA, `2` is SHA256withRSA.
    public static let signatureVersions: [String] = ["1", "2"]

    public var type: Kind
    /// A UUID, the same for every retry of one published message.
    public var messageId: String
    public var topicArn: String
    /// The subject given when the notification was published; absent when none was.
    public var subject: String?
    /// The notification's payload (a CloudWatch alarm is JSON text here), or a sentence on a
    /// confirmation.
    public var message: String
    /// When SNS sent the message, as sent (e.g. `2012-05-02T00:54:06.655Z`); see ``sentAt``.
    public var timestamp: String
    public var signatureVersion: String
    /// The base64 signature of ``stringToSign``.
    public var signature: String
    public var signingCertURL: String
    /// On confirmations: the URL to visit to confirm (or re-confirm) the subscription.
    public var subscribeURL: String?
    /// On confirmations: the token for `ConfirmSubscription`.
    public var token: String?
    /// On notifications: the URL that unsubscribes this endpoint (not signed).
    public var unsubscribeURL: String?

    public init(
        type: Kind,
        messageId: String,
        topicArn: String,
        subject: String? = nil,
        message: String,
        timestamp: String,
        signatureVersion: String,
        signature: String,
        signingCertURL: String,
        subscribeURL: String? = nil,
        token: String? = nil,
        unsubscribeURL: String? = nil
    ) {
        self.type = type
        self.messageId = messageId
        self.topicArn = topicArn
        self.subject = subject
        self.message = message
        self.timestamp = timestamp
        self.signatureVersion = signatureVersion
        self.signature = signature
        self.signingCertURL = signingCertURL
        self.subscribeURL = subscribeURL
        self.token = token
        self.unsubscribeURL = unsubscribeURL
    }

    /// ``timestamp`` as a date (always set on a decoded message: decoding checks it).
    public var sentAt: Date? { RFC3339.parse(timestamp) }

    /// Whether this message confirms a subscription or an unsubscription (and so carries
    /// ``subscribeURL`` and ``token``).
    public var isConfirmation: Bool { type != .notification }
}

// MARK: - Reading

extension SNSMessage {
    /// Reads and checks an SNS HTTP(S) body.
    ///
    /// Errors name the field: `Type: is required`, `SignatureVersion: must be "1" or "2", got "3"`,
    /// `SubscribeURL: is required` (on a confirmation). `null` reads as absent; unknown fields
    /// (`MessageAttributes`, …) are passed over; a field that appears twice is rejected, so the
    /// values checked are the values signed.
    public static func decode(_ body: some Collection<UInt8>) throws(IngestValidationError) -> SNSMessage {
        let fields = try JSONBody.withContiguousBody(body) { (bytes) throws(IngestValidationError) in try Self.readFields(bytes) }
        return try SNSMessage(fields: fields)
    }

    private static let knownKeys: Set<String> = [
        "Type", "MessageId", "TopicArn", "Subject", "Message", "Timestamp", "SignatureVersion", "Signature",
        "SigningCertURL", "SubscribeURL", "Token", "UnsubscribeURL",
    ]

    /// The known string fields of the body's top-level object.
    private static func readFields(_ bytes: UnsafeBufferPointer<UInt8>) throws(IngestValidationError) -> [String: String] {
        var fields: [String: String] = [:]
        var seen: Set<String> = []
        try JSONBody.readObject(bytes) { key, reader in
            guard Self.knownKeys.contains(key) else { return try reader.skipValue() }
            guard seen.insert(key).inserted else {
                throw IngestValidationError(field: key, problem: "appears more than once")
            }
            if try reader.skipNull() { return }
            do {
                fields[key] = try reader.readString()
            } catch JSONReader.Failure.mismatch(_) {
                throw IngestValidationError(field: key, problem: "expected a string")
            }
        }
        return fields
    }

    private init(fields: [String: String]) throws(IngestValidationError) {
        func required(_ key: String, allowEmpty: Bool = false) throws(IngestValidationError) -> String {
            guard let value = fields[key] else { throw IngestValidationError(field: key, problem: "is required") }
            guard allowEmpty || !value.isEmpty else { throw IngestValidationError(field: key, problem: "must not be empty") }
            return value
        }
        let typeText = try required("Type")
        guard let type = Kind(rawValue: typeText) else {
            throw IngestValidationError(
                field: "Type",
                problem: "must be \"Notification\", \"SubscriptionConfirmation\" or \"UnsubscribeConfirmation\", "
                    + "got \(Self.quoted(typeText))")
        }
        let version = try required("SignatureVersion")
        guard Self.signatureVersions.contains(version) else {
            throw IngestValidationError(field: "SignatureVersion", problem: "must be \"1\" or \"2\", got \(Self.quoted(version))")
        }
        let timestamp = try required("Timestamp")
        guard RFC3339.parse(timestamp) != nil else {
            throw IngestValidationError(field: "Timestamp", problem: "is not an RFC 3339 date-time: \(Self.quoted(timestamp))")
        }
        let messageId = try required("MessageId")
        let topicArn = try required("TopicArn")
        let message = try required("Message", allowEmpty: true)
        let signature = try required("Signature")
        let signingCertURL = try required("SigningCertURL")
        var subscribeURL = fields["SubscribeURL"]
        var token = fields["Token"]
        if type != .notification {
            subscribeURL = try required("SubscribeURL")
            token = try required("Token")
        }
        self.init(
            type: type,
            messageId: messageId,
            topicArn: topicArn,
            subject: fields["Subject"],
            message: message,
            timestamp: timestamp,
            signatureVersion: version,
            signature: signature,
            signingCertURL: signingCertURL,
            subscribeURL: subscribeURL,
            token: token,
            unsubscribeURL: fields["UnsubscribeURL"]
        )
    }

    /// `text` in quotes for an error message, cut to its first 64 characters.
    static func quoted(_ text: String) -> String {
        text.count > 64 ? "\"\(text.prefix(64))…\"" : "\"\(text)\""
    }
}

// MARK: - What SNS signed

extension SNSMessage {
    /// The exact bytes SNS signed: for each signed field in AWS's fixed order, its name, a line
    /// feed, its value and a line feed.
    ///
    /// A notification signs `Message`, `MessageId`, `Subject` (only when present), `Timestamp`,
    /// `TopicArn` and `Type`; a confirmation signs `Message`, `MessageId`, `SubscribeURL`,
    /// `Timestamp`, `Token`, `TopicArn` and `Type`.
    public var stringToSign: [UInt8] {
        var pairs: [(name: String, value: String)] = [("Message", message), ("MessageId", messageId)]
        switch type {
        case .notification:
            if let subject { pairs.append(("Subject", subject)) }
            pairs.append(("Timestamp", timestamp))
        case .subscriptionConfirmation, .unsubscribeConfirmation:
            pairs.append(("SubscribeURL", subscribeURL ?? ""))
            pairs.append(("Timestamp", timestamp))
            pairs.append(("Token", token ?? ""))
        }
        pairs.append(("TopicArn", topicArn))
        pairs.append(("Type", type.rawValue))
        var bytes: [UInt8] = []
        bytes.reserveCapacity(pairs.reduce(0) { $0 + $1.name.utf8.count + $1.value.utf8.count + 2 })
        for pair in pairs {
            bytes.append(contentsOf: pair.name.utf8)
            bytes.append(UInt8(ascii: "\n"))
            bytes.append(contentsOf: pair.value.utf8)
            bytes.append(UInt8(ascii: "\n"))
        }
        return bytes
    }
}

// MARK: - Which URLs may be fetched

extension SNSMessage {
    /// Which hosts a message's certificate and subscribe URLs may point at, and how they may be
    /// reached.
    ///
    /// ``aws`` is the production rule: https only, on the default port, to a host
    /// `sns.<region>.amazonaws.com` (or `sns.cn-<…>.amazonaws.com.cn` in the China regions). Tests
    /// substitute a value that trusts their own server, e.g.
    /// `Trust(allowsPlainHTTP: true, allowsAnyPort: true) { $0 == "127.0.0.1" }`.
    public struct Trust: Sendable {
        /// Whether an `http` URL is accepted (never for ``aws``).
        public var allowsPlainHTTP: Bool
        /// Whether a URL may name a port other than 443.
        public var allowsAnyPort: Bool
        /// Whether a host (lower-cased, exactly as written in the URL) may be fetched from.
        public var isTrustedHost: @Sendable (String) -> Bool

        public init(
            allowsPlainHTTP: Bool = false, allowsAnyPort: Bool = false, isTrustedHost: @escaping @Sendable (String) -> Bool
        ) {
            self.allowsPlainHTTP = allowsPlainHTTP
            self.allowsAnyPort = allowsAnyPort
            self.isTrustedHost = isTrustedHost
        }

        /// Amazon SNS's own hosts, over https.
        public static let aws = Trust(isTrustedHost: { host in Trust.isAWSSNSHost(host) })

        /// Whether `host` is `sns.<region>.amazonaws.com`, or `sns.<region>.amazonaws.com.cn` for a
        /// China region (`cn-north-1`, …), with a region code like `us-east-1` or `us-gov-west-1`.
        ///
        /// Case-insensitive; anything around the pattern (`….amazonaws.com.evil.com`, a trailing dot,
        /// a user name) fails.
        public static func isAWSSNSHost(_ host: String) -> Bool {
            let labels = host.lowercased().split(separator: ".", omittingEmptySubsequences: false)
            // sns.REGION.amazonaws.com, or sns.cn-REGION.amazonaws.com.cn in China.
            guard labels.count == 4 || labels.count == 5, labels[0] == "sns", labels[2] == "amazonaws",
                labels[3] == "com", isRegionCode(labels[1])
            else { return false }
            if labels.count == 5 {
                return labels[4] == "cn" && labels[1].hasPrefix("cn-")
            }
            return !labels[1].hasPrefix("cn-")
        }

        /// `us-east-1`, `ap-southeast-2`, `us-gov-west-1`: two letters, one or more words of
        /// letters, and a number of one or two digits, joined by hyphens.
        private static func isRegionCode(_ text: Substring) -> Bool {
            let parts = text.split(separator: "-", omittingEmptySubsequences: false)
            guard parts.count >= 3, let number = parts.last, (1...2).contains(number.utf8.count),
                number.utf8.allSatisfy({ (0x30...0x39).contains($0) }), parts[0].utf8.count == 2
            else { return false }
            return parts.dropLast().allSatisfy { part in
                !part.isEmpty && part.utf8.allSatisfy { (0x61...0x7a).contains($0) }
            }
        }
    }

    /// Why ``signingCertURL`` must not be fetched, or nil when it may: it must be an https URL
    /// (unless `trust` allows http) to a trusted host, with no user name, query or fragment, and a
    /// path ending in `.pem`.
    public func signingCertificateURLProblem(trust: Trust = .aws) -> IngestValidationError? {
        Self.urlProblem(signingCertURL, field: "SigningCertURL", trust: trust, isCertificate: true)
    }

    /// Why ``subscribeURL`` must not be visited, or nil when it may: it must be present and an https
    /// URL (unless `trust` allows http) to a trusted host, with no user name.
    public func subscribeURLProblem(trust: Trust = .aws) -> IngestValidationError? {
        guard let subscribeURL else { return IngestValidationError(field: "SubscribeURL", problem: "is required") }
        return Self.urlProblem(subscribeURL, field: "SubscribeURL", trust: trust, isCertificate: false)
    }

    private static func urlProblem(_ text: String, field: String, trust: Trust, isCertificate: Bool) -> IngestValidationError? {
        func problem(_ text: String) -> IngestValidationError { IngestValidationError(field: field, problem: text) }
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased() else {
            return problem("is not a URL: \(quoted(text))")
        }
        guard scheme == "https" || (scheme == "http" && trust.allowsPlainHTTP) else {
            return problem("must be an https URL, got \(quoted(text))")
        }
        guard components.percentEncodedUser == nil, components.percentEncodedPassword == nil else {
            return problem("must not carry a user name or password")
        }
        guard let host = components.percentEncodedHost?.lowercased(), !host.isEmpty else {
            return problem("has no host: \(quoted(text))")
        }
        guard trust.isTrustedHost(host) else {
            return problem("host \(quoted(host)) is not an Amazon SNS host (sns.<region>.amazonaws.com)")
        }
        if let port = components.port, !trust.allowsAnyPort, !(scheme == "https" && port == 443) {
            return problem("must not name port \(port)")
        }
        if isCertificate {
            guard components.percentEncodedQuery == nil, components.percentEncodedFragment == nil else {
                return problem("must not carry a query or fragment")
            }
            guard components.percentEncodedPath.hasSuffix(".pem") else {
                return problem("must point at a .pem file, got \(quoted(components.percentEncodedPath))")
            }
        }
        return nil
    }
}
