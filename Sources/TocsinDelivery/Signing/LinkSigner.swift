import Crypto
import Foundation

/// Signs and checks the one-click links in pages: a token that names the incident, the action,
/// the person and how they were reached, valid until an expiry, under the server's link key.
///
/// Token: `base64url(v1|incident|action|actor|channel|expiry) . base64url(HMAC-SHA256)`.
public struct LinkSigner: Sendable {
    /// What a valid token allows.
    public struct Grant: Sendable, Equatable {
        public var incidentID: Int64
        /// `ack` or `resolve`.
        public var action: String
        /// The person the link was sent to, whom the timeline names; or, for a link sent to a
        /// shared channel, `channel:NAME` (the person acting then says who they are).
        public var actor: String
        /// `email-link` or `webhook-link`.
        public var channel: String
        public var expires: Date

        public init(incidentID: Int64, action: String, actor: String, channel: String, expires: Date) {
            self.incidentID = incidentID
            self.action = action
            self.actor = actor
            self.channel = channel
            self.expires = expires
        }

        /// The channel's name when the link was sent to a shared channel (`team-chat`), else nil.
        public var sharedChannel: String? {
            actor.hasPrefix("channel:") ? String(actor.dropFirst("channel:".count)) : nil
        }
    }

    /// Why a token was refused.
    public enum Rejection: Error, Equatable, Sendable, CustomStringConvertible {
        case malformed
        case badSignature
        case expired(Date)
        case wrongIncident

        public var description: String {
            switch self {
            case .malformed: "this link is damaged or incomplete"
            case .badSignature: "this link's signature is not valid (it was altered, or signed by another Tocsin)"
            case .expired(let date): "this link expired at \(date)"
            case .wrongIncident: "this link is for another incident or action"
            }
        }
    }

    private let key: SymmetricKey

    public init(key: [UInt8]) {
        self.key = SymmetricKey(data: key)
    }

    public func token(for grant: Grant) -> String {
        let payload = [
            "v1", "\(grant.incidentID)", grant.action, grant.actor, grant.channel,
            "\(Int(grant.expires.timeIntervalSince1970))",
        ].map { $0.contains("|") ? String($0.map { $0 == "|" ? "_" : $0 }) : $0 }.joined(separator: "|")
        let bytes = Array(payload.utf8)
        return Self.base64URL(bytes) + "." + Self.base64URL(Array(HMAC<SHA256>.authenticationCode(for: bytes, using: key)))
    }

    /// Checks `token` for `incidentID` and `action` at `now`.
    public func verify(_ token: String, incidentID: Int64, action: String, now: Date) throws(Rejection) -> Grant {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, let payload = Self.decodeBase64URL(String(parts[0])),
            let signature = Self.decodeBase64URL(String(parts[1]))
        else { throw .malformed }
        guard HMAC<SHA256>.isValidAuthenticationCode(signature, authenticating: payload, using: key) else {
            throw .badSignature
        }
        let fields = String(decoding: payload, as: UTF8.self).split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        guard fields.count == 6, fields[0] == "v1", let id = Int64(fields[1]), let expiry = TimeInterval(fields[5]) else {
            throw .malformed
        }
        let grant = Grant(incidentID: id, action: fields[2], actor: fields[3], channel: fields[4],
                          expires: Date(timeIntervalSince1970: expiry))
        guard grant.incidentID == incidentID, grant.action == action else { throw .wrongIncident }
        guard grant.expires > now else { throw .expired(grant.expires) }
        return grant
    }

    /// Base64 with the URL alphabet and no padding (RFC 4648 §5). Every page carries two tokens,
    /// so this maps bytes rather than searching and replacing strings.
    static func base64URL(_ bytes: [UInt8]) -> String {
        var url: [UInt8] = []
        for byte in Data(bytes).base64EncodedData() {
            switch byte {
            case UInt8(ascii: "+"): url.append(UInt8(ascii: "-"))
            case UInt8(ascii: "/"): url.append(UInt8(ascii: "_"))
            case UInt8(ascii: "="): continue
            default: url.append(byte)
            }
        }
        return String(decoding: url, as: UTF8.self)
    }

    static func decodeBase64URL(_ text: String) -> [UInt8]? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        return Data(base64Encoded: base64).map(Array.init)
    }
}
