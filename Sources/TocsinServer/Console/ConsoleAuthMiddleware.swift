import Foundation
import HTTPTypes
import Hummingbird
import TocsinCore
import TocsinStore

/// Lets a request into the console only with a session that is still good: not expired, not
/// signed out, its token not revoked. Puts the user, the token's scopes and the form token in the
/// context. Without one, the browser is sent to the sign-in page.
struct ConsoleAuthMiddleware: RouterMiddleware {
    typealias Context = TocsinRequestContext
    let store: any StateStore
    let clock: any TocsinClock

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        guard let secret = ConsoleSessionCookie.secret(of: request),
            let session = try await store.consoleSession(sessionHash: ConsoleSessionCookie.hash(secret), now: clock.now)
        else {
            guard request.method == .get else { return ConsoleRenderer.redirect("/ui/login") }
            // A link followed from another site (a page's "Open incident" in webmail or chat) comes
            // without the SameSite=Strict cookie: the page opens itself again from this site, which
            // sends it. Without a session then, the page asked for comes back after signing in.
            if request.headers[Self.fetchSite] == "cross-site" {
                return Self.reopen(request.uri.description)
            }
            let next = request.uri.description.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
            return ConsoleRenderer.redirect("/ui/login?next=\(next)")
        }
        guard TokenScope.read.isGranted(by: session.authenticated.scopes) else {
            throw APIError(.forbidden, code: "forbidden", message: "this session's token may not read incidents")
        }
        var context = context
        context.user = session.authenticated.user
        context.scopes = session.authenticated.scopes
        context.consoleCSRF = ConsoleSessionCookie.csrfToken(forSecret: secret)
        context.logger[metadataKey: "user"] = .string(session.authenticated.user.name)
        return try await next(request, context)
    }

    private static let fetchSite = HTTPField.Name("Sec-Fetch-Site") ?? .origin

    /// A page that opens `path` again from this site (a meta refresh: no script, allowed by the CSP).
    static func reopen(_ path: String) -> Response {
        let target = HTMLPage.escape(ConsoleRoutes.returnPath(path))
        return ConsoleRenderer.html(
            """
            <!doctype html><html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="0;url=\(target)">\
            <title>Opening… · Tocsin</title></head><body><p><a href="\(target)">Open the page</a></p></body></html>
            """, status: .ok)
    }
}
