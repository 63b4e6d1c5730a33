import Foundation
import GRDB
import Synchronization

/// Group commit for ingestion: batches that arrive while the database writer is busy wait here,
/// then are written together in one transaction under one `COMMIT` (one WAL write and one fsync
/// for the group). Every caller still returns only after the commit that holds its batch, and a
/// batch that fails fails alone (see ``write(_:in:writeHealth:)``).
///
/// There is no thread or task of its own: the first batch to find the writer idle schedules a
/// drain on GRDB's writer queue, which takes every batch waiting (up to ``maxGroup``), commits,
/// answers their callers, and schedules itself again while batches wait.
final class GroupCommit: Sendable {
    /// The most batches one transaction takes, so that one commit's latency stays bounded.
    static let maxGroup = 64

    /// One caller's work and where its answer goes.
    private struct Pending: Sendable {
        let work: @Sendable (Database) throws -> IngestResult
        let answer: CheckedContinuation<IngestResult, any Error>
    }

    private struct State: Sendable {
        var pending: [Pending] = []
        var draining = false
    }

    private let state = Mutex(State())

    /// How many batches wait for the writer now.
    var waiting: Int { state.withLock { $0.pending.count } }

    /// Runs `work` inside a transaction shared with the batches waiting beside it and returns its
    /// result once that transaction has committed.
    func submit(
        to writer: some DatabaseWriter, writeHealth: WriteHealth, _ work: @escaping @Sendable (Database) throws -> IngestResult
    ) async throws(StoreError) -> IngestResult {
        let start = ContinuousClock.now
        defer { StoreMetrics.writeDuration.recordDuration(ContinuousClock.now - start) }
        do {
            return try await withCheckedThrowingContinuation { answer in
                let startDrain = state.withLock { state in
                    state.pending.append(Pending(work: work, answer: answer))
                    guard !state.draining else { return false }
                    state.draining = true
                    return true
                }
                if startDrain { drain(writer, writeHealth: writeHealth) }
            }
        } catch {
            throw StoreError(error)
        }
    }

    /// Takes the batches waiting and writes them in one transaction on the writer's queue; when
    /// more arrived meanwhile, schedules the next group, else marks the writer idle.
    private func drain(_ writer: some DatabaseWriter, writeHealth: WriteHealth) {
        writer.asyncWriteWithoutTransaction { db in
            let group: [Pending] = self.state.withLock { state in
                let taken = Array(state.pending.prefix(Self.maxGroup))
                state.pending.removeFirst(taken.count)
                return taken
            }
            Self.write(group, in: db, writeHealth: writeHealth)
            let again = self.state.withLock { state in
                if state.pending.isEmpty { state.draining = false }
                return state.draining
            }
            if again { self.drain(writer, writeHealth: writeHealth) }
        }
    }

    /// Writes `group` in one transaction and answers every caller after the commit. Should one
    /// batch fail, the transaction is rolled back and each batch is written again in a transaction
    /// of its own, so that only the failing one fails. (Savepoints would isolate a batch without
    /// the second try, but SQLite then copies every page a batch first touches into a statement
    /// journal, which cost more, measured, than the commit they share saves.)
    private static func write(_ group: [Pending], in db: Database, writeHealth: WriteHealth) {
        if group.count > 1 {
            let before = db.totalChangesCount
            do {
                let results = try inOneTransaction(group, db)
                if db.totalChangesCount > before { writeHealth.succeeded() }
                for (pending, result) in zip(group, results) { pending.answer.resume(returning: result) }
                return
            } catch {
                let failure = StoreError(error)
                if failure.isTransient {
                    // The database refused the transaction itself (locked, full, read-only):
                    // each batch alone would wait and fail the same way.
                    writeHealth.failed(failure)
                    for pending in group { pending.answer.resume(throwing: failure) }
                    return
                }
                // Else one batch's own failure: each is written alone below.
            }
        }
        for pending in group {
            do {
                let before = db.totalChangesCount
                var result: IngestResult?
                try db.inTransaction(.immediate) {
                    result = try pending.work(db)
                    return .commit
                }
                if db.totalChangesCount > before { writeHealth.succeeded() }
                if let result {
                    pending.answer.resume(returning: result)
                } else {
                    pending.answer.resume(throwing: StoreError.database("the batch was not written"))
                }
            } catch {
                let failure = StoreError(error)
                writeHealth.failed(failure)
                pending.answer.resume(throwing: failure)
            }
        }
    }

    /// Every batch of `group` in one transaction, committed; throws (having rolled back) if any fails.
    private static func inOneTransaction(_ group: [Pending], _ db: Database) throws -> [IngestResult] {
        var results: [IngestResult] = []
        results.reserveCapacity(group.count)
        try db.inTransaction(.immediate) {
            for pending in group { results.append(try pending.work(db)) }
            return .commit
        }
        return results
    }
}

