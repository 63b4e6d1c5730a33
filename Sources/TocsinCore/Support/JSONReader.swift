/// A strict, single-pass JSON reader (RFC 8259) over contiguous bytes, for the ingest hot path.
///
/// Callers pull values in the shape they expect (`readObject`, `readArray`, `readString`, …) and
/// skip the rest with `skipValue`, so a body is parsed once, without building a document tree or
/// going through `Codable`. Every value the reader passes over is still checked: a body is either
/// valid JSON as a whole or rejected. Strings must be valid UTF-8 and may not carry raw control
/// characters or unpaired surrogate escapes; nesting is limited to ``maxDepth`` levels. A leading
/// UTF-8 byte order mark is allowed. When an object repeats a key, callers see every occurrence
/// in order.
struct JSONReader {
    /// Why reading stopped.
    enum Failure: Error, Equatable {
        /// The bytes are not JSON: `offset` is where reading stopped.
        case syntax(offset: Int, reason: String)
        /// Valid JSON, but a value is not of the expected kind (`expected` reads "a string", …).
        case mismatch(expected: String)
    }

    /// Deeper nesting is rejected (webhook bodies nest four levels).
    static let maxDepth = 64

    private let bytes: UnsafeBufferPointer<UInt8>
    private var offset = 0
    private var depth = 0

