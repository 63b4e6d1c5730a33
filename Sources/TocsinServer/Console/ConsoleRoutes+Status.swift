import Foundation
import Hummingbird
import TocsinCore
import TocsinStore

/// The console's status pages: deliveries (with Retry, admin scope), heartbeats and maintenance
/// windows (read only).
extension ConsoleRoutes {
    func addStatusPages(to routes: RouterGroup<TocsinRequestContext>) {
        routes.get("deliveries") { request, context in
            let notice = request.uri.queryParameters["done"].flatMap { ConsoleLayout.notices[String($0)] }
            let entries = try await store.deliveries(states: [.dead, .retry], limit: DeliveryListView.limit + 1)
            return renderer.page(
                "deliveries",
                DeliveryListView(entries, layout: ConsoleLayout(title: "Deliveries", section: .deliveries, context: context, notice: notice)))
        }
        routes.post("deliveries/{id}/retry") { request, context in
            _ = try await ConsoleForm(request, context: context)
            try context.require(.admin)
            _ = try await store.retryDelivery(id: try context.parameters.requireID(of: "delivery"), now: clock.now)
            wakeEngine()
            return ConsoleRenderer.redirect("/ui/deliveries?done=retried")
        }
        routes.get("heartbeats") { _, context in
            let view = HeartbeatListView(
                policies.configuration.heartbeats, statuses: try await store.heartbeatStatuses(),
                layout: ConsoleLayout(title: "Heartbeats", section: .heartbeats, context: context))
            return renderer.page("heartbeats", view)
        }
        routes.get("maintenance") { _, context in
            let now = clock.now
            let view = MaintenanceListView(
                try await store.maintenanceWindows(all: false, now: now),
                layout: ConsoleLayout(title: "Maintenance", section: .maintenance, context: context), now: now)
            return renderer.page("maintenance", view)
        }
    }
}
