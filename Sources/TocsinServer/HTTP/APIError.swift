import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import TocsinAPI
import TocsinCore
import TocsinStore

/// An error answered to an API caller as JSON naming the field and the problem:
/// `{"error": {"status": 400, "code": "invalid_payload", "field": "alerts[0].labels", "message": "…"}}`.
public struct APIError: HTTPResponseError, Sendable {
    public var status: HTTPResponse.Status
    /// A stable machine-readable code, e.g. `invalid_payload`, `unauthorized`, `not_found`.
    public var code: String
    /// The offending field, when there is one.
    public var field: String?
    public var message: String
    /// Extra headers, e.g. `Retry-After` on 503 or `WWW-Authenticate` on 401.
    public var headers: HTTPFields = [:]

    public init(
        _ status: HTTPResponse.Status, code: String, field: String? = nil, message: String, headers: HTTPFields = [:]
    ) {
        self.status = status
        self.code = code
        self.field = field
        self.message = message
        self.headers = headers
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let correlationID = (context as? TocsinRequestContext)?.correlationID
        var response = try TocsinResponseEncoder.response(ErrorResource(self, requestID: correlationID), status: status)
        response.headers.append(contentsOf: headers)
        return response
    }
}

extension APIError {
    /// The answer to a rejected ingest payload (400).
    static func invalidPayload(_ error: IngestValidationError) -> APIError {
        APIError(.badRequest, code: "invalid_payload", field: error.field.isEmpty ? nil : error.field, message: error.description)
    }

    /// The answer to a valid token without the scope a route needs (403: the caller is known, so
    /// this is no failed login).
    static func missingScope(_ scope: TokenScope, has scopes: Set<TokenScope>) -> APIError {
        APIError(
            .forbidden, code: "forbidden",
            message: "this token lacks the \(scope.rawValue) scope (it has: \(TokenScope.format(scopes)); see `tocsin users token --scopes`)")
    }

    /// Translates a storage failure: busy → 503 with Retry-After, not found → 404, conflict → 409.
    static func from(_ error: StoreError) -> APIError {
        switch error {
        case .busy, .unavailable:
            APIError(.serviceUnavailable, code: "unavailable", message: error.description, headers: [.retryAfter: "1"])
        case .notFound:
            APIError(.notFound, code: "not_found", message: error.description)
        case .conflict, .constraint:
            APIError(.conflict, code: "conflict", message: error.description)
        case .databaseNewerThanBinary, .cannotOpen, .database:
            APIError(.internalServerError, code: "internal", message: error.description)
        }
    }
}
