import HTTPTypes
import Hummingbird

/// Sets the request's client address from `X-Forwarded-For` when its peer is a trusted proxy
/// (`serve --trusted-proxy CIDR`), so rate limits and the audit trail see clients, not the proxy.
struct ClientAddressMiddleware: RouterMiddleware {
    typealias Context = TocsinRequestContext
    static let forwardedFor = HTTPField.Name("X-Forwarded-For")!
    let addresses: ClientAddress

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard !addresses.trustedProxies.isEmpty else { return try await next(request, context) }
        var context = context
        context.remoteAddress = addresses.client(
            peer: context.peerAddress, forwardedFor: request.headers[values: Self.forwardedFor])
        return try await next(request, context)
    }
}
