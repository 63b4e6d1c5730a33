import Foundation

/// Who a request comes from, as the audit trail and the rate limiter see it: the peer's address,
/// or, when the peer is a trusted proxy, the rightmost address in `X-Forwarded-For` that is not
/// one of the trusted proxies (the ones before it could be forged by the client). IPv4 clients of
/// a dual-stack listener (`::ffff:a.b.c.d`) are written as IPv4.
struct ClientAddress: Sendable {
    /// Networks whose peers may say who the client is.
    let trustedProxies: [Network]

    /// A network written `a.b.c.d/n`, `x::y/n`, or a single address.
    struct Network: Sendable, Equatable, CustomStringConvertible {
        let bytes: [UInt8]
        let prefixLength: Int
        let description: String

        /// Parses `cidr`; nil when it is not an IP address with an optional prefix length.
        init?(_ cidr: String) {
            let parts = cidr.split(separator: "/", maxSplits: 1).map(String.init)
            guard let address = parts.first, let bytes = ClientAddress.bytes(address) else { return nil }
            let length = parts.count == 2 ? Int(parts[1]) : bytes.count * 8
            guard let length, (0...bytes.count * 8).contains(length) else { return nil }
            self.bytes = bytes
            self.prefixLength = length
            self.description = cidr
        }

        func contains(_ address: [UInt8]) -> Bool {
            guard address.count == bytes.count else { return false }
            var remaining = prefixLength
            for (mine, theirs) in zip(bytes, address) where remaining > 0 {
                let mask: UInt8 = remaining >= 8 ? 0xFF : ~(0xFF >> UInt8(remaining))
                guard mine & mask == theirs & mask else { return false }
                remaining -= 8
            }
            return true
        }
    }

    init(trustedProxies: [Network] = []) {
        self.trustedProxies = trustedProxies
    }

    /// The client of a request from `peer` carrying `forwardedFor` (each `X-Forwarded-For` header).
    func client(peer: String, forwardedFor: [String]) -> String {
        let peer = Self.normalised(peer)
        guard isTrusted(peer), !forwardedFor.isEmpty else { return peer }
        let hops = forwardedFor.flatMap { $0.split(separator: ",") }.map { Self.normalised($0.trimmingCharacters(in: .whitespaces)) }
        // From the right: the first hop that is not a trusted proxy is the client.
        for hop in hops.reversed() where !isTrusted(hop) {
            return Self.bytes(hop) == nil ? peer : hop
        }
        return hops.first.flatMap { Self.bytes($0) == nil ? nil : $0 } ?? peer
    }

    func isTrusted(_ address: String) -> Bool {
        guard let bytes = Self.bytes(address) else { return false }
        return trustedProxies.contains { $0.contains(bytes) }
    }

    /// `a.b.c.d` for `::ffff:a.b.c.d`; any other address as it is.
    static func normalised(_ address: String) -> String {
        let lowered = address.lowercased()
        if lowered.hasPrefix("::ffff:"), lowered.contains("."), bytes(String(lowered.dropFirst(7)))?.count == 4 {
            return String(lowered.dropFirst(7))
        }
        return address
    }

    /// The 4 or 16 bytes of an IPv4 or IPv6 address, or nil.
    static func bytes(_ address: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, address, &v4) == 1 {
            return withUnsafeBytes(of: &v4) { Array($0) }
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, address, &v6) == 1 {
            return withUnsafeBytes(of: &v6) { Array($0) }
        }
        return nil
    }
}
