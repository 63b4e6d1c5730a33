import Foundation
import Hummingbird
import Logging
import TocsinCore
import TocsinStore

/// `POST /-/reload` (bearer token): re-reads the policy directory, as Alertmanager and Prometheus do.
/// An invalid directory keeps the running configuration; the answer lists the problems.
struct ReloadRoutes {
    let policies: ConfigurationStore
    let store: TocsinStore
    let clock: any TocsinClock
    let logger: Logger
    /// Runs after a reload that took effect.
    let onReloaded: @Sendable () async -> Void

    struct Reloaded: Encodable {
        var status: String
        var policies: Int?
        var routes: Int?
        var problems: [String]?
    }

    func register(on router: Router<TocsinRequestContext>) {
        router.group("/-/reload").add(middleware: BearerAuthMiddleware(store: store, scope: .admin)).post { _, context in
            let reloaded = await policies.reload(
                logger: context.logger, audit: store, actor: context.user?.name ?? "unknown", source: context.remoteAddress,
                now: clock.now)
            switch reloaded {
            case .success(let configuration):
                await onReloaded()
                return try JSONResponse.make(
                    Reloaded(status: "reloaded", policies: configuration.policies.count, routes: configuration.routes.count))
            case .failure(let error):
                return try JSONResponse.make(
                    Reloaded(status: "kept running configuration", problems: error.problems.map(\.description)),
                    status: .unprocessableContent)
            }
        }
    }
}
