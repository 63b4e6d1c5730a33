import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing
import TocsinCore
import TocsinStore
import TocsinTestSupport

/// `/readyz` reports a stuck background loop, and recovers when it runs again.
@Suite("Readiness")
struct ReadinessTests {
    func readiness(_ server: LiveServer) async throws -> (HTTPResponse.Status, String) {
        let response = try await server.client.execute(uri: "/readyz", method: .get)
        return (response.status, String(buffer: response.body))
    }

    @Test("ready once the escalator has run; 503 naming it when it has not run within its bound; ready again after")
    func stuckLoop() async throws {
        try await LiveServer.run { server in
            var ready = false
            for _ in 0..<500 where !ready {  // up to 10 s on a loaded machine
                ready = try await readiness(server).0 == .ok
                if !ready { try await Task.sleep(for: .milliseconds(20)) }
            }
            #expect(ready, "the escalator's first pass makes the server ready")
            server.clock.advance(by: 181)
            let (status, body) = try await readiness(server)
            #expect(status == .serviceUnavailable)
            #expect(body.contains("escalator last completed a pass 181 s ago (bound 180 s)"), "\(body)")
            _ = try await server.server.escalator.tick()
            #expect(try await readiness(server).0 == .ok)
        }
    }
}
