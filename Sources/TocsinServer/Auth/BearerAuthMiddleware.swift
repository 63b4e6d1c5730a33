import HTTPTypes
import Hummingbird
import TocsinStore

/// Requires `Authorization: Bearer <token>` of a known user and puts that user in the context.
struct BearerAuthMiddleware: RouterMiddleware {
    typealias Context = TocsinRequestContext
    let store: TocsinStore

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        guard let token = Self.bearerToken(request) else {
            throw Self.unauthorized("missing bearer token: send Authorization: Bearer <token> (see `tocsin users add`)")
        }
        guard let user = try await store.user(forTokenHash: APIToken.hash(token)) else {
            context.logger.notice("authentication failed: unknown token")
            throw Self.unauthorized("unknown or revoked token")
        }
        var context = context
        context.user = user
        context.logger[metadataKey: "user"] = .string(user.name)
        return try await next(request, context)
    }

    static func bearerToken(_ request: Request) -> String? {
        guard let value = request.headers[.authorization] else { return nil }
        let parts = value.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        let token = parts[1].trimmingCharacters(in: .whitespaces)
        return token.isEmpty ? nil : token
    }

    static func unauthorized(_ message: String) -> APIError {
        APIError(.unauthorized, code: "unauthorized", message: message, headers: [.wwwAuthenticate: "Bearer"])
    }
}
