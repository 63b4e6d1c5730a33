import Hummingbird
import Logging
import TocsinCore

/// Per-request state: the correlation id that follows the request into every log line, and
/// the authenticated user, once the bearer token has been checked.
public struct TocsinRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// From the caller's `X-Request-Id`, or generated; returned in the response.
    public var correlationID: String = ""
    /// Set by ``BearerAuthMiddleware`` on authenticated routes.
    public var user: User?

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
    }
}
