import Foundation
import HTTPTypes
import Hummingbird
import TocsinStore

/// Wraps every console response: security headers on all of them (a content security policy with
/// no inline script and no other origin, no framing, no referrer outside the site, no caching),
/// posts from another site refused, and errors answered as HTML pages rather than the API's JSON.
struct ConsoleGuardMiddleware: RouterMiddleware {
    typealias Context = TocsinRequestContext
    let renderer: ConsoleRenderer
    /// `host:port` of `--public-url`: behind a proxy that rewrites `Host`, forms come from there.
    let publicAuthority: String?

    private static let frameOptions = HTTPField.Name("X-Frame-Options") ?? .contentSecurityPolicy
    private static let referrerPolicy = HTTPField.Name("Referrer-Policy") ?? .contentSecurityPolicy
    private static let fetchSite = HTTPField.Name("Sec-Fetch-Site") ?? .origin
    private static let originField = HTTPField.Name.origin

    static let contentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
        + "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        var response: Response
        do {
            if request.method == .post, let problem = Self.crossSite(request, publicAuthority: publicAuthority) {
                throw APIError(.forbidden, code: "cross_site", message: problem)
            }
            response = try await next(request, context)
        } catch {
            let answer = APIError(answering: error)
            ErrorMiddleware.log(error, answer: answer, context: context)
            let layout = context.user == nil
                ? ConsoleLayout(signedOutTitle: "Error") : ConsoleLayout(title: "Error", section: .none, context: context)
            response = renderer.message(
                heading: Self.heading(answer.status), message: answer.message, back: Self.back(request),
                status: answer.status, layout: layout)
        }
        response.headers[.contentSecurityPolicy] = Self.contentSecurityPolicy
        response.headers[Self.frameOptions] = "DENY"
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[Self.referrerPolicy] = "same-origin"
        if response.headers[.cacheControl] == nil {
            response.headers[.cacheControl] = "no-store"
        }
        return response
    }

    /// Why a post comes from another site, if it does: its `Origin` names a host other than the
    /// request's or the public URL's, or the browser says so (`Sec-Fetch-Site`).
    static func crossSite(_ request: Request, publicAuthority: String?) -> String? {
        if let site = request.headers[fetchSite], site == "cross-site" {
            return "a form posted from another site is refused"
        }
        guard let origin = request.headers[originField], origin != "null" else { return nil }
        let host = request.head.authority
        let originHost = origin.split(separator: "/", omittingEmptySubsequences: true).dropFirst().first.map(String.init)
        return originHost == host || (originHost != nil && originHost == publicAuthority)
            ? nil : "a form posted from another origin (\(origin)) is refused"
    }

    /// Where the error page's Back link goes: the incident of the path, or the section.
    static func back(_ request: Request) -> String {
        let parts = request.uri.path.split(separator: "/")
        if parts.count >= 3, parts[1] == "incidents", Int64(parts[2]) != nil { return "/ui/incidents/\(parts[2])" }
        if parts.count >= 2, ["incidents", "oncall", "deliveries", "heartbeats", "maintenance"].contains(String(parts[1])) {
            return "/ui/\(parts[1])"
        }
        if parts.count >= 2, parts[1] == "overrides" { return "/ui/oncall" }
        return "/ui/incidents"
    }

    static func heading(_ status: HTTPResponse.Status) -> String {
        switch status.code {
        case 400: "That could not be done"
        case 401, 403: "Not allowed"
        case 404: "Not found"
        case 409: "That could not be done now"
        case 413: "Too large"
        default: status.code >= 500 ? "Something went wrong" : "That could not be done"
        }
    }
}
