/// The answer to `GET /healthz` (`ok`) and `GET /readyz` (`ready`, or 503 `not ready` with problems).
public struct HealthResource: Codable, Sendable, Equatable {
    /// `ok`, `ready` or `not ready`.
    public var status: String
    /// The problems joined with `; `, when not ready.
    public var detail: String?
    /// Every problem, when not ready.
    public var problems: [String]?

    public init(status: String, detail: String? = nil, problems: [String]? = nil) {
        self.status = status
        self.detail = detail
        self.problems = problems
    }

    enum CodingKeys: String, CodingKey {
        case status, detail, problems
    }
}
