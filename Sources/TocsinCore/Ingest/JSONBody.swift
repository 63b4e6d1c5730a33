/// Reading a request body as one JSON object, shared by every source's reader: the body's bytes
/// made contiguous once, syntax errors reported with the byte offset where reading stopped.
enum JSONBody {
    /// Reads `body` as one JSON object, handing each member to `member` (which must consume its
    /// value), and checks that nothing but whitespace follows. Shared by every source's reader.
    ///
    /// A body that is valid JSON but not an object is "expected an object"; bytes that are not
    /// JSON are reported with the byte offset where reading stopped; an ``IngestValidationError``
    /// thrown by `member` passes through unchanged.
    static func readObject(
        _ body: UnsafeBufferPointer<UInt8>, _ member: (String, inout JSONReader) throws -> Void
    ) throws(IngestValidationError) {
        var reader = JSONReader(body)
        do {
            guard try reader.isAtObject() else {
                // Not an object: say so if it is valid JSON, else say where it breaks.
                try reader.skipValue()
                try reader.finish()
                throw IngestValidationError(field: "", problem: "expected an object")
            }
            try reader.readObject(member)
            try reader.finish()
        } catch let error as IngestValidationError {
            throw error
        } catch let JSONReader.Failure.syntax(offset, reason) {
            throw IngestValidationError(field: "", problem: "the body is not valid JSON: \(reason) at byte \(offset)")
        } catch {
            throw IngestValidationError(field: "", problem: "the body is not valid JSON")
        }
    }

    /// Runs `read` over the bytes of `body`, copying them first only when they are not contiguous.
    static func withContiguousBody<T>(
        _ body: some Collection<UInt8>, _ read: (UnsafeBufferPointer<UInt8>) throws(IngestValidationError) -> T
    ) throws(IngestValidationError) -> T {
        do {
            return try body.withContiguousStorageIfAvailable { bytes in try read(bytes) }
                ?? Array(body).withUnsafeBufferPointer { bytes in try read(bytes) }
        } catch let error as IngestValidationError {
            throw error
        } catch {
            throw IngestValidationError(field: "", problem: "the body could not be read")
        }
    }
}
