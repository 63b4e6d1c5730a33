import Foundation
import TocsinCore

/// Writes the API's answers as JSON, byte for byte as `TocsinJSON.encoder()` would (keys in byte
/// order, dates as RFC 3339 text, slashes as they are, control characters escaped), without
/// JSONEncoder's cost: the hot answers (the incident list, the ingest answer) are written through
/// it. The generated types' `writeJSON(to:)` drive it; `JSONWriterTests` holds it to JSONEncoder.
public struct JSONWriter {
    public private(set) var bytes: [UInt8] = []
    /// Whether the next key or value follows another in the same object or array.
    private var needsComma = false

    public init(capacity: Int = 1024) {
        bytes.reserveCapacity(capacity)
    }

    /// The JSON of `value`, which must be a type JSONWriter can write or fall back on JSONEncoder for.
    public static func bytes(of value: some JSONWritable) throws -> [UInt8] {
        var writer = JSONWriter()
        try value.writeJSON(to: &writer)
        return writer.bytes
    }

    private mutating func separate() {
        if needsComma { bytes.append(UInt8(ascii: ",")) }
    }

    public mutating func beginObject() {
        separate()
        bytes.append(UInt8(ascii: "{"))
        needsComma = false
    }

    public mutating func endObject() {
        bytes.append(UInt8(ascii: "}"))
        needsComma = true
    }

    public mutating func beginArray() {
        separate()
        bytes.append(UInt8(ascii: "["))
        needsComma = false
    }

    public mutating func endArray() {
        bytes.append(UInt8(ascii: "]"))
        needsComma = true
    }

    /// A member's name known when the program was built (the generated types' members): copied
    /// as it is, without looking for characters to escape. Its value is written next.
    public mutating func member(_ name: StaticString) {
        separate()
        bytes.append(UInt8(ascii: "\""))
        name.withUTF8Buffer { bytes.append(contentsOf: $0) }
        bytes.append(UInt8(ascii: "\""))
        bytes.append(UInt8(ascii: ":"))
        needsComma = false
    }

    /// A member's name; its value is written next.
    public mutating func key(_ name: String) {
        string(name)
        bytes.append(UInt8(ascii: ":"))
        needsComma = false
    }

    public mutating func string(_ value: String) {
        separate()
        JSONText.append(string: value, to: &bytes)
        needsComma = true
    }

    public mutating func integer(_ value: some BinaryInteger) {
        separate()
        bytes += String(value).utf8
        needsComma = true
    }

    public mutating func bool(_ value: Bool) {
        separate()
        bytes += (value ? "true" : "false").utf8
        needsComma = true
    }

    public mutating func date(_ value: Date) {
        separate()
        bytes.append(UInt8(ascii: "\""))
        RFC3339.append(value, to: &bytes)
        bytes.append(UInt8(ascii: "\""))
        needsComma = true
    }

    /// A string map, its keys in byte order as JSONEncoder sorts them.
    public mutating func stringMap(_ map: [String: String]) {
        separate()
        JSONText.append(stringMap: map, to: &bytes)
        needsComma = true
    }

    public mutating func array<Element: JSONWritable>(_ elements: [Element]) throws {
        beginArray()
        for element in elements {
            try element.writeJSON(to: &self)
        }
        endArray()
    }

    /// A value of a type the API borrows from TocsinCore as it is (a policy snapshot), through
    /// Tocsin's JSONEncoder.
    public mutating func encodable(_ value: some Encodable) throws {
        separate()
        bytes += try TocsinJSON.encoder().encode(value)
        needsComma = true
    }
}

/// An API type that writes its own JSON (generated from the spec: see `JSONWriter`).
public protocol JSONWritable: Encodable {
    func writeJSON(to writer: inout JSONWriter) throws
}
