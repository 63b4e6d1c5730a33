import Hummingbird
import Logging
import NIOCore
import TocsinStore

/// Turns every error that escapes a route into Tocsin's JSON error answer (``APIError``), and logs
/// it by what it is: a refusal the caller can act on at notice, a failure of Tocsin's as an error.
struct ErrorMiddleware: RouterMiddleware {
    typealias Context = TocsinRequestContext

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let answer = APIError(answering: error)
            Self.log(error, answer: answer, context: context)
            return try answer.response(from: request, context: context)
        }
    }

    /// Logs an error answered with `answer`: a refusal the caller can act on at notice, a failure
    /// of Tocsin's as an error.
    static func log(_ error: any Error, answer: APIError, context: Context) {
        switch error {
        case is APIError, is HTTPError:
            break  // the route chose the answer
        case let error as StoreError where answer.status.code < 500:
            context.logger.notice("request refused", metadata: ["status": "\(answer.status.code)", "reason": "\(error)"])
        case let error as StoreError:
            context.logger.error("storage failure", metadata: ["error": "\(error)"])
        case is NIOTooManyBytesError:
            context.logger.notice("request refused", metadata: ["status": "413", "reason": "body over the route's limit"])
        default:
            context.logger.error("unhandled error", metadata: ["error": "\(error)"])
        }
    }
}

extension APIError {
    /// The answer to `error`, whatever threw it: an ``APIError`` as it is; a storage failure by
    /// its kind (``from(_:)``); Hummingbird's own errors with their status; a body over a route's
    /// limit as 413; anything else as a 500 that tells nothing of the cause.
    init(answering error: any Error) {
        switch error {
        case let error as APIError:
            self = error
        case let error as StoreError:
            self = .from(error)
        case let error as HTTPError:
            self = APIError(error.status, code: "http_\(error.status.code)", message: error.body ?? error.status.reasonPhrase)
        case is NIOTooManyBytesError:
            // A body over a route's own limit (an ack's note, a link's form) is the caller's mistake.
            self = APIError(.contentTooLarge, code: "payload_too_large", message: "the request body is too large for this endpoint")
        default:
            self = APIError(.internalServerError, code: "internal", message: "internal error")
        }
    }
}
