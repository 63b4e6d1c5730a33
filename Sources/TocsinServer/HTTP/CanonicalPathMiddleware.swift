import Hummingbird

/// Answers 404 for a path that is not written the one way routes are (`//metrics`, `/metrics/`,
/// `/api//v1/incidents`). The router would take them for the canonical path, so a reverse proxy
/// rule that guards `/metrics` could be walked around with a doubled or trailing slash.
struct CanonicalPathMiddleware: RouterMiddleware {
    typealias Context = TocsinRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        guard path == "/" || (!path.contains("//") && !path.hasSuffix("/")) else {
            throw APIError(.notFound, code: "not_found", message: "no such path \(path) (paths have no empty segments or trailing slash)")
        }
        return try await next(request, context)
    }
}
