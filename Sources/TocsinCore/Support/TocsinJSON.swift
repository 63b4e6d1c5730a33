import Foundation

/// The JSON encoder and decoder settings shared by the API, the CLI and stored JSON columns.
///
/// Dates are RFC 3339 in UTC with milliseconds; keys are written as the types declare them.
public enum TocsinJSON {
    /// An encoder with Tocsin's date format and sorted keys (stable output for people and diffs).
    public static func encoder(pretty: Bool = false) -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(RFC3339.format(date))
        }
        return encoder
    }

    /// A decoder that reads Tocsin's dates, and any RFC 3339 date-time.
    public static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            guard let date = RFC3339.parse(text) else {
                throw DecodingError.dataCorruptedError(
                    in: container, debugDescription: "expected an RFC 3339 date-time, got \"\(text)\"")
            }
            return date
        }
        return decoder
    }
}