    init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF {
            offset = 3
        }
    }

    /// After the top-level value: only whitespace may follow.
    mutating func finish() throws {
        skipWhitespace()
        guard offset == bytes.count else { throw syntax("unexpected data after the JSON value") }
    }

    /// Consumes a `null` and answers true, or leaves any other value in place and answers false.
    mutating func skipNull() throws -> Bool {
        guard try peek() == UInt8(ascii: "n") else { return false }
        try literal("null")
        return true
    }

    /// Whether the next value is an object.
    mutating func isAtObject() throws -> Bool {
        try peek() == UInt8(ascii: "{")
    }

    /// Reads an object, calling `field` with each key; `field` must consume the key's value.
    mutating func readObject(_ field: (String, inout JSONReader) throws -> Void) throws {
        try readContainer(open: UInt8(ascii: "{"), close: UInt8(ascii: "}"), kind: "an object") { reader in
            guard try reader.peek() == UInt8(ascii: "\"") else { throw reader.syntax("expected a quoted object key") }
            let key = try reader.string()
            guard try reader.peek() == UInt8(ascii: ":") else { throw reader.syntax("expected ':' after an object key") }
            reader.offset += 1
            try field(key, &reader)
        }
    }

    /// Reads an array, calling `element` with each index; `element` must consume the value.
    mutating func readArray(_ element: (Int, inout JSONReader) throws -> Void) throws {
        var index = 0
        try readContainer(open: UInt8(ascii: "["), close: UInt8(ascii: "]"), kind: "an array") { reader in
            try element(index, &reader)
            index += 1
        }
    }

    /// Reads `open`, members separated by commas (each read by `member`), and `close`.
    private mutating func readContainer(
        open: UInt8, close: UInt8, kind: String, _ member: (inout JSONReader) throws -> Void
    ) throws {
        guard try peek() == open else { throw Failure.mismatch(expected: kind) }
        try enter()
        offset += 1
        if try peek() == close {
            offset += 1
            depth -= 1
            return
        }
        while true {
            try member(&self)
            switch try peek() {
            case UInt8(ascii: ","): offset += 1
            case close:
                offset += 1
                depth -= 1
                return
            default: throw syntax("expected ',' or '\(Character(Unicode.Scalar(close)))' in \(kind)")
            }
        }
    }

    /// Reads a string value.
    mutating func readString() throws -> String {
        guard try peek() == UInt8(ascii: "\"") else { throw Failure.mismatch(expected: "a string") }
        return try string()
    }

    /// Reads a number that is an exact integer (`3`, `3.0` and `3e0` alike) within ±2^53.
    mutating func readInteger() throws -> Int {
        guard try isAtNumber() else { throw Failure.mismatch(expected: "an integer") }
        let text = try number()
        let limit = 9_007_199_254_740_992.0
        guard let value = Double(text), value.rounded() == value, abs(value) <= limit else {
            throw Failure.mismatch(expected: "an integer")
        }
        return Int(value)
    }

    /// Reads a number and returns its text as written (`44.2`, `-1e+21`), checked per RFC 8259.
    mutating func readNumberText() throws -> String {
        guard try isAtNumber() else { throw Failure.mismatch(expected: "a number") }
        return try String(number())
    }

    /// Whether the next value starts like a number (a minus sign or a digit).
    private mutating func isAtNumber() throws -> Bool {
        guard let first = try peek() else { return false }
        return first == UInt8(ascii: "-") || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first)
    }

    /// Passes over one value of any kind, checking it.
    mutating func skipValue() throws {
        guard let next = try peek() else { throw syntax("expected a value") }
        switch next {
        case UInt8(ascii: "\""): _ = try string()
        case UInt8(ascii: "t"): try literal("true")
        case UInt8(ascii: "f"): try literal("false")
        case UInt8(ascii: "n"): try literal("null")
        case UInt8(ascii: "{"): try readObject { _, reader in try reader.skipValue() }
        case UInt8(ascii: "["): try readArray { _, reader in try reader.skipValue() }
        default: _ = try number()
        }
    }

    /// Passes over one value of any kind, checking it, and returns its JSON text as sent (any
    /// whitespace inside included), e.g. to keep a free-form field such as PagerDuty's `custom_details`.
    mutating func readRawValue() throws -> String {
        guard try peek() != nil else { throw syntax("expected a value") }
        let start = offset
        try skipValue()
        return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<offset]), as: UTF8.self)
    }

    // MARK: - Scanning

    private func syntax(_ reason: String) -> Failure {
        .syntax(offset: offset, reason: reason)
    }

    private mutating func enter() throws {
        depth += 1
        guard depth <= Self.maxDepth else { throw syntax("nested more than \(Self.maxDepth) levels deep") }
    }

    private mutating func skipWhitespace() {
        while offset < bytes.count {
            switch bytes[offset] {
            case 0x20, 0x0A, 0x0D, 0x09: offset += 1
            default: return
            }
        }
    }

    /// The next byte that is not whitespace, left in place; nil at the end.
    private mutating func peek() throws -> UInt8? {
        skipWhitespace()
        return offset < bytes.count ? bytes[offset] : nil
    }

    private mutating func literal(_ word: String) throws {
        for expected in word.utf8 {
            guard offset < bytes.count, bytes[offset] == expected else { throw syntax("invalid literal") }
            offset += 1
        }
    }

    /// Scans a number per RFC 8259 and returns its text.
    private mutating func number() throws -> Substring {
        let start = offset
        func digits(_ reader: inout JSONReader) -> Int {
            let from = reader.offset
            while reader.offset < reader.bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(reader.bytes[reader.offset]) {
                reader.offset += 1
            }
            return reader.offset - from
        }
        if offset < bytes.count, bytes[offset] == UInt8(ascii: "-") { offset += 1 }
        let integerStart = offset
        let integerDigits = digits(&self)
        guard integerDigits > 0 else { throw syntax("invalid number") }
        guard integerDigits == 1 || bytes[integerStart] != UInt8(ascii: "0") else { throw syntax("leading zero in a number") }
        if offset < bytes.count, bytes[offset] == UInt8(ascii: ".") {
            offset += 1
            guard digits(&self) > 0 else { throw syntax("invalid number") }
        }
        if offset < bytes.count, bytes[offset] | 0x20 == UInt8(ascii: "e") {
            offset += 1
            if offset < bytes.count, bytes[offset] == UInt8(ascii: "+") || bytes[offset] == UInt8(ascii: "-") { offset += 1 }
            guard digits(&self) > 0 else { throw syntax("invalid number") }
        }
        return Substring(decoding: UnsafeBufferPointer(rebasing: bytes[start..<offset]), as: UTF8.self)
    }

    /// Scans a string (the reader is on its opening quote) and returns its value.
    private mutating func string() throws -> String {
        offset += 1
        let start = offset
        // Fast path: no escapes; plain ASCII needs no UTF-8 validation.
        var ascii = true
        while offset < bytes.count {
            let byte = bytes[offset]
            if byte == UInt8(ascii: "\"") {
                let raw = UnsafeBufferPointer(rebasing: bytes[start..<offset])
                let text = ascii ? String(decoding: raw, as: UTF8.self) : try validated(raw)
                offset += 1
                return text
            }
            ascii = ascii && byte < 0x80
            if byte == UInt8(ascii: "\\") { break }
            guard byte >= 0x20 else { throw syntax("control character in a string") }
            offset += 1
        }
        var unescaped = Array(bytes[start..<offset])
        while offset < bytes.count {
            let byte = bytes[offset]
            offset += 1
            switch byte {
            case UInt8(ascii: "\""):
                return try unescaped.withUnsafeBufferPointer { buffer throws in try validated(buffer) }
            case UInt8(ascii: "\\"):
                try escape(into: &unescaped)
            case ..<0x20:
                offset -= 1
                throw syntax("control character in a string")
            default:
                unescaped.append(byte)
            }
        }
        throw syntax("unterminated string")
    }

    private func validated(_ utf8: UnsafeBufferPointer<UInt8>) throws -> String {
        guard let text = String(validating: utf8, as: UTF8.self) else { throw syntax("a string is not valid UTF-8") }
        return text
    }

    /// Appends the UTF-8 of the escape sequence after a backslash.
    private mutating func escape(into unescaped: inout [UInt8]) throws {
        guard offset < bytes.count else { throw syntax("unterminated string") }
        let byte = bytes[offset]
        offset += 1
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): unescaped.append(byte)
        case UInt8(ascii: "b"): unescaped.append(0x08)
        case UInt8(ascii: "f"): unescaped.append(0x0C)
        case UInt8(ascii: "n"): unescaped.append(0x0A)
        case UInt8(ascii: "r"): unescaped.append(0x0D)
        case UInt8(ascii: "t"): unescaped.append(0x09)
        case UInt8(ascii: "u"):
            var scalar = try hex4()
            if (0xD800...0xDBFF).contains(scalar) {
                guard offset + 1 < bytes.count, bytes[offset] == UInt8(ascii: "\\"), bytes[offset + 1] == UInt8(ascii: "u") else {
                    throw syntax("unpaired surrogate escape in a string")
                }
                offset += 2
                let low = try hex4()
                guard (0xDC00...0xDFFF).contains(low) else { throw syntax("unpaired surrogate escape in a string") }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            } else if (0xDC00...0xDFFF).contains(scalar) {
                throw syntax("unpaired surrogate escape in a string")
            }
            guard let unicode = Unicode.Scalar(scalar) else { throw syntax("invalid \\u escape") }
            unescaped.append(contentsOf: String(Character(unicode)).utf8)
        default:
            offset -= 1
            throw syntax("invalid escape in a string")
        }
    }

    private mutating func hex4() throws -> UInt32 {
        guard offset + 4 <= bytes.count else { throw syntax("invalid \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[offset]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw syntax("invalid \\u escape")
            }
            value = value << 4 | UInt32(digit)
            offset += 1
        }
        return value
    }
}
