import Foundation
import Testing
import TocsinDelivery
import TocsinStore
import TocsinTestSupport

/// Stopping with SIGTERM: the delivery in flight finishes, the WAL is checkpointed, exit 0.
@Suite("Lifecycle, end to end", .serialized)
struct LifecycleEndToEndTests {
    @Test("SIGTERM during a slow delivery: it completes and is recorded, the WAL is emptied, the exit status is 0")
    func gracefulStop() async throws {
        let directory = try TemporaryDirectory("tocsin-lifecycle")
        defer { directory.remove() }
        let receiver = try PeerProcess(
            script: "webhook_receiver.py", arguments: ["--hang-first", "2"], logPath: directory.path("hooks.jsonl"))
        defer { receiver.stop() }
        let policies = try TestPolicies.write(
            TestPolicies.pageAlice(["webhook: \"http://127.0.0.1:\(receiver.port)/alice\""]), in: directory)
        let db = directory.path("tocsin.sqlite")
        let server = try ServerProcess(arguments: ["--db", db, "--config", policies], logPath: directory.path("serve.log"))
        let posted = try HTTPTransfer.perform(HTTPTransferRequest(
            method: "POST", url: server.url + "/api/v1/ingest/alertmanager", headers: [("Content-Type", "application/json")],
            body: Array(try Fixtures.data("webhook-01-firing-critical-single"))))
        #expect(posted.status == 200)
        #expect(receiver.waitForRecords(1, seconds: 10).count == 1, "the delivery is in flight (the receiver holds it 2 s)")

        let stopped = Date()
        #expect(server.stop(signal: SIGTERM) == 0, "\(server.log())")
        #expect(Date().timeIntervalSince(stopped) < 15, "stops within the bound")
        let wal = (try? FileManager.default.attributesOfItem(atPath: db + "-wal")[.size] as? Int) ?? 0
        #expect(wal == 0, "the WAL was checkpointed into the database")
        #expect(server.log().contains("\"msg\":\"delivered\""), "the delivery in flight finished before the exit")

        let store = try TocsinStore(path: db)
        defer { try? store.close() }
        let sent = try await store.notifications(incidentID: 1)
        #expect(sent.map(\.state) == [.sent], "recorded as sent: nothing is sent again on the next start")
    }
}
