import HTTPTypes
import Hummingbird
import TocsinCore
import TocsinStore

/// Requires `Authorization: Bearer <token>` of a known user whose token has `scope`, and puts
/// that user and the token's scopes in the context. Failures are audited with the client address.
struct BearerAuthMiddleware: RouterMiddleware {
    typealias Context = TocsinRequestContext
    let store: any StateStore
    let scope: TokenScope
    let clock: any TocsinClock

    init(store: any StateStore, scope: TokenScope = .read, clock: any TocsinClock = WallClock()) {
        self.store = store
        self.scope = scope
        self.clock = clock
    }

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        guard let token = Self.bearerToken(request) else {
            throw Self.unauthorized("missing bearer token: send Authorization: Bearer <token> (see `tocsin users add`)")
        }
        guard let found = try await store.authenticate(tokenHash: APIToken.hash(token)) else {
            context.logger.notice("authentication failed: unknown token", metadata: ["client": "\(context.remoteAddress)"])
            await store.auditFailedAuthentication(
                client: context.remoteAddress, detail: "unknown or revoked token on \(request.method) \(request.uri.path)",
                now: clock.now)
            throw Self.unauthorized("unknown or revoked token")
        }
        var context = context
        context.user = found.user
        context.scopes = found.scopes
        context.logger[metadataKey: "user"] = .string(found.user.name)
        try context.require(scope)
        return try await next(request, context)
    }

    static func bearerToken(_ request: Request) -> String? {
        request.headers[.authorization].flatMap { HeaderText.bearerToken($0) }
    }

    static func unauthorized(_ message: String) -> APIError {
        APIError(.unauthorized, code: "unauthorized", message: message, headers: [.wwwAuthenticate: "Bearer"])
    }
}
