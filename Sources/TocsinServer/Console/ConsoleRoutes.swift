import Foundation
import Hummingbird
import TocsinCore
import TocsinStore

/// The web console under `/ui/`: signing in and out, the static files, and (behind a session) the
/// incident, on-call and status pages. `/` sends a browser there.
struct ConsoleRoutes {
    let store: any StateStore
    let clock: any TocsinClock
    let policies: ConfigurationStore
    let renderer: ConsoleRenderer
    /// How long a session lasts (`serve --session-lifetime`).
    let sessionLifetime: TimeInterval
    /// Whether the cookie is `Secure` (the public URL is https).
    let secureCookies: Bool
    /// `host:port` of `--public-url` (see ``ConsoleGuardMiddleware``).
    let publicAuthority: String?
    let wakeEngine: @Sendable () -> Void

    /// Everything under `/ui`, with the console's guard (headers, same-site posts, HTML errors).
    func collection() -> RouteCollection<TocsinRequestContext> {
        let routes = RouteCollection(context: TocsinRequestContext.self).add(middleware: ConsoleGuardMiddleware(renderer: renderer, publicAuthority: publicAuthority))
        routes.get { _, _ in ConsoleRenderer.redirect("/ui/incidents") }
        routes.get("login") { request, context in
            let next = Self.returnPath(request.uri.queryParameters["next"].map(String.init))
            if let secret = ConsoleSessionCookie.secret(of: request),
                try await store.consoleSession(sessionHash: ConsoleSessionCookie.hash(secret), now: clock.now) != nil
            {
                return ConsoleRenderer.redirect(next)
            }
            return loginPage(problem: nil, next: next, status: .ok)
        }
        routes.post("login", use: signIn)
        routes.get("static/{file}") { request, context in
            guard let file = ConsoleAssets.staticFiles[context.parameters.get("file") ?? ""] else {
                throw APIError(.notFound, code: "not_found", message: "no such file")
            }
            if request.headers[.ifNoneMatch] == file.etag {
                return Response(status: .notModified, headers: [.eTag: file.etag, .cacheControl: "no-cache"])
            }
            return Response(
                status: .ok, headers: [.contentType: file.contentType, .eTag: file.etag, .cacheControl: "no-cache"],
                body: .init(byteBuffer: ByteBuffer(string: file.body)))
        }
        let signedIn = routes.group().add(middleware: ConsoleAuthMiddleware(store: store, clock: clock))
        signedIn.post("logout", use: signOut)
        addIncidentPages(to: signedIn)
        addOnCallPages(to: signedIn)
        addStatusPages(to: signedIn)
        return routes
    }

    private struct LoginView: Sendable {
        let layout: ConsoleLayout
        let problem: String?
        let lifetime: String
        /// Where signing in leads: the page that asked for it.
        let next: String
    }

    private func loginPage(problem: String?, next: String, status: HTTPResponse.Status) -> Response {
        renderer.page(
            "login",
            LoginView(
                layout: ConsoleLayout(signedOutTitle: "Sign in"), problem: problem, lifetime: PolicyDuration.format(sessionLifetime),
                next: next),
            status: status)
    }

    /// A page of the console to go to after signing in, from `?next=` or the form: only a path
    /// under `/ui/` (never another site), else the incident list.
    static func returnPath(_ path: String?) -> String {
        guard let path, path.hasPrefix("/ui/"), path.count <= 512, !path.contains("//"), !path.contains("\\"),
            path.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7f })
        else { return "/ui/incidents" }
        return path
    }

    /// Exchanges the posted API token for a session cookie; an unknown token is audited like any
    /// failed authentication and answered with the form again.
    @Sendable private func signIn(_ request: Request, context: TocsinRequestContext) async throws -> Response {
        let form = try await ConsoleForm(request, context: context, checkingToken: false)
        let next = Self.returnPath(form["next"])
        guard let token = form["token"] else {
            return loginPage(problem: "Enter an API token.", next: next, status: .badRequest)
        }
        let secret = ConsoleSessionCookie.generate()
        let now = clock.now
        // The console shows what a read token may see: a token that may only send alerts does not sign in.
        if let found = try await store.authenticate(tokenHash: APIToken.hash(token)), !TokenScope.read.isGranted(by: found.scopes) {
            context.logger.notice("console sign-in refused: no read scope", metadata: ["user": "\(found.user.name)"])
            return loginPage(
                problem: "That token may not read incidents (its scopes: \(TokenScope.format(found.scopes))); sign in with one that may.",
                next: next, status: .forbidden)
        }
        guard
            let signedIn = try await store.startConsoleSession(
                tokenHash: APIToken.hash(token), sessionHash: ConsoleSessionCookie.hash(secret),
                expiresAt: now.addingTimeInterval(sessionLifetime), client: context.remoteAddress, now: now)
        else {
            context.logger.notice("console sign-in failed: unknown token", metadata: ["client": "\(context.remoteAddress)"])
            await store.auditFailedAuthentication(
                client: context.remoteAddress, detail: "unknown or revoked token at the console's sign-in", now: now)
            return loginPage(problem: "That token is unknown or revoked.", next: next, status: .unauthorized)
        }
        context.logger.notice("console session started", metadata: ["user": "\(signedIn.user.name)"])
        var response = ConsoleRenderer.redirect(next)
        response.setCookie(ConsoleSessionCookie.cookie(secret, lifetime: sessionLifetime, secure: secureCookies))
        return response
    }

    /// Ends the session in the database and in the browser.
    @Sendable private func signOut(_ request: Request, context: TocsinRequestContext) async throws -> Response {
        _ = try await ConsoleForm(request, context: context)
        if let secret = ConsoleSessionCookie.secret(of: request) {
            try await store.endConsoleSession(
                sessionHash: ConsoleSessionCookie.hash(secret), client: context.remoteAddress, now: clock.now)
        }
        var response = ConsoleRenderer.redirect("/ui/login")
        response.setCookie(ConsoleSessionCookie.expired(secure: secureCookies))
        return response
    }
}
