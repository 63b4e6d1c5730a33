import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import TocsinStore

/// Gives every request a correlation id, puts it in every log line of the request and in the
/// `X-Request-Id` response header, logs the request's outcome, and turns errors that escape a
/// route into JSON answers.
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
        var response: Response
        do {
            response = try await next(request, context)
        } catch let error as APIError {
            response = try error.response(from: request, context: context)
        } catch let error as StoreError {
            // A refusal the caller can act on (no such incident, a conflict) is not a failure of
            // Tocsin's: logged at notice with its reason; only real storage failures are errors.
            let answer = APIError.from(error)
            if answer.status.code < 500 {
                context.logger.notice("request refused", metadata: ["status": "\(answer.status.code)", "reason": "\(error)"])
            } else {
                context.logger.error("storage failure", metadata: ["error": "\(error)"])
            }
            response = try answer.response(from: request, context: context)
        } catch let error as HTTPError {
            response = try APIError(error.status, code: "http_\(error.status.code)", message: error.body ?? error.status.reasonPhrase)
                .response(from: request, context: context)
        } catch is NIOTooManyBytesError {
            // A body over a route's own limit (an ack's note, a link's form) is the caller's mistake.
            context.logger.notice("request refused", metadata: ["status": "413", "reason": "body over the route's limit"])
            response = try APIError(.contentTooLarge, code: "payload_too_large", message: "the request body is too large for this endpoint")
                .response(from: request, context: context)
        } catch {
            context.logger.error("unhandled error", metadata: ["error": "\(error)"])
            response = try APIError(.internalServerError, code: "internal", message: "internal error")
                .response(from: request, context: context)
        }
        response.headers[Self.header] = correlationID
        let elapsed = ContinuousClock.now - started
        context.logger.log(
            level: response.status.code >= 500 ? .warning : .info,
            "request",
            metadata: [
                "method": .string(request.method.rawValue),
                "path": .string(request.uri.path),
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
