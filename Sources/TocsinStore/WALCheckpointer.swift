import Dispatch
import GRDB
import GRDBSQLite
import Synchronization

/// Keeps WAL checkpoints off the single writer's path.
///
/// SQLite's automatic checkpoint runs inside the commit that leaves the WAL at 1,000 pages or
/// more: the writer copies the WAL into the database file and syncs it, and every write waiting
/// behind it waits that long too. This replaces it on the writer's connection (a WAL hook, which
/// is how SQLite's own automatic checkpoint is installed) with:
///
/// - at ``defaultBackgroundPages`` (1,000) or more not yet copied after a commit, a passive checkpoint on a
///   connection of its own, on a queue of its own, while the writer goes on committing. A passive checkpoint never
///   waits for, nor blocks, the writer or a reader; it copies what has committed, syncs the file
///   (the connection's `synchronous` is the store's), and once it has copied everything the
///   writer's next transaction starts the WAL over, as after any checkpoint;
/// - at ``defaultWriterPages`` (8,000) or more, should the writer never have paused long enough for a background
///   checkpoint to finish, a passive checkpoint by the writer itself after that commit, as
///   SQLite's automatic one would, so that the WAL stays bounded.
///
/// The background connection is opened the first time it is needed. The metric
/// `tocsin_database_wal_checkpoints_total{by="background"|"writer"}` counts both kinds: checkpoints
/// by the writer mean the background ones do not keep up.
final class WALCheckpointer: Sendable {
    /// WAL pages not yet copied into the database file from which a background checkpoint
    /// starts (SQLite's own automatic checkpoint threshold).
    static let defaultBackgroundPages: Int32 = 1000
    /// WAL pages after a commit from which the writer checkpoints itself.
    static let defaultWriterPages: Int32 = 8000

    private let path: String
    private let configuration: GRDB.Configuration
    private let backgroundPages: Int32
    private let writerPages: Int32
    /// Runs the background checkpoints, one at a time.
    private let queue: DispatchQueue
    /// The background checkpoints' connection, once opened; touched on ``queue`` only.
    private let connection = Mutex<DatabaseQueue?>(nil)
    /// Whether a background checkpoint is scheduled or running.
    private let scheduled = Atomic<Bool>(false)
    /// The WAL pages the last checkpoint had copied into the database file. A WAL smaller than
    /// that has started over since.
    private let copied = Atomic<Int32>(0)
    private let closed = Atomic<Bool>(false)
    /// Background checkpoints run, and writer checkpoints the WAL's size forced (for tests and metrics).
    private let counts = Mutex((background: 0, byWriter: 0))

    /// `configuration` opens the background connection: it must carry the store's `synchronous`.
    /// The background checkpoints run on `queue`.
    init(
        path: String, configuration: GRDB.Configuration, backgroundPages: Int32 = defaultBackgroundPages,
        writerPages: Int32 = defaultWriterPages, queue: DispatchQueue = DispatchQueue(label: "tocsin.wal-checkpoint")
    ) {
        self.path = path
        self.configuration = configuration
        self.backgroundPages = backgroundPages
        self.writerPages = writerPages
        self.queue = queue
    }

    /// Installs the hook on `db`, the writer's connection, in place of SQLite's automatic checkpoint.
    func install(on db: Database) {
        // The hook holds a weak reference only: should the store go away without closing, the
        // connection's hook then does nothing.
        let target = Unmanaged.passRetained(HookTarget(self)).toOpaque()
        sqlite3_wal_hook(db.sqliteConnection, { target, connection, name, pages in
            guard let target else { return SQLITE_OK }
            Unmanaged<HookTarget>.fromOpaque(target).takeUnretainedValue().checkpointer?
                .committed(walPages: pages, connection: connection, name: name)
            return SQLITE_OK
        }, target)
    }

    /// How many checkpoints ran in the background, and how many the writer had to run itself.
    var checkpoints: (background: Int, byWriter: Int) { counts.withLock { $0 } }

    /// Waits for a background checkpoint in progress, closes the background connection, and runs
    /// no more.
    func close() throws {
        closed.store(true, ordering: .sequentiallyConsistent)
        try queue.sync {
            try connection.withLock { connection in
                try connection?.close()
                connection = nil
            }
        }
    }

    /// After a commit on the writer's connection, with `walPages` pages in the WAL.
    private func committed(walPages: Int32, connection writer: OpaquePointer?, name: UnsafePointer<CChar>?) {
        if walPages >= writerPages {
            // A passive checkpoint returns at once (SQLITE_BUSY) if the background one holds the
            // checkpoint lock; the next commit tries again.
            var copiedPages: Int32 = 0
            if sqlite3_wal_checkpoint_v2(writer, name, SQLITE_CHECKPOINT_PASSIVE, nil, &copiedPages) == SQLITE_OK {
                copied.store(copiedPages, ordering: .relaxed)
                counts.withLock { $0.byWriter += 1 }
                StoreMetrics.checkpointsByWriter.increment()
            }
            return
        }
        let alreadyCopied = copied.load(ordering: .relaxed)
        let notCopied = walPages >= alreadyCopied ? walPages - alreadyCopied : walPages
        if notCopied >= backgroundPages, !closed.load(ordering: .relaxed),
            !scheduled.exchange(true, ordering: .acquiringAndReleasing)
        {
            queue.async { self.checkpointInBackground() }
        }
    }

    private func checkpointInBackground() {
        defer { scheduled.store(false, ordering: .releasing) }
        guard !closed.load(ordering: .acquiring) else { return }
        do {
            try connection.withLock { connection in
                let database = try connection ?? DatabaseQueue(path: path, configuration: configuration)
                connection = database
                let result = try database.writeWithoutTransaction { db in try db.checkpoint(.passive) }
                copied.store(Int32(clamping: result.checkpointedFrameCount), ordering: .relaxed)
            }
            counts.withLock { $0.background += 1 }
            StoreMetrics.checkpointsInBackground.increment()
        } catch {
            // Nothing is lost: the WAL holds every commit, and the next commit past the threshold
            // tries again (the writer's own checkpoint bounds the WAL meanwhile).
        }
    }

    /// What the hook reaches: the checkpointer while it lives.
    private final class HookTarget: Sendable {
        weak let checkpointer: WALCheckpointer?
        init(_ checkpointer: WALCheckpointer) { self.checkpointer = checkpointer }
    }
}
