import Foundation
import Hummingbird
import TocsinAPI
import TocsinCore
import TocsinDelivery
import TocsinStore

/// `GET /healthz`: the process answers. `GET /readyz`: the database accepts writes, its schema
/// is the one this binary knows, and the background loops (escalator, dispatcher) completed a
/// pass recently; 503 with every problem otherwise.
struct HealthRoutes {
    let store: any StateStore
    let clock: any TocsinClock
    let loops: [LoopHeartbeat]
    /// How long a failed write of a request keeps `/readyz` failing when no write succeeded since.
    static let failureMemory: Duration = .seconds(60)
    /// The database's problems, probed at most once a second.
    let database = RecentValue<[String]>(maxAge: .seconds(1))

    var collection: RouteCollection<TocsinRequestContext> {
        let routes = RouteCollection(context: TocsinRequestContext.self)
        routes.get("healthz") { _, _ in HealthResource.ok }
        routes.get("readyz") { _, _ in
            var problems = await database.value { await databaseProblems() }
            let now = clock.now
            problems += loops.compactMap { $0.problem(now: now) }
            guard problems.isEmpty else {
                return EditedResponse(status: .serviceUnavailable, response: HealthResource.notReady(problems))
            }
            return EditedResponse(status: .ok, response: HealthResource.ready)
        }
        return routes
    }

    private func databaseProblems() async -> [String] {
        do {
            try await store.checkWritable(now: clock.now)
            if try await !store.schemaIsCurrent() {
                return ["the database schema is not the one this binary knows"]
            }
            // A request's write may fail where the small probe passes: not ready while the last
            // write failed, until one succeeds (or a minute passes with the probe passing).
            if let failure = store.writeHealth.lastFailure, failure.age < Self.failureMemory {
                return ["database: the last write failed at \(RFC3339.format(failure.at)): \(failure.reason)"]
            }
            return []
        } catch {
            return ["database: \(error)"]
        }
    }
}
