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
    /// What the presented token may do.
    public var scopes: Set<TokenScope> = []
    /// On the web console, the signed-in session's form token, which every form it posts must carry.
    public var consoleCSRF: String?
    /// The client's IP address (for the audit trail and rate limiting), or `unknown`: the peer's,
    /// or the one a trusted proxy forwarded for (``ClientAddressMiddleware``).
    public internal(set) var remoteAddress: String
    /// The address of the connection's other end.
    public let peerAddress: String

    /// JSON bodies: errors name the field; an empty body is nil where a route takes none.
    public var requestDecoder: some RequestDecoder { TocsinRequestDecoder() }
    /// Answers are JSON with Tocsin's settings.
    public var responseEncoder: some ResponseEncoder { TocsinResponseEncoder() }
    /// API bodies are small (notes, overrides); the ingest route reads its own, larger limit.
    public var maxUploadSize: Int { 64 * 1024 }

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.peerAddress = source.channel.remoteAddress?.ipAddress ?? "unknown"
        self.remoteAddress = ClientAddress.normalised(peerAddress)
    }

    /// Refuses with 403 unless the token has `scope`.
    func require(_ scope: TokenScope) throws {
        guard scope.isGranted(by: scopes) else { throw APIError.missingScope(scope, has: scopes) }
    }
}
