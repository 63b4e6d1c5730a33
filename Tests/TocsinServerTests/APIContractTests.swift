import Foundation
import Hummingbird
import Testing
import TocsinAPI
import TocsinServer
import TocsinStore
import TocsinTestSupport
import Yams

/// The wire contract (`api/openapi.yaml`, from which the API's types are generated) documents
/// exactly the routes the server answers: none missing, none made up.
@Suite("API contract")
struct APIContractTests {
    static let methods: Set<String> = ["get", "put", "post", "delete", "patch", "head", "options"]

    /// `GET /api/v1/incidents/{id}` for every operation of the spec.
    static func documentedRoutes() throws -> Set<String> {
        let text = try String(contentsOf: Fixtures.repositoryRoot.appendingPathComponent("api/openapi.yaml"), encoding: .utf8)
        let spec = try #require(try Yams.load(yaml: text) as? [String: Any])
        let paths = try #require(spec["paths"] as? [String: Any])
        var routes: Set<String> = []
        for (path, item) in paths {
            let operations = try #require(item as? [String: Any])
            for method in operations.keys where methods.contains(method) {
                routes.insert("\(method.uppercased()) \(path)")
            }
        }
        return routes
    }

    @Test("the largest page the API promises is the one the store gives")
    func pageSize() {
        #expect(IncidentListResource.maxPageSize == TocsinStore.maxPageSize)
    }

    @Test("every route the router serves is in api/openapi.yaml, and every documented route is served")
    func routesMatchTheSpec() async throws {
        let documented = try Self.documentedRoutes()
        try await LiveServer.run { server in
            let router = server.server.makeRouter()
            try router.validate()
            // The web console (`/ui`, and `/` which sends a browser there) answers HTML, and `/twilio/`
            // speaks Twilio's forms and TwiML: neither is the JSON API.
            let api = router.routes.filter { route in
                let path = route.path.description
                return path != "/" && path != "/ui" && !path.hasPrefix("/ui/") && !path.hasPrefix("/twilio/")
            }
            let served = Set(api.map { route in
                "\(route.method.rawValue) " + route.path.description.replacingOccurrences(
                    of: #":([A-Za-z_]+)"#, with: "{$1}", options: .regularExpression)
            })
            #expect(served.subtracting(documented).sorted() == [], "served but not documented")
            #expect(documented.subtracting(served).sorted() == [], "documented but not served")
            #expect(served.count >= 20)
        }
    }
}
