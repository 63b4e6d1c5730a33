import Foundation
import Hummingbird
import Synchronization
import TocsinCore

/// Per-client rate limiting: a token bucket per client address, refilled at `perSecond` and
/// holding up to twice that (a short burst). A client over its rate gets 429 with `Retry-After`.
/// The ingest endpoint has a bucket of its own (`ingest`, off by default: Alertmanager already
/// batches, and retries a 429); health checks and `/metrics` are never limited.
struct RateLimitMiddleware: RouterMiddleware {
    typealias Context = TocsinRequestContext
    let api: TokenBuckets?
    let ingest: TokenBuckets?

    init(apiPerSecond: Double, ingestPerSecond: Double) {
        api = apiPerSecond > 0 ? TokenBuckets(perSecond: apiPerSecond) : nil
        ingest = ingestPerSecond > 0 ? TokenBuckets(perSecond: ingestPerSecond) : nil
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        let buckets: TokenBuckets? =
            if ["/healthz", "/readyz", "/metrics"].contains(path) { nil }
            else if IngestGate.isIngestPath(path) { ingest }
            else { api }
        if let buckets, let wait = buckets.take(for: TokenBuckets.client(context.remoteAddress), now: ContinuousClock.now) {
            let seconds = max(1, Int(wait.rounded(.up)))
            ServerMetrics.rateLimited(ingest: buckets === ingest)
            throw APIError(
                .tooManyRequests, code: "rate_limited",
                message: "too many requests from \(context.remoteAddress); retry in \(seconds) s",
                headers: [.retryAfter: "\(seconds)"])
        }
        return try await next(request, context)
    }
}

/// Token buckets by client address.
final class TokenBuckets: Sendable {
    private struct Bucket {
        var tokens: Double
        var updated: ContinuousClock.Instant
    }

    private struct Clients {
        var buckets: [String: Bucket] = [:]
        var lastPrune: ContinuousClock.Instant?
    }

    let perSecond: Double
    let capacity: Double
    private let clients = Mutex(Clients())
    /// Beyond this many clients, the idle ones are forgotten (at most once a second).
    static let pruneAbove = 10_000

    /// The key of a client: its IPv4 address, or the /64 prefix of its IPv6 address (one host
    /// usually owns a whole /64, so keying by full address would let it dodge the limit).
    static func client(_ address: String) -> String {
        var bytes = [UInt8](repeating: 0, count: 16)
        guard address.contains(":"), inet_pton(AF_INET6, address, &bytes) == 1 else { return address }
        return bytes.prefix(8).map { String(format: "%02x", $0) }.joined() + "/64"
    }

    init(perSecond: Double) {
        self.perSecond = perSecond
        self.capacity = max(1, perSecond * 2)
    }

    /// Takes a token for `client`; nil when it may go ahead, else the seconds until it may.
    func take(for client: String, now: ContinuousClock.Instant) -> Double? {
        clients.withLock { clients in
            if clients.buckets.count > Self.pruneAbove, clients.lastPrune.map({ now - $0 > .seconds(1) }) ?? true {
                // Forgets clients whose bucket is full again (they have been quiet long enough).
                let refill = Duration.seconds(capacity / perSecond)
                clients.buckets = clients.buckets.filter { now - $0.value.updated < refill }
                clients.lastPrune = now
            }
            var bucket = clients.buckets[client] ?? Bucket(tokens: capacity, updated: now)
            let elapsed = now - bucket.updated
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            bucket.tokens = min(capacity, bucket.tokens + seconds * perSecond)
            bucket.updated = now
            defer { clients.buckets[client] = bucket }
            guard bucket.tokens >= 1 else { return (1 - bucket.tokens) / perSecond }
            bucket.tokens -= 1
            return nil
        }
    }
}
