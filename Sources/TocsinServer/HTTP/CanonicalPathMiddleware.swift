import Hummingbird

/// Answers 404 for a GET of a path that is not written the one way routes are (`//metrics`,
/// `/metrics/`, `/api//v1/incidents`). The router would take them for the canonical path, so a
/// reverse proxy rule that guards `/metrics` could be walked around with a doubled or trailing
/// slash. Other methods are left alone: an Alertmanager configured with a trailing slash on its
/// webhook URL must still be heard (it does not retry a 404, and its pages would be lost).
struct CanonicalPathMiddleware: RouterMiddleware {
    typealias Context = TocsinRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        guard request.method != .get || path == "/" || path == "/ui/" || (!path.contains("//") && !path.hasSuffix("/")) else {
            throw APIError(.notFound, code: "not_found", message: "no such path \(path) (paths have no empty segments or trailing slash)")
        }
        return try await next(request, context)
    }
}
