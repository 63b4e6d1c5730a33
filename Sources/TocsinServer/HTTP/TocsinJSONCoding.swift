import Foundation
import Hummingbird
import NIOCore
import TocsinAPI
import TocsinCore

/// How routes answer: every value a handler returns is JSON with Tocsin's settings (sorted keys,
/// RFC 3339 dates) and a final newline, as `application/json; charset=utf-8`.
struct TocsinResponseEncoder: ResponseEncoder {
    func encode(_ value: some Encodable, from request: Request, context: some RequestContext) throws -> Response {
        try Self.response(value, status: .ok)
    }

    /// The JSON answer `value` with `status`: an API type writes its own JSON (``JSONWriter``, the
    /// same bytes at a fraction of JSONEncoder's cost); anything else goes through JSONEncoder.
    static func response(_ value: some Encodable, status: HTTPResponse.Status) throws -> Response {
        response(body: try body(value), status: status)
    }

    /// The bytes of `value`'s JSON answer, newline included.
    static func body(_ value: some Encodable) throws -> ByteBuffer {
        var buffer = ByteBuffer()
        if let writable = value as? any JSONWritable {
            var writer = JSONWriter()
            try writable.writeJSON(to: &writer)
            buffer.reserveCapacity(writer.bytes.count + 1)
            buffer.writeBytes(writer.bytes)
        } else {
            let data = try TocsinJSON.encoder().encode(value)
            buffer.reserveCapacity(data.count + 1)
            buffer.writeBytes(data)
        }
        buffer.writeString("\n")
        return buffer
    }

    /// A JSON answer whose bytes were written before (``body(_:)``).
    static func response(body: ByteBuffer, status: HTTPResponse.Status) -> Response {
        Response(status: status, headers: [.contentType: "application/json; charset=utf-8"], body: .init(byteBuffer: body))
    }
}

/// How routes read JSON bodies (`request.decode(as:context:)`): at most the context's
/// `maxUploadSize`, with a decoding error answered as a 400 that names the field. An empty body
/// decodes as nil where the route accepts none (`decode(as: Body?.self, …)`).
struct TocsinRequestDecoder: RequestDecoder {
    func decode<T: Decodable>(_ type: T.Type, from request: Request, context: some RequestContext) async throws -> T {
        let buffer = try await request.body.collect(upTo: context.maxUploadSize)
        if buffer.readableBytes == 0, let empty = (T.self as? any EmptyBodyDecodable.Type)?.emptyBody as? T {
            return empty
        }
        do {
            return try TocsinJSON.decoder().decode(T.self, from: Data(buffer.readableBytesView))
        } catch let error as DecodingError {
            let problem = IngestValidationError(decodingError: error)
            throw APIError(
                .badRequest, code: "invalid_body", field: problem.field.isEmpty ? nil : problem.field, message: problem.description)
        }
    }
}

/// A body type a request may leave out entirely.
protocol EmptyBodyDecodable {
    /// What an empty body means.
    static var emptyBody: Self { get }
}

extension Optional: EmptyBodyDecodable {
    static var emptyBody: Self { nil }
}
