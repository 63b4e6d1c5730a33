import Dispatch
import Foundation
import GRDB
import Synchronization
import Testing
import TocsinCore
@testable import TocsinStore
import TocsinTestSupport

@Suite("WAL checkpoints beside the writer")
struct WALCheckpointerTests {
    /// A WAL database of its own with one table, the checkpointer on its writer with small
    /// thresholds, and the queue its background checkpoints run on (suspended: the test resumes it).
    final class Setup {
        let directory: TemporaryDirectory
        let pool: DatabasePool
        let checkpointer: WALCheckpointer
        let queue: DispatchQueue
        private let suspended = Mutex(true)

        init(backgroundFrames: Int32, writerFrames: Int32) throws {
            directory = try TemporaryDirectory()
            let path = directory.path("wal.sqlite")
            pool = try DatabasePool(path: path)
            try pool.write { db in try db.execute(sql: "CREATE TABLE rows (id INTEGER PRIMARY KEY, body BLOB NOT NULL)") }
            try pool.writeWithoutTransaction { db in _ = try db.checkpoint(.truncate) }
            queue = DispatchQueue(label: "test.wal-checkpoint")
            queue.suspend()
            checkpointer = WALCheckpointer(
                path: path, configuration: Configuration(), backgroundFrames: backgroundFrames, writerFrames: writerFrames, queue: queue)
            pool.writeWithoutTransaction { db in checkpointer.install(on: db) }
        }

        var databaseBytes: Int { fileSize(directory.path("wal.sqlite")) }
        var walBytes: Int { fileSize(directory.path("wal.sqlite-wal")) }

        /// Commits one row of about a page, in a transaction of its own.
        func commitRow() throws {
            try pool.write { db in
                try db.execute(sql: "INSERT INTO rows (body) VALUES (?)", arguments: [Data(repeating: 7, count: 3_000)])
            }
        }

        func rowCount() throws -> Int { try pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM rows") ?? -1 } }

        /// Lets the background checkpoints run (a suspended queue must be resumed once before it goes).
        func resume() {
            let wasSuspended = suspended.withLock { held in
                defer { held = false }
                return held
            }
            if wasSuspended { queue.resume() }
        }

        func remove() {
            resume()
            checkpointer.close()
            try? pool.close()
            directory.remove()
        }

        private func fileSize(_ path: String) -> Int {
            ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int) ?? -1
        }
    }

