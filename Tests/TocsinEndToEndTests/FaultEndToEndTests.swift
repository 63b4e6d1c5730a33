import Foundation
import Testing
import TocsinDelivery
import TocsinStore
import TocsinTestSupport

/// Faults from outside: a full file system under the database.
@Suite("Faults, end to end", .serialized)
struct FaultEndToEndTests {
    /// Mounting a small tmpfs needs root (as in CI); elsewhere the test is skipped.
    static let canMount = getuid() == 0

    @Test(
        "a full file system: 503 with Retry-After, nothing half-written, no corruption, and recovery once space is freed",
        .enabled(if: canMount))
    func fullFileSystem() async throws {
        let directory = try TemporaryDirectory("tocsin-full")
        defer { directory.remove() }
        let mountPoint = directory.path("fs")
        try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: true)
        let mount = try runToCompletion("/bin/mount", ["-t", "tmpfs", "-o", "size=3m", "tmpfs", mountPoint])
        try #require(mount.status == 0, "mount: \(mount.output)")
        defer { _ = try? runToCompletion("/bin/umount", [mountPoint]) }
        let db = mountPoint + "/tocsin.sqlite"
        let server = try ServerProcess(arguments: ["--db", db], logPath: directory.path("serve.log"))
        defer { server.stop(signal: SIGKILL) }
        func post(_ number: Int) throws -> HTTPTransferResponse {
            try HTTPTransfer.perform(HTTPTransferRequest(
                method: "POST", url: server.url + "/api/v1/ingest/alertmanager", headers: [("Content-Type", "application/json")],
                body: CrashEndToEndTests.payload(number)))
        }
        #expect(try post(0).status == 200)

        // Fill the file system, leaving no room for the database to grow.
        let filler = mountPoint + "/filler"
        FileManager.default.createFile(atPath: filler, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: filler))
        let chunk = Data(repeating: 0x55, count: 16 * 1024)
        while (try? handle.write(contentsOf: chunk)) != nil {}
        try? handle.close()

        // Posts fail with 503 (Alertmanager retries those) once SQLite cannot write; each one that
        // was answered 200 is stored.
        var accepted = [0]
        var refused: HTTPTransferResponse?
        var refusedNumber = 0
        for number in 1...400 where refused == nil {
            let response = try post(number)
            if response.status == 200 { accepted.append(number) } else { (refused, refusedNumber) = (response, number) }
        }
        let full = try #require(refused, "the file system never filled up")
        #expect(full.status == 503)
        #expect(full.header("Retry-After") == "1")
        #expect(String(decoding: full.body, as: UTF8.self).contains("cannot be written now"))

        // Free the space: the next post is stored, and the database is sound and complete.
        try FileManager.default.removeItem(atPath: filler)
        #expect(try post(1000).status == 200)
        server.stop()
        let store = try TocsinStore(path: db)
        defer { try? store.close() }
        #expect(try await store.integrityCheck() == ["ok"])
        let stored = Set(try await store.incidents(filter: .all, limit: TocsinStore.maxPageSize).incidents.map(\.groupKey))
        for number in accepted + [1000] {
            #expect(stored.contains("crash-\(number)"), "alert \(number) was answered 200 but is missing")
        }
        #expect(!stored.contains("crash-\(refusedNumber)"), "the refused alert left nothing behind")
    }
}
