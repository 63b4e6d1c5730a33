import Foundation

/// JSON string literals and string maps written as bytes, the one way every JSON Tocsin writes by
/// hand has them (the text Foundation's `JSONEncoder` writes with `.sortedKeys` and
/// `.withoutEscapingSlashes`): `"` and `\` escaped, control characters as `\n`, `\t`, … or
/// `\u00XX`, everything else (slashes, non-ASCII) as it is; a map's keys in byte order.
///
/// Stored label columns and the API's answers both go through here, once per label of every
/// alert ingested or listed: a string without anything to escape is copied whole.
public enum JSONText {
    /// Appends `text` as a JSON string literal.
    public static func append(string text: String, to bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "\""))
        let copied: Bool? = text.utf8.withContiguousStorageIfAvailable { utf8 in
            guard !utf8.contains(where: needsEscape) else { return false }
            bytes.append(contentsOf: utf8)
            return true
        }
        if copied != true {
            for byte in text.utf8 { appendEscaping(byte, to: &bytes) }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// Appends `map` as a JSON object of strings, keys in byte order: `{"a":"1","b":"2"}`.
    public static func append(stringMap map: [String: String], to bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "{"))
        // Keys in byte order (their UTF-8 compared as unsigned bytes), as `.sortedKeys` writes them.
        for (index, pair) in map.sorted(by: { precedes($0.key, $1.key) }).enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            append(string: pair.key, to: &bytes)
            bytes.append(UInt8(ascii: ":"))
            append(string: pair.value, to: &bytes)
        }
        bytes.append(UInt8(ascii: "}"))
    }

    /// Whether `a`'s UTF-8 comes before `b`'s, compared byte by byte (a prefix first).
    static func precedes(_ a: String, _ b: String) -> Bool {
        var a = a
        var b = b
        return a.withUTF8 { x in
            b.withUTF8 { y in
                let common = min(x.count, y.count)
                if common > 0, let left = x.baseAddress, let right = y.baseAddress {
                    let order = memcmp(left, right, common)
                    if order != 0 { return order < 0 }
                }
                return x.count < y.count
            }
        }
    }

    private static func needsEscape(_ byte: UInt8) -> Bool {
        byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\")
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    private static func appendEscaping(_ byte: UInt8, to bytes: inout [UInt8]) {
        switch byte {
        case UInt8(ascii: "\""): bytes += [UInt8(ascii: "\\"), UInt8(ascii: "\"")]
        case UInt8(ascii: "\\"): bytes += [UInt8(ascii: "\\"), UInt8(ascii: "\\")]
        case 0x08: bytes += [UInt8(ascii: "\\"), UInt8(ascii: "b")]
        case 0x09: bytes += [UInt8(ascii: "\\"), UInt8(ascii: "t")]
        case 0x0A: bytes += [UInt8(ascii: "\\"), UInt8(ascii: "n")]
        case 0x0C: bytes += [UInt8(ascii: "\\"), UInt8(ascii: "f")]
        case 0x0D: bytes += [UInt8(ascii: "\\"), UInt8(ascii: "r")]
        case ..<0x20:
            bytes += [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0")]
            bytes.append(hexDigits[Int(byte >> 4)])
            bytes.append(hexDigits[Int(byte & 0x0F)])
        default: bytes.append(byte)
        }
    }
}