    /// Waits (at most 10 s) until `condition` holds.
    func eventually(_ condition: () throws -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            if try condition() { return true }
            try await Task.sleep(for: .milliseconds(5))
        }
        return try condition()
    }

    @Test("past the threshold the commit does not checkpoint: a background connection copies the WAL into the file")
    func backgroundCheckpoint() async throws {
        let setup = try Setup(backgroundFrames: 10, writerFrames: 1_000)
        defer { setup.remove() }
        let before = setup.databaseBytes
        for _ in 0..<30 { try setup.commitRow() }
        // The background queue is held: nothing has been copied, by the writer or anyone.
        #expect(setup.databaseBytes == before)
        #expect(setup.checkpointer.checkpoints == (background: 0, byWriter: 0))
        setup.resume()
        #expect(try await eventually { setup.checkpointer.checkpoints.background >= 1 })
        #expect(setup.checkpointer.checkpoints.byWriter == 0)
        #expect(setup.databaseBytes > before + 30 * 3_000, "\(before) → \(setup.databaseBytes)")
        #expect(try setup.rowCount() == 30)
    }

    @Test("when the background checkpoints fall behind, the writer checkpoints at the bound and the WAL stays bounded")
    func writerCheckpointBoundsTheWAL() throws {
        let setup = try Setup(backgroundFrames: 10, writerFrames: 40)
        defer { setup.remove() }
        let before = setup.databaseBytes
        for _ in 0..<200 { try setup.commitRow() }
        #expect(setup.checkpointer.checkpoints.byWriter >= 2)
        #expect(setup.databaseBytes > before + 200 * 3_000, "\(before) → \(setup.databaseBytes)")
        // 200 rows are about 400 frames; the WAL, started over after each writer checkpoint,
        // never held more than the bound and one commit's frames.
        let frameBytes = 4_096 + 24
        #expect(setup.walBytes <= 32 + (40 + 10) * frameBytes, "WAL of \(setup.walBytes) bytes")
        #expect(try setup.rowCount() == 200)
    }

    @Test("a closed checkpointer starts no more checkpoints; the writer's bound still holds")
    func closed() throws {
        let setup = try Setup(backgroundFrames: 10, writerFrames: 40)
        defer { setup.remove() }
        setup.resume()
        setup.checkpointer.close()
        for _ in 0..<100 { try setup.commitRow() }
        #expect(setup.checkpointer.checkpoints.background == 0)
        #expect(setup.checkpointer.checkpoints.byWriter >= 1)
        #expect(try setup.rowCount() == 100)
    }

    @Test("a hook taken off hears no more commits, and lets go of what it reached")
    func uninstalled() throws {
        let setup = try Setup(backgroundFrames: 10, writerFrames: 40)
        defer { setup.remove() }
        setup.resume()
        #expect(setup.checkpointer.isInstalled)
        setup.pool.writeWithoutTransaction { db in setup.checkpointer.uninstall(from: db) }
        #expect(!setup.checkpointer.isInstalled)
        for _ in 0..<100 { try setup.commitRow() }
        #expect(setup.checkpointer.checkpoints == (background: 0, byWriter: 0))
        #expect(try setup.rowCount() == 100)
    }

    @Test("a store closed twice (a drill's restart whose reopen fails, then its deferred close) closes once, without a crash")
    func storeClosedTwice() throws {
        let test = try TestStore()
        defer { test.remove() }
        try test.store.close()
        #expect(!test.store.checkpointer.isInstalled)
        try test.store.close()
    }

    @Test("the store's writer runs with the checkpointer: ingest past 1,000 WAL pages is checkpointed in the background")
    func storeInstallsIt() async throws {
        let test = try TestStore()
        defer { test.remove() }
        let t0 = Date(timeIntervalSince1970: 1_795_800_000)
        let configuration = TocsinConfiguration(
            people: [Person(name: "alice", email: "alice@example.com")],
            routes: [Route(matchers: [], policy: "page")],
            policies: [EscalationPolicy(name: "page", steps: [.init(after: 0, notify: [.person("alice")])])])
        let summary = String(repeating: "s", count: 3_000)
        // About a page an alert: 15 batches of 100 are some 1,500 WAL pages.
        let batches = 15
        for batch in 0..<batches {
            let alerts = (0..<100).map { index in
                Alert(
                    status: .firing, labels: ["alertname": "Big", "instance": "b\(batch)-\(index)"],
                    annotations: ["summary": summary], startsAt: t0)
            }
            _ = try await test.store.ingest(
                AlertBatch(receiver: "team", groupKey: "g\(batch)", status: .firing, alerts: alerts),
                configuration: configuration, now: t0)
        }
        #expect(try await eventually { test.store.checkpointer.checkpoints.background >= 1 })
        #expect(test.store.checkpointer.checkpoints.byWriter == 0)
        #expect(try await test.store.integrityCheck() == ["ok"])
        let stored = try await test.store.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM incident_alerts") ?? -1 }
        #expect(stored == batches * 100)
        #expect(test.store.checkpointer.isInstalled)
        try test.store.close()
        #expect(!test.store.checkpointer.isInstalled, "closing the store takes the hook off and releases its target")
    }

    @Test("a commit calls for a background checkpoint once enough frames are not yet copied, and for the writer's at the bound")
    func progressThresholds() {
        var progress = WALProgress(backgroundFrames: 10, writerFrames: 40)
        var due = progress.committed(walFrames: 9)
        #expect(due == .init(background: false, writer: false, generation: 0))
        due = progress.committed(walFrames: 12)
        #expect(due == .init(background: true, writer: false, generation: 0))
        var copiedMore = progress.checkpointed(12, generation: 0)
        #expect(copiedMore)
        due = progress.committed(walFrames: 20)
        #expect(due == .init(background: false, writer: false, generation: 0))
        due = progress.committed(walFrames: 22)
        #expect(due == .init(background: true, writer: false, generation: 0))
        // Copying no more than is known is not progress (a checkpoint a reader held back).
        copiedMore = progress.checkpointed(12, generation: 0)
        #expect(!copiedMore)
        copiedMore = progress.checkpointed(22, generation: 0)
        #expect(copiedMore)
        due = progress.committed(walFrames: 41)
        #expect(due == .init(background: true, writer: true, generation: 0))
        // Once the writer's checkpoint at the bound has copied everything, no background one is needed.
        copiedMore = progress.checkpointed(41, generation: 0)
        #expect(copiedMore)
        #expect(!progress.needsBackground(walFrames: 41))
    }

    @Test("once the WAL starts over, what a checkpoint copied of the earlier log no longer counts")
    func progressAfterRestart() {
        var progress = WALProgress(backgroundFrames: 10, writerFrames: 1_000)
        _ = progress.committed(walFrames: 105)
        _ = progress.checkpointed(105, generation: 0)
        // The log started over: 3 frames, then past the 105 copied of the earlier log.
        var due = progress.committed(walFrames: 3)
        #expect(due == .init(background: false, writer: false, generation: 1))
        due = progress.committed(walFrames: 110)
        #expect(due == .init(background: true, writer: false, generation: 1))
        // A checkpoint scheduled in the earlier log reports late: it does not count for this one.
        let copiedMore = progress.checkpointed(105, generation: 0)
        #expect(!copiedMore)
        due = progress.committed(walFrames: 111)
        #expect(due.background)
    }

    @Test("after a failed background checkpoint the next waits for another threshold of frames")
    func progressAfterFailure() {
        var progress = WALProgress(backgroundFrames: 10, writerFrames: 1_000)
        var due = progress.committed(walFrames: 10)
        #expect(due.background)
        // A failure is recorded as if the frames up to that commit had been copied.
        _ = progress.checkpointed(10, generation: 0)
        due = progress.committed(walFrames: 19)
        #expect(!due.background)
        due = progress.committed(walFrames: 20)
        #expect(due.background)
    }
}
