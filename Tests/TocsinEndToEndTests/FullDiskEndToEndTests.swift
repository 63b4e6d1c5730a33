import Foundation
import Testing
import TocsinDelivery
import TocsinTestSupport

/// With the database's file system full, ingestion answers 503 (Alertmanager retries, nothing is
/// lost) and `/readyz` says so, until space comes back.
@Suite("A full disk, end to end", .serialized)
struct FullDiskEndToEndTests {
    func run(_ executable: String, _ arguments: [String]) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }

    func alert(_ name: String) -> [UInt8] {
        let summary = String(repeating: "s", count: 2000)
        return Fixtures.webhook(labels: ["alertname": name, "severity": "critical"], annotations: ["summary": summary])
    }

    @Test("a full file system: ingest gets 503 with Retry-After, /readyz fails and /metrics counts the failures; all recover with space")
    func fullDisk() throws {
        let directory = try TemporaryDirectory("tocsin-full-disk")
        defer { directory.remove() }
        let mountPoint = directory.path("fs")
        try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: true)
        try #require(try run("/bin/mount", ["-t", "tmpfs", "-o", "size=3m", "tmpfs", mountPoint]) == 0, "cannot mount a small tmpfs")
        defer { _ = try? run("/bin/umount", ["-l", mountPoint]) }
        let server = try ServerProcess(arguments: ["--db", mountPoint + "/tocsin.sqlite"], logPath: directory.path("serve.log"))
        defer { server.stop(signal: SIGKILL) }
        func get(_ path: String) -> HTTPTransferResponse? {
            try? HTTPTransfer.perform(HTTPTransferRequest(method: "GET", url: server.url + path))
        }
        func post(_ name: String) throws -> HTTPTransferResponse {
            try HTTPTransfer.perform(HTTPTransferRequest(
                method: "POST", url: server.url + "/api/v1/ingest/alertmanager", headers: [("Content-Type", "application/json")],
                body: alert(name)))
        }
        #expect(try post("Before").status == 200)
        #expect(eventually(within: 10) { get("/readyz")?.status == 200 })

        // Fill the file system to the last byte.
        let filler = mountPoint + "/filler"
        FileManager.default.createFile(atPath: filler, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: filler))
        let chunk = Data(count: 64 * 1024)
        while (try? handle.write(contentsOf: chunk)) != nil {}
        try? handle.close()

        var refused: HTTPTransferResponse?
        for index in 0..<50 {
            let answer = try post("During\(index)")
            if answer.status != 200 {
                refused = answer
                break
            }
        }
        let answer = try #require(refused, "no write failed on a full file system")
        #expect(answer.status == 503)
        #expect(answer.header("Retry-After") != nil)
        #expect(eventually(within: 10) { get("/readyz")?.status == 503 }, "\(String(decoding: get("/readyz")?.body ?? [], as: UTF8.self))")
        let ready = String(decoding: get("/readyz")?.body ?? [], as: UTF8.self)
        #expect(ready.contains("database"), "\(ready)")
        let metrics = String(decoding: get("/metrics")?.body ?? [], as: UTF8.self)
        let failures = metrics.split(separator: "\n").first { $0.hasPrefix("tocsin_database_write_failures_total") }
        #expect(failures.map { (Double($0.split(separator: " ").last ?? "") ?? 0) >= 1 } == true, "\(failures ?? "no such metric")")

        // Space again: the next write is taken and readiness comes back.
        try FileManager.default.removeItem(atPath: filler)
        #expect(eventually(within: 10) { (try? post("After"))?.status == 200 })
        #expect(eventually(within: 10) { get("/readyz")?.status == 200 }, "\(String(decoding: get("/readyz")?.body ?? [], as: UTF8.self))")
        #expect(server.process.isRunning)
    }
}
