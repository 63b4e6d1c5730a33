import Foundation
import Testing
import TocsinDelivery
import TocsinTestSupport

/// A receiver that hangs holds a few delivery workers at most: pages to everyone else still leave.
@Suite("A hanging receiver, end to end", .serialized)
struct SlowReceiverEndToEndTests {
    func alert(_ name: String, team: String) -> [UInt8] {
        Fixtures.webhook(labels: ["alertname": name, "team": team, "severity": "critical"])
    }

    @Test("24 pages to a webhook that hangs do not delay a critical page to a healthy one; the hanging one gets 2 at a time")
    func hangingReceiverDoesNotBlockOthers() throws {
        let directory = try TemporaryDirectory("tocsin-slow-receiver")
        defer { directory.remove() }
        let hanging = try PeerProcess(
            script: "webhook_receiver.py", arguments: ["--hang-all", "20"], logPath: directory.path("hanging.jsonl"))
        defer { hanging.stop() }
        let healthy = try PeerProcess(script: "webhook_receiver.py", arguments: [], logPath: directory.path("healthy.jsonl"))
        defer { healthy.stop() }
        let policies = try TestPolicies.write(
            """
            people:
              - {name: slow, webhook: "http://127.0.0.1:\(hanging.port)/slow"}
              - {name: fast, webhook: "http://127.0.0.1:\(healthy.port)/fast"}
            routes:
              - {matchers: ['team="chat"'], policy: page-slow}
              - {policy: page-fast}
            policies:
              - {name: page-slow, steps: [{after: 0s, notify: [person: slow]}]}
              - {name: page-fast, steps: [{after: 0s, notify: [person: fast]}]}
            """, in: directory)
        let server = try ServerProcess(
            arguments: ["--db", directory.path("tocsin.sqlite"), "--config", policies, "--delivery-timeout", "10"],
            logPath: directory.path("serve.log"))
        defer { server.stop(signal: SIGKILL) }
        func post(_ body: [UInt8]) throws -> Int {
            try HTTPTransfer.perform(HTTPTransferRequest(
                method: "POST", url: server.url + "/api/v1/ingest/alertmanager", headers: [("Content-Type", "application/json")],
                body: body)).status
        }
        for index in 0..<24 {
            #expect(try post(alert("ChatDown\(index)", team: "chat")) == 200)
        }
        // The hanging receiver holds its first deliveries.
        #expect(hanging.waitForRecords(2, seconds: 10).count >= 2)
        let posted = Date()
        #expect(try post(alert("DiskFull", team: "storage")) == 200)
        let page = try #require(healthy.waitForRecords(1, seconds: 15).first, "\(server.log())")
        let delay = (page["time"] as? Double ?? .infinity) - posted.timeIntervalSince1970
        #expect(delay < 3, "the healthy receiver's page left after \(delay) s")
        // Two at a time to the hanging receiver, not eight (held 20 s each; the attempt times out at 10 s).
        #expect(hanging.records().count == 2, "\(hanging.records().count) requests in flight to the hanging receiver")
    }
}
