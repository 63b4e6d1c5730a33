import Hummingbird
import TocsinStore

/// `GET /healthz` (the process answers) and `GET /readyz` (the database accepts writes).
struct HealthRoutes {
    let store: TocsinStore

    struct Status: Encodable {
        var status: String
        var detail: String?
    }

    func register(on router: Router<TocsinRequestContext>) {
        router.get("/healthz") { _, _ in try JSONResponse.make(Status(status: "ok")) }
        router.get("/readyz") { _, _ in
            do {
                try await store.checkWritable()
                return try JSONResponse.make(Status(status: "ready"))
            } catch {
                return try JSONResponse.make(Status(status: "not ready", detail: "\(error)"), status: .serviceUnavailable)
            }
        }
    }
}
