import Foundation

/// The pure parts of Twilio's request signing (`X-Twilio-Signature`), of reading the form bodies
/// Twilio POSTs, and of checking phone numbers; the HMAC itself lives in TocsinDelivery
/// (`TwilioSigner`), which has a crypto library.
///
/// Twilio signs each form-encoded request it makes (incoming messages, voice URLs, `<Gather>`
/// actions, status callbacks) like this, as its "Webhooks security" page describes:
///
/// 1. take the full URL Twilio requested: scheme, host, port if any, path and query string,
///    exactly as Twilio called it (a query string is part of the URL, and is not sorted);
/// 2. sort the POST parameters by name and append each one's name, then its value, with no
///    separators;
/// 3. HMAC-SHA1 that text with the account's Auth Token as the key, and base64 the digest.
///
/// A receiver recomputes this over what it received and compares the result with the header in
/// constant time.
public enum TwilioSignature {
    /// The header Twilio puts the signature in.
    public static let headerName = "X-Twilio-Signature"

    /// The text Twilio signs for a form POST to `url` with `parameters`: the URL as given, then
    /// every parameter's name and value with no separators, in name order.
    ///
    /// - Names are compared as bytes (UTF-8, case-sensitive: `To` sorts before `body`).
    /// - Twilio's page says to sort by name, and no more. When a name appears more than once, every
    ///   (name, value) pair is kept, and pairs with the same name are sorted by value, as Twilio's
    ///   own helper libraries do it (twilio-python's test vector with two `Digits` fields signs
    ///   `Digits1234Digits5678`, whatever order they came in).
    /// - A parameter with an empty value still contributes its name.
    /// - Values are the decoded form values (see ``parseForm(_:)``), not their `%XX` form.
    /// - The URL is used exactly as given: nothing is added, removed or re-encoded. (Twilio's helper
    ///   libraries accept a URL signed with or without an explicit default port, `:443`, because
    ///   Twilio's own signing has not always agreed; a caller who needs that tries both.)
    ///
    /// For the documented example, `https://mycompany.com/myapp.php?foo=1&bar=2` with `CallSid`,
    /// `Caller`, `Digits`, `From` and `To`, this is
    /// `https://mycompany.com/myapp.php?foo=1&bar=2CallSidCA1234567890ABCDECaller+14158675309Digits1234From+14158675309To+18005551212`.
    public static func signedText(url: String, parameters: [(String, String)]) -> String {
        let sorted = parameters.sorted { left, right in
            if !left.0.utf8.elementsEqual(right.0.utf8) {
                return left.0.utf8.lexicographicallyPrecedes(right.0.utf8)
            }
            return left.1.utf8.lexicographicallyPrecedes(right.1.utf8)
        }
        var text = url
        for (name, value) in sorted {
            text += name
            text += value
        }
        return text
    }

    /// The fields of an `application/x-www-form-urlencoded` body, in the order they appear, each
    /// repeat kept: `a=1&a=2` gives `[("a", "1"), ("a", "2")]`.
    ///
    /// - `+` is a space and `%XX` is the byte `XX`, so `%2B` is a `+` and `%20` a space; the
    ///   decoded bytes are read as UTF-8 (an invalid sequence becomes U+FFFD).
    /// - A `%` not followed by two hex digits is kept as it is, rather than failing the whole body.
    /// - A field without `=` has an empty value (`flag` gives `("flag", "")`); empty fields (`a=1&&b=2`)
    ///   are skipped. Only the first `=` separates the name from the value.
    public static func parseForm(_ body: String) -> [(String, String)] {
        var fields: [(String, String)] = []
        for field in body.utf8.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            if let equals = field.firstIndex(of: UInt8(ascii: "=")) {
                let name = decodeFormComponent(field[field.startIndex..<equals])
                let value = decodeFormComponent(field[field.index(after: equals)...])
                fields.append((name, value))
            } else {
                fields.append((decodeFormComponent(field), ""))
            }
        }
        return fields
    }

    /// One name or value of a form body, decoded: `+` to space, `%XX` to a byte, then UTF-8.
    static func decodeFormComponent(_ encoded: Substring.UTF8View) -> String {
        let bytes = Array(encoded)
        var decoded: [UInt8] = []
        decoded.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "+") {
                decoded.append(UInt8(ascii: " "))
                index += 1
            } else if byte == UInt8(ascii: "%"), index + 2 < bytes.count,
                let high = hexValue(bytes[index + 1]), let low = hexValue(bytes[index + 2])
            {
                decoded.append(high << 4 | low)
                index += 3
            } else {
                decoded.append(byte)
                index += 1
            }
        }
        return String(decoding: decoded, as: UTF8.self)
    }

    /// The value of one hex digit, or nil.
    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
