import Foundation
import Hummingbird
import TocsinCore

/// Decodes small JSON request bodies, turning decoding errors into a 400 that names the field.
enum JSONBody {
    /// The decoded body, or `empty` when the request has none.
    static func decode<T: Decodable>(_ type: T.Type, from request: Request, empty: T, limit: Int = 64 * 1024) async throws -> T {
        let buffer = try await request.body.collect(upTo: limit)
        guard buffer.readableBytes > 0 else { return empty }
        do {
            return try JSONDecoder().decode(T.self, from: Data(buffer.readableBytesView))
        } catch let error as DecodingError {
            let problem = IngestValidationError(decodingError: error)
            throw APIError(.badRequest, code: "invalid_body", field: problem.field.isEmpty ? nil : problem.field,
                           message: problem.description)
        }
    }
}
