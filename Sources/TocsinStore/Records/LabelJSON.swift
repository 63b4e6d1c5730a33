/// Label and annotation maps (and lists of strings) as stored in JSON columns: compact, keys in
/// byte order, `/` unescaped — the same text Foundation's `JSONEncoder` writes with
/// `[.sortedKeys, .withoutEscapingSlashes]`, which GRDB uses for Codable records, so both paths
/// store identical text. Written by hand because it runs for every alert ingested.
enum LabelJSON {
    /// `{"a":"1","b":"2"}`.
    static func encode(_ map: [String: String]) -> String {
        var output: [UInt8] = []
        output.reserveCapacity(2 + map.reduce(0) { $0 + $1.key.utf8.count + $1.value.utf8.count + 6 })
        output.append(UInt8(ascii: "{"))
        for (index, pair) in map.sorted(by: { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }).enumerated() {
            if index > 0 { output.append(UInt8(ascii: ",")) }
            append(pair.key, to: &output)
            output.append(UInt8(ascii: ":"))
            append(pair.value, to: &output)
        }
        output.append(UInt8(ascii: "}"))
        return String(decoding: output, as: UTF8.self)
    }

    /// `["a","b"]`.
    static func encode(_ list: [String]) -> String {
        var output: [UInt8] = [UInt8(ascii: "[")]
        for (index, element) in list.enumerated() {
            if index > 0 { output.append(UInt8(ascii: ",")) }
            append(element, to: &output)
        }
        output.append(UInt8(ascii: "]"))
        return String(decoding: output, as: UTF8.self)
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// Appends `text` as a JSON string literal.
    private static func append(_ text: String, to output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0x0A: output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0D: output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0x09: output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0x08: output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "b")])
            case 0x0C: output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "f")])
            case ..<0x20:
                output.append(contentsOf: Array("\\u00".utf8))
                output.append(hexDigits[Int(byte >> 4)])
                output.append(hexDigits[Int(byte & 0x0F)])
            default: output.append(byte)
            }
        }
        output.append(UInt8(ascii: "\""))
    }
}
