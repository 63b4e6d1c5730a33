import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// Gives every request a correlation id, puts it in every log line of the request and in the
/// `X-Request-Id` response header, and logs the request's outcome (errors are answers by then:
/// ``ErrorMiddleware`` runs inside it).
struct CorrelationMiddleware: RouterMiddleware {
    typealias Context = TocsinRequestContext

    static let header = HTTPField.Name("X-Request-Id")!

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        var context = context
        let correlationID = Self.acceptable(request.headers[Self.header]) ?? Self.generate()
        context.correlationID = correlationID
        context.logger[metadataKey: "correlation_id"] = .string(correlationID)
        let started = ContinuousClock.now
        var response = try await next(request, context)
        response.headers[Self.header] = correlationID
        let elapsed = ContinuousClock.now - started
        context.logger.log(
            level: response.status.code >= 500 ? .warning : .info,
            "request",
            metadata: [
                "method": .string(request.method.rawValue),
                "path": .string(IngestGate.loggable(request.uri.path)),
                "status": .stringConvertible(response.status.code),
                "duration_ms": .stringConvertible(Double(elapsed.components.attoseconds / 1_000_000_000_000) / 1000
                    + Double(elapsed.components.seconds) * 1000),
            ])
        return response
    }

    /// Accepts a caller's id when it is short and printable; anything else is replaced.
    private static func acceptable(_ value: String?) -> String? {
        guard let value, !value.isEmpty, value.utf8.count <= 128,
            value.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7f })
        else { return nil }
        return value
    }

    private static func generate() -> String {
        UUID().uuidString.lowercased()
    }
}
