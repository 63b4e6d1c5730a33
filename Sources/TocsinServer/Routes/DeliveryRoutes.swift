import Foundation
import Hummingbird
import TocsinAPI
import TocsinCore
import TocsinStore

/// Mounted at `/api/v1/deliveries` (bearer token): `GET ?state=dead,retry&limit=N` lists
/// deliveries, `POST /{id}/retry` queues a dead or waiting one again now (admin).
struct DeliveryRoutes {
    let store: any StateStore
    let clock: any TocsinClock
    let wakeEngine: @Sendable () -> Void

    var collection: RouteCollection<TocsinRequestContext> {
        let routes = RouteCollection(context: TocsinRequestContext.self).add(middleware: BearerAuthMiddleware(store: store))
        routes.get { request, _ in
            let states = try request.queryList("state", of: OutboxEntry.State.self)
            let limit = try request.queryInteger("limit", in: 1...1000, default: 100)
            return DeliveryListResource(try await store.deliveries(states: states, limit: limit))
        }
        routes.post("{id}/retry") { _, context in
            try context.require(.admin)
            let entry = try await store.retryDelivery(id: try context.parameters.requireID(of: "delivery"), now: clock.now)
            wakeEngine()
            return DeliveryResource(entry)
        }
        return routes
    }
}
