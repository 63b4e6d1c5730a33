import Foundation
import Hummingbird
import TocsinCore
import TocsinStore

/// Lets a request into the console only with a session that is still good: not expired, not
/// signed out, its token not revoked. Puts the user, the token's scopes and the form token in the
/// context. Without one, the browser is sent to the sign-in page.
struct ConsoleAuthMiddleware: RouterMiddleware {
    typealias Context = TocsinRequestContext
    let store: TocsinStore
    let clock: any TocsinClock

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        guard let secret = ConsoleSessionCookie.secret(of: request),
            let session = try await store.consoleSession(sessionHash: ConsoleSessionCookie.hash(secret), now: clock.now)
        else {
            return ConsoleRenderer.redirect("/ui/login")
        }
        var context = context
        context.user = session.authenticated.user
        context.scopes = session.authenticated.scopes
        context.consoleCSRF = ConsoleSessionCookie.csrfToken(forSecret: secret)
        context.logger[metadataKey: "user"] = .string(session.authenticated.user.name)
        return try await next(request, context)
    }
}
