import Foundation
import Testing
import TocsinDelivery
import TocsinTestSupport

/// Large payloads: an alert storm from Alertmanager is paged, never bounced; hostile bodies cannot
/// make the reader spend memory on alerts it does not keep.
@Suite("Alert storms and large bodies, end to end", .serialized)
struct AlertStormEndToEndTests {
    /// The server's peak resident memory so far, in MiB (`VmHWM` of /proc/PID/status).
    func peakMiB(_ server: ServerProcess) -> Double {
        let status = (try? String(contentsOfFile: "/proc/\(server.process.processIdentifier)/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") } ?? ""
        return (Double(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") ?? 0) / 1024
    }

    @Test("8 concurrent 4 MB bodies of empty alerts are refused with a clear 400, and the server's peak memory grows by little")
    func hostileBodiesStayBounded() throws {
        let directory = try TemporaryDirectory("tocsin-hostile-bodies")
        defer { directory.remove() }
        let server = try ServerProcess(arguments: ["--db", directory.path("tocsin.sqlite")], logPath: directory.path("serve.log"))
        defer { server.stop(signal: SIGKILL) }
        let prefix = #"{"version":"4","status":"firing","receiver":"r","groupKey":"k","alerts":["#
        let count = (4 << 20 - prefix.utf8.count) / 3
        let body = Array((prefix + Array(repeating: "{}", count: count).joined(separator: ",") + "]}").utf8)
        let before = peakMiB(server)
        let answers = LockedSlots(Array(repeating: 0, count: 8))
        DispatchQueue.concurrentPerform(iterations: 8) { index in
            let response = try? HTTPTransfer.perform(HTTPTransferRequest(
                method: "POST", url: server.url + "/api/v1/ingest/alertmanager", headers: [("Content-Type", "application/json")],
                body: body, totalTimeout: 60))
            answers.set(index, response?.status ?? 0)
        }
        #expect(answers.values == Array(repeating: 400, count: 8), "\(answers.values)")
        let growth = peakMiB(server) - before
        #expect(growth < 150, "peak memory grew by \(growth) MiB for 8 bodies of 4 MiB")
        #expect(get(server.url + "/healthz") == 200)
    }

    func get(_ url: String) -> Int? {
        (try? HTTPTransfer.perform(HTTPTransferRequest(method: "GET", url: url)))?.status
    }

    @Test("15,000 firing alerts in one group from the real Alertmanager: one incident, one page, the truncation shown")
    func stormFromAlertmanager() throws {
        let world = try AlertmanagerEndToEndTests.World()
        defer { world.tearDown() }
        let alerts = (0..<15_000).map { #"{"labels":{"alertname":"NodeDown","instance":"node\#($0):9100","severity":"critical"}}"# }
        let posted = try HTTPTransfer.perform(HTTPTransferRequest(
            method: "POST", url: world.alertmanagerURL + "/api/v2/alerts", headers: [("Content-Type", "application/json")],
            body: Array("[\(alerts.joined(separator: ","))]".utf8), totalTimeout: 60))
        #expect(posted.status == 200)
        #expect(try eventually(within: 60) { (try world.incidents().first?["alert_count"] as? Int) == 10_000 }, "\(world.server.log().suffix(2000))")
        let incidents = try world.incidents()
        #expect(incidents.count == 1)
        #expect(incidents.first?["truncated_alerts"] as? Int == 5_000)
        #expect(world.webhook.waitForRecords(1, seconds: 10).count == 1)
        let shown = try TocsinBinary.run(["show", "1"], environment: ["TOCSIN_URL": world.server.url, "TOCSIN_TOKEN": world.token])
        #expect(shown.stdout.contains("10000 firing of 10000 (+5000 more not kept"), "\(shown.stdout.prefix(600))")
        // Alertmanager sends the group again; nothing more pages.
        let before = world.ingestRequests()
        #expect(eventually(within: 20) { world.ingestRequests() >= before + 1 })
        #expect(world.webhookEvents() == ["triggered"])
    }
}

/// A fixed-size array written from several threads, one slot each.
final class LockedSlots: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [Int]

    init(_ values: [Int]) {
        storage = values
    }

    var values: [Int] { lock.withLock { storage } }

    func set(_ index: Int, _ value: Int) {
        lock.withLock { storage[index] = value }
    }
}
