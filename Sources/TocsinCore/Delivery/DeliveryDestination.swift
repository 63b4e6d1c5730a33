/// Where a notification is delivered, as one receiving system: the SMTP server for every email
/// (one relay for all addresses), the origin of a webhook's URL (`https://hooks.example.com:8443`).
///
/// A destination that stops answering holds at most a few delivery workers, so it never delays
/// pages to the others; and a destination that accepts again releases its whole backlog.
public enum DeliveryDestination {
    /// The destination of every email: the one SMTP server.
    public static let mail = Medium.email.rawValue
    /// The destination of every text and call: Twilio's API.
    public static let phone = "twilio"

    /// The destination of a notification by `medium` to `address`.
    public static func of(medium: Medium, address: String) -> String {
        switch medium {
        case .email: mail
        case .webhook: webhookOrigin(address) ?? address
        case .sms, .voice: phone
        }
    }

    /// `https://hooks.example.com:8443` of `https://hooks.example.com:8443/services/T0/B0?x=1`.
    public static func webhookOrigin(_ url: String) -> String? {
        // Byte by byte, and cut at a byte (not a Character) boundary, as the SQL of migration 13
        // does: Foundation's substring search cost more than the rest of a claim's choice.
        let bytes = url.utf8
        var index = bytes.startIndex
        var schemeEnd: String.UTF8View.Index?
        while index != bytes.endIndex {
            if bytes[index] == UInt8(ascii: ":"), bytes[bytes.index(after: index)...].starts(with: "//".utf8) {
                schemeEnd = bytes.index(index, offsetBy: 3)
                break
            }
            index = bytes.index(after: index)
        }
        guard let authorityStart = schemeEnd else { return nil }
        let authorityEnd = bytes[authorityStart...].firstIndex {
            $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "#")
        } ?? bytes.endIndex
        guard authorityEnd > authorityStart else { return nil }
        return String(decoding: bytes[..<authorityEnd], as: UTF8.self)
    }
}

extension OutboxEntry {
    /// The receiving system this notification goes to (``DeliveryDestination``).
    public var destination: String { DeliveryDestination.of(medium: medium, address: address) }
}
