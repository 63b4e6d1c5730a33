/// The answer to `POST /-/reload`: `reloaded` with counts, or (422) the problems that kept the old one.
public struct ReloadResource: Codable, Sendable, Equatable {
    /// `reloaded` or `kept running configuration`.
    public var status: String
    /// How many policies the new configuration has; absent when it was refused.
    public var policies: Int?
    /// How many routes the new configuration has; absent when it was refused.
    public var routes: Int?
    /// Why the directory was refused; absent when it was loaded.
    public var problems: [String]?

    public init(status: String, policies: Int? = nil, routes: Int? = nil, problems: [String]? = nil) {
        self.status = status
        self.policies = policies
        self.routes = routes
        self.problems = problems
    }

    enum CodingKeys: String, CodingKey {
        case status, policies, routes, problems
    }
}
