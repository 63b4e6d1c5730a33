import Dispatch
import GRDB
import GRDBSQLite
import Synchronization

/// Keeps WAL checkpoints off the single writer's path.
///
/// SQLite's automatic checkpoint runs inside the commit that leaves 1,000 frames or more in the
/// WAL: the writer copies the WAL into the database file and syncs it, and every write waiting
/// behind it waits that long too. This replaces it on the writer's connection (a WAL hook, which
/// is how SQLite's own automatic checkpoint is installed) with:
///
/// - once ``defaultBackgroundFrames`` (1,000) frames or more have not been copied by a checkpoint,
///   a passive checkpoint on a connection of its own, on a queue of its own, while the writer goes
///   on committing. A passive checkpoint never waits for the writer or a reader; it copies what has
///   committed and syncs the file (both connections sync as the store's `synchronous` says). When
///   it has copied everything and no commit or reader came in between, the writer's next
///   transaction starts the WAL over;
/// - once the WAL holds ``defaultWriterFrames`` (8,000) frames, a passive checkpoint by the writer
///   itself after that commit, as SQLite's automatic one would. Under steady load a background
///   checkpoint rarely finds the writer idle, so this is how the WAL starts over and stays bounded
///   (about 33 MB with 4 KiB pages); with the background having copied nearly everything, it has
///   little left to copy.
///
/// The background connection is opened the first time it is needed. The metric
/// `tocsin_database_wal_checkpoints_total{by="background"|"writer"}` counts the checkpoints that
/// copied something, and `tocsin_database_wal_checkpoint_failures_total` the background ones that
/// failed (the next is tried after another ``defaultBackgroundFrames`` frames).
final class WALCheckpointer: Sendable {
    /// Frames not yet copied into the database file from which a background checkpoint starts
    /// (SQLite's own automatic checkpoint threshold).
    static let defaultBackgroundFrames: Int32 = 1000
    /// Frames in the WAL from which the writer checkpoints itself.
    static let defaultWriterFrames: Int32 = 8000

    private let path: String
    private let configuration: GRDB.Configuration
    /// Runs the background checkpoints, one at a time.
    private let queue: DispatchQueue
    /// The background checkpoints' connection, once opened; touched on ``queue`` only.
    private let connection = Mutex<DatabaseQueue?>(nil)
    /// What is known of the WAL between commits; changed by the writer's hook and by checkpoints.
    private let progress: Mutex<WALProgress>
    /// Whether a background checkpoint is scheduled or running.
    private let scheduled = Atomic<Bool>(false)
    private let closed = Atomic<Bool>(false)
    /// Checkpoints that copied something, in the background and by the writer (for tests and metrics).
    private let counts = Mutex((background: 0, byWriter: 0))
    /// What the writer's hook reaches, held while the hook is installed.
    private let hookTarget = Mutex<Unmanaged<HookTarget>?>(nil)

    /// `configuration` opens the background connection: it must carry the store's `synchronous`.
    /// The background checkpoints run on `queue`.
    init(
        path: String, configuration: GRDB.Configuration, backgroundFrames: Int32 = defaultBackgroundFrames,
        writerFrames: Int32 = defaultWriterFrames, queue: DispatchQueue = DispatchQueue(label: "tocsin.wal-checkpoint")
    ) {
        self.path = path
        self.configuration = configuration
        self.queue = queue
        progress = Mutex(WALProgress(backgroundFrames: backgroundFrames, writerFrames: writerFrames))
    }

    /// Installs the hook on `db`, the writer's connection, in place of SQLite's automatic checkpoint.
    func install(on db: Database) {
        // The hook holds a weak reference only: should the store go away without closing, the
        // connection's hook then does nothing. (Its small target is released by `uninstall`.)
        let retained = Unmanaged.passRetained(HookTarget(self))
        hookTarget.withLock { $0 = retained }
        let target = retained.toOpaque()
        sqlite3_wal_hook(db.sqliteConnection, { target, connection, name, frames in
            guard let target else { return SQLITE_OK }
            Unmanaged<HookTarget>.fromOpaque(target).takeUnretainedValue().checkpointer?
                .committed(walFrames: frames, connection: connection, name: name)
            return SQLITE_OK
        }, target)
    }

    /// Takes the hook off `db`, the writer's connection, and releases what it reached.
    func uninstall(from db: Database) {
        // A connection already closed (a store closed twice) has no hook left to take off.
        if let connection = db.sqliteConnection { sqlite3_wal_hook(connection, nil, nil) }
        hookTarget.withLock { target in
            target?.release()
            target = nil
        }
    }

    /// Whether the hook is on the writer's connection.
    var isInstalled: Bool { hookTarget.withLock { $0 != nil } }

    /// How many checkpoints copied something in the background, and how many the writer ran itself.
    var checkpoints: (background: Int, byWriter: Int) { counts.withLock { $0 } }

