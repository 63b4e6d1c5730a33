import Crypto
import Foundation

/// `X-Tocsin-Signature`: HMAC-SHA256 over `timestamp.body`, hex, one `v1=` entry per active secret
/// (two during a rotation), e.g. `v1=5d4…,v1=9a1…`.
///
/// A receiver recomputes the HMAC with its secret over the `X-Tocsin-Timestamp` header, a dot and
/// the raw body, accepts the request if any entry matches, and rejects timestamps older than a few minutes.
public enum WebhookSignature {
    public static func header(timestamp: String, body: [UInt8], secrets: [String]) -> String {
        secrets.map { "v1=" + sign(timestamp: timestamp, body: body, secret: $0) }.joined(separator: ",")
    }

    public static func sign(timestamp: String, body: [UInt8], secret: String) -> String {
        var message = Array(timestamp.utf8)
        message.append(UInt8(ascii: "."))
        message += body
        let code = HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: Array(secret.utf8)))
        return code.map { String(format: "%02x", $0) }.joined()
    }

    /// Whether `header` carries a valid signature of `timestamp.body` for `secret`.
    public static func verify(header: String, timestamp: String, body: [UInt8], secret: String) -> Bool {
        let expected = "v1=" + sign(timestamp: timestamp, body: body, secret: secret)
        return header.split(separator: ",").contains { entry in
            let candidate = Array(entry.trimmingCharacters(in: .whitespaces).utf8)
            let wanted = Array(expected.utf8)
            return candidate.count == wanted.count && zip(candidate, wanted).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
        }
    }
}
