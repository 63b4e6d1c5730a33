/// A string's UTF-8 read as one buffer of bytes: in place for a native string, whose bytes are
/// contiguous (every string Tocsin reads from a request is), else from a copy.
///
/// Iterating `String.UTF8View` directly goes through its collection witnesses byte by byte; on the
/// ingest path (every label name and value is checked and hashed) that was a tenth of decoding.
enum UTF8Bytes {
    /// Calls `body` with `text`'s UTF-8.
    static func with<Result>(_ text: String, _ body: (UnsafeBufferPointer<UInt8>) throws -> Result) rethrows -> Result {
        if let result = try text.utf8.withContiguousStorageIfAvailable(body) { return result }
        return try Array(text.utf8).withUnsafeBufferPointer(body)
    }

    /// Whether `text` holds a NUL byte.
    static func containsNUL(_ text: String) -> Bool {
        with(text) { bytes in
            for byte in bytes where byte == 0 { return true }
            return false
        }
    }
}
