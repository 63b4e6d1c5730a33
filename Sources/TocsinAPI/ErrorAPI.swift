import Foundation

/// Every API error answer: `{"error": {"status": 400, "code": "invalid_payload", "field": …, "message": …}}`.
public struct ErrorResource: Codable, Sendable, Equatable {
    public var error: ErrorDetailResource

    public init(error: ErrorDetailResource) {
        self.error = error
    }

    enum CodingKeys: String, CodingKey {
        case error
    }
}

/// What went wrong, inside an ``ErrorResource``.
public struct ErrorDetailResource: Codable, Sendable, Equatable {
    /// The HTTP status code, repeated.
    public var status: Int
    /// A stable machine-readable code, e.g. `invalid_payload`, `unauthorized`, `not_found`.
    public var code: String
    /// The offending field, when there is one.
    public var field: String?
    public var message: String
    /// The request's correlation id (`X-Request-Id`), when it has one.
    public var requestID: String?

    public init(status: Int, code: String, field: String? = nil, message: String, requestID: String? = nil) {
        self.status = status
        self.code = code
        self.field = field
        self.message = message
        self.requestID = requestID
    }

    enum CodingKeys: String, CodingKey {
        case status, code, field, message
        case requestID = "request_id"
    }
}
