/// An alert's identity: Alertmanager's 64-bit FNV-1a hash of its label set.
///
/// The hash covers labels only (never annotations): label names sorted by byte order, each
/// pair hashed as `name 0xFF value 0xFF`, starting from the FNV-1a offset basis. Printed as 16
/// lower-case hex digits, exactly as Alertmanager and Prometheus print it.
public struct Fingerprint: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The raw 64-bit hash.
    public let value: UInt64

    private static let offsetBasis: UInt64 = 0xcbf2_9ce4_8422_2325
    private static let prime: UInt64 = 0x0000_0100_0000_01b3
    private static let separator: UInt8 = 0xff

    public init(value: UInt64) {
        self.value = value
    }

    /// Computes the fingerprint of a label set the way Alertmanager does.
    public init(labels: [String: String]) {
        var hash = Self.offsetBasis
        // Pairs sorted by name in byte order (the same order as the stored label JSON's keys).
        for (name, value) in labels.sorted(by: { JSONText.precedes($0.key, $1.key) }) {
            Self.mix(&hash, name)
            Self.mix(&hash, Self.separator)
            Self.mix(&hash, value)
            Self.mix(&hash, Self.separator)
        }
        self.value = hash
    }

    /// Parses 16 hex digits (as sent in Alertmanager's `fingerprint` field).
    public init?(hex: String) {
        guard hex.utf8.count == 16, let parsed = UInt64(hex, radix: 16) else { return nil }
        self.value = parsed
    }

    public var description: String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }

    public static func < (lhs: Fingerprint, rhs: Fingerprint) -> Bool {
        lhs.value < rhs.value
    }

    private static func mix(_ hash: inout UInt64, _ text: String) {
        UTF8Bytes.with(text) { bytes in
            for byte in bytes { mix(&hash, byte) }
        }
    }

    private static func mix(_ hash: inout UInt64, _ byte: UInt8) {
        hash ^= UInt64(byte)
        hash &*= prime
    }
}

extension Fingerprint: Codable {
    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let parsed = Fingerprint(hex: text) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "expected 16 hexadecimal digits, got \"\(text)\"")
        }
        self = parsed
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
