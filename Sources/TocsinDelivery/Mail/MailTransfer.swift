import CCurl
import Foundation

/// Where and how to send mail.
public struct SMTPSettings: Sendable, Equatable {
    /// `smtp://host:port` (plain, or STARTTLS with `requireTLS`) or `smtps://host:port` (implicit TLS).
    public var url: String
    /// The envelope and header sender, e.g. `Tocsin <tocsin@example.com>`.
    public var from: String
    public var username: String?
    /// Never logged.
    public var password: String?
    /// Require STARTTLS on `smtp://` URLs.
    public var requireTLS: Bool

    public init(url: String, from: String, username: String? = nil, password: String? = nil, requireTLS: Bool = false) {
        self.url = url
        self.from = from
        self.username = username
        self.password = password
        self.requireTLS = requireTLS
    }

    /// The bare address of `from` (`tocsin@example.com` from `Tocsin <tocsin@example.com>`).
    public var envelopeFrom: String {
        guard let open = from.lastIndex(of: "<"), let close = from.lastIndex(of: ">"), open < close else { return from }
        return String(from[from.index(after: open)..<close])
    }
}

/// Blocking SMTP submission through libcurl (which also escapes lines that begin with a dot).
public enum MailTransfer {
    /// Sends `message` (CRLF line endings) to `recipients`; returns the server's final reply code.
    public static func send(
        _ message: String, to recipients: [String], settings: SMTPSettings, connectTimeout: TimeInterval,
        totalTimeout: TimeInterval
    ) throws(TransferError) -> Int {
        let easy = try CurlEasy(url: settings.url, connectTimeout: connectTimeout, totalTimeout: totalTimeout)
        // Mail goes by SMTP only, whatever URL was configured.
        easy.set(CURLOPT_PROTOCOLS_STR, "smtp,smtps")
        easy.set(CURLOPT_MAIL_FROM, "<\(settings.envelopeFrom)>")
        easy.set(CURLOPT_MAIL_RCPT, list: recipients.map { "<\($0)>" })
        if settings.requireTLS {
            easy.set(CURLOPT_USE_SSL, Int(CURLUSESSL_ALL.rawValue))
        }
        if let username = settings.username {
            easy.set(CURLOPT_USERNAME, username)
        }
        if let password = settings.password {
            easy.set(CURLOPT_PASSWORD, password)
        }
        easy.upload(Array(message.utf8))
        try easy.perform()
        return easy.responseCode
    }
}
