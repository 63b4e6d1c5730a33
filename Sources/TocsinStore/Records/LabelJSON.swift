import Foundation

/// Label and annotation maps (and other small values) as stored in JSON columns: compact, keys sorted (as GRDB writes them
/// for Codable records, so both paths produce the same text).
enum LabelJSON {
    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    static func encode(_ value: some Encodable) throws -> String {
        String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}
