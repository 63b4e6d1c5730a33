import Foundation
import GRDB
import HTTPTypes
import HummingbirdTesting
import Testing
import TocsinStore
import TocsinTestSupport

@Suite("A busy database")
struct BusyDatabaseTests {
    @Test("ingest answers 503 with Retry-After while another process holds the write lock, and succeeds after")
    func busyDatabase() async throws {
        try await LiveServer.run(busyTimeout: 0.2) { server in
            let before = try await DatabaseSnapshot.take(server.store)
            // Another connection (as another process would) takes the write lock and keeps it.
            // It waits for the server's own brief writes (the escalator's first pass) to take the lock.
            var waiting = Configuration()
            waiting.busyMode = .timeout(10)
            let other = try DatabaseQueue(path: server.store.path, configuration: waiting)
            let release = DispatchSemaphore(value: 0)
            let released = DispatchSemaphore(value: 0)
            try await withCheckedThrowingContinuation { (ready: CheckedContinuation<Void, Error>) in
                Thread.detachNewThread {
                    do {
                        try other.inDatabase { db in
                            try db.execute(sql: "BEGIN IMMEDIATE")
                            ready.resume()
                            // Held until the request below has been answered (at most 30 s).
                            _ = release.wait(timeout: .now() + 30)
                            try db.execute(sql: "COMMIT")
                            released.signal()
                        }
                    } catch {
                        ready.resume(throwing: error)
                    }
                }
            }
            let response = try await server.ingest(try Fixtures.data("webhook-01-firing-critical-single"))
            #expect(response.status == .serviceUnavailable, "\(String(buffer: response.body))")
            #expect(response.headers[.retryAfter] == "1")
            #expect(try response.apiError().message.contains("busy"))
            release.signal()
            _ = released.wait(timeout: .now() + 30)
            #expect(try await DatabaseSnapshot.take(server.store) == before, "nothing was half-written")
            let retried = try await server.ingest(try Fixtures.data("webhook-01-firing-critical-single"))
            #expect(retried.status == .ok, "Alertmanager's retry succeeds once the lock is gone")
        }
    }
}
