import TocsinCore

/// Label and annotation maps (and lists of strings) as stored in JSON columns: compact, keys in
/// byte order, `/` unescaped — the same text Foundation's `JSONEncoder` writes with
/// `[.sortedKeys, .withoutEscapingSlashes]`, which GRDB uses for Codable records, so both paths
/// store identical text. Written by hand because it runs for every alert ingested.
enum LabelJSON {
    /// `{"a":"1","b":"2"}`.
    static func encode(_ map: [String: String]) -> String {
        var output: [UInt8] = []
        output.reserveCapacity(2 + map.reduce(0) { $0 + $1.key.utf8.count + $1.value.utf8.count + 6 })
        JSONText.append(stringMap: map, to: &output)
        return String(decoding: output, as: UTF8.self)
    }

    /// `["a","b"]`.
    static func encode(_ list: [String]) -> String {
        var output: [UInt8] = [UInt8(ascii: "[")]
        for (index, element) in list.enumerated() {
            if index > 0 { output.append(UInt8(ascii: ",")) }
            JSONText.append(string: element, to: &output)
        }
        output.append(UInt8(ascii: "]"))
        return String(decoding: output, as: UTF8.self)
    }
}
