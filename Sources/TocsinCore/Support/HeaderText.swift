/// HTTP header values read as HTTP compares them: ASCII letters in any case, spaces and tabs
/// around values ignored, and no Unicode case mapping or copy of the value (these run on every
/// request).
public enum HeaderText {
    /// Whether the media type of `contentType` (before any `;` parameter) is `application/json`.
    public static func isJSONMediaType(_ contentType: String) -> Bool {
        var value = contentType.utf8[...]
        if let semicolon = value.firstIndex(of: UInt8(ascii: ";")) {
            value = value[..<semicolon]
        }
        return equalsIgnoringCase(trimmed(value), lowercase: "application/json")
    }

    /// The credentials of an `Authorization` value of the `Bearer` scheme (in any case), trimmed;
    /// nil for another scheme or none.
    public static func bearerToken(_ authorization: String) -> String? {
        let value = authorization.utf8[...]
        guard let space = value.firstIndex(of: UInt8(ascii: " ")),
            equalsIgnoringCase(value[..<space], lowercase: "bearer")
        else { return nil }
        let token = trimmed(value[value.index(after: space)...])
        return token.isEmpty ? nil : String(Substring(token))
    }

    private static func isBlank(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t")
    }

    private static func trimmed(_ value: Substring.UTF8View) -> Substring.UTF8View {
        var value = value
        while let first = value.first, isBlank(first) { value.removeFirst() }
        while let last = value.last, isBlank(last) { value.removeLast() }
        return value
    }

    /// Whether `value` is `lowercase` (ASCII, written in lower case) with its letters in any case.
    private static func equalsIgnoringCase(_ value: Substring.UTF8View, lowercase: StaticString) -> Bool {
        guard value.count == lowercase.utf8CodeUnitCount else { return false }
        return lowercase.withUTF8Buffer { expected in
            zip(value, expected).allSatisfy { byte, wanted in
                let lowered = byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte
                return lowered == wanted
            }
        }
    }
}
