import Foundation
import Hummingbird
import Logging
import TocsinAPI
import TocsinCore
import TocsinStore

/// `POST /-/reload` (admin token): re-reads the policy directory, as Alertmanager and Prometheus do.
/// An invalid directory keeps the running configuration; the answer lists the problems.
struct ReloadRoutes {
    let policies: ConfigurationStore
    let store: any StateStore
    let clock: any TocsinClock
    let logger: Logger
    /// Runs after a reload that took effect.
    let onReloaded: @Sendable () async -> Void

    var collection: RouteCollection<TocsinRequestContext> {
        let routes = RouteCollection(context: TocsinRequestContext.self).add(middleware: BearerAuthMiddleware(store: store, scope: .admin))
        routes.post { _, context in
            let reloaded = await policies.reload(
                logger: context.logger, audit: store, actor: context.user?.name ?? "unknown", source: context.remoteAddress,
                now: clock.now)
            switch reloaded {
            case .success(let configuration):
                await onReloaded()
                return EditedResponse(status: .ok, response: ReloadResource(reloaded: configuration))
            case .failure(let error):
                return EditedResponse(status: .unprocessableContent, response: ReloadResource(kept: error))
            }
        }
        return routes
    }
}