    /// Waits for a background checkpoint in progress, closes the background connection, and runs
    /// no more.
    func close() {
        closed.store(true, ordering: .sequentiallyConsistent)
        queue.sync {
            connection.withLock { connection in
                try? connection?.close()
                connection = nil
            }
        }
    }

    /// After a commit on the writer's connection, with `walFrames` frames in the WAL.
    private func committed(walFrames: Int32, connection writer: OpaquePointer?, name: UnsafePointer<CChar>?) {
        var due = progress.withLock { $0.committed(walFrames: walFrames) }
        if due.writer {
            // A passive checkpoint returns at once (SQLITE_BUSY) if the background one holds the
            // checkpoint lock; the next commit tries again.
            var copied: Int32 = 0
            if sqlite3_wal_checkpoint_v2(writer, name, SQLITE_CHECKPOINT_PASSIVE, nil, &copied) == SQLITE_OK {
                let copiedMore = progress.withLock { $0.checkpointed(copied, generation: due.generation) }
                if copiedMore {
                    counts.withLock { $0.byWriter += 1 }
                    StoreMetrics.checkpointsByWriter.increment()
                }
            }
            // The background is still needed only if this left enough uncopied (a reader held it back).
            due.background = progress.withLock { $0.needsBackground(walFrames: walFrames) }
        }
        if due.background, !closed.load(ordering: .relaxed), !scheduled.exchange(true, ordering: .acquiringAndReleasing) {
            let generation = due.generation
            queue.async { self.checkpointInBackground(generation: generation, walFrames: walFrames) }
        }
    }

    /// A passive checkpoint on the background connection, scheduled after a commit that left
    /// `walFrames` frames in the WAL's `generation`.
    private func checkpointInBackground(generation: UInt32, walFrames: Int32) {
        defer { scheduled.store(false, ordering: .releasing) }
        guard !closed.load(ordering: .acquiring) else { return }
        do {
            let copied = try connection.withLock { connection in
                let database = try connection ?? DatabaseQueue(path: path, configuration: configuration)
                connection = database
                return try database.writeWithoutTransaction { db in try db.checkpoint(.passive) }.checkpointedFrameCount
            }
            if progress.withLock({ $0.checkpointed(Int32(clamping: copied), generation: generation) }) {
                counts.withLock { $0.background += 1 }
                StoreMetrics.checkpointsInBackground.increment()
            }
        } catch {
            // Nothing is lost: the WAL holds every commit. The next attempt comes after another
            // threshold's worth of frames (the writer's own checkpoint bounds the WAL meanwhile).
            StoreMetrics.checkpointFailures.increment()
            _ = progress.withLock { $0.checkpointed(walFrames, generation: generation) }
        }
    }

    /// What the hook reaches: the checkpointer while it lives.
    private final class HookTarget: Sendable {
        weak let checkpointer: WALCheckpointer?
        init(_ checkpointer: WALCheckpointer) { self.checkpointer = checkpointer }
    }
}

/// What ``WALCheckpointer`` knows of the WAL between commits, and what a commit calls for.
///
/// The WAL's frames are counted from its start; when the writer starts it over, a commit reports
/// fewer frames than the one before, and a new generation begins: what a checkpoint copied of an
/// earlier generation no longer counts.
struct WALProgress: Sendable {
    let backgroundFrames: Int32
    let writerFrames: Int32
    /// How many times the WAL was seen to start over.
    private(set) var generation: UInt32 = 0
    /// The frames after the last commit.
    private var lastFrames: Int32 = 0
    /// The frames of this generation a checkpoint has copied into the database file.
    private(set) var copied: Int32 = 0

    init(backgroundFrames: Int32, writerFrames: Int32) {
        self.backgroundFrames = backgroundFrames
        self.writerFrames = writerFrames
    }

    /// What a commit that left `walFrames` frames calls for, and the generation they belong to.
    struct Due: Equatable {
        /// A checkpoint in the background: enough frames have not been copied.
        var background: Bool
        /// A checkpoint by the writer: the WAL is at its bound.
        var writer: Bool
        var generation: UInt32
    }

    mutating func committed(walFrames: Int32) -> Due {
        if walFrames < lastFrames {
            generation &+= 1
            copied = 0
        }
        lastFrames = walFrames
        return Due(background: needsBackground(walFrames: walFrames), writer: walFrames >= writerFrames, generation: generation)
    }

    /// Whether `walFrames` frames of this generation leave enough not yet copied for a background checkpoint.
    func needsBackground(walFrames: Int32) -> Bool {
        walFrames - min(copied, walFrames) >= backgroundFrames
    }

    /// A checkpoint of `generation` has copied its first `frames` frames (or, after a failure,
    /// is to be tried again only after that many). Returns whether that is more than was known.
    mutating func checkpointed(_ frames: Int32, generation checkpointed: UInt32) -> Bool {
        guard checkpointed == generation, frames > copied else { return false }
        copied = frames
        return true
    }
}
