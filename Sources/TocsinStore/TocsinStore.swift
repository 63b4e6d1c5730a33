import Foundation
import GRDB
import Synchronization
import TocsinCore

/// Tocsin's state in one SQLite file: incidents, alerts, timelines, users and tokens.
///
/// Opens the file in WAL mode, applies the embedded migrations and exposes repositories as
/// methods (`TocsinStore+Ingest.swift`, `+Incidents.swift`, `+Users.swift`). Every write is one
/// transaction; a method returns only after it has committed.
public final class TocsinStore: Sendable {
    /// How durable a commit is.
    public enum Durability: String, Sendable, CaseIterable {
        /// `synchronous=FULL`: a commit survives a process crash and a power loss.
        case full
        /// `synchronous=NORMAL`: a commit survives a process crash; the last commits may be lost on power loss.
        case normal
    }

    /// Options for opening the database.
    public struct Configuration: Sendable {
        /// How long a write waits for a lock held by another process before failing as busy.
        public var busyTimeout: TimeInterval = 5
        public var durability: Durability = .full

        public init(busyTimeout: TimeInterval = 5, durability: Durability = .full) {
            self.busyTimeout = busyTimeout
            self.durability = durability
        }
    }

    let writer: DatabasePool
    /// Collapses repeated failed authentications in the audit trail.
    public let failedAuthentications = FailedAuthenticationLog()
    /// The stored JSON of the policy snapshots new escalations start from.
    let snapshotJSON = SnapshotJSONCache()
    /// The maintenance windows not yet released, so that ingest does not read them every time.
    let maintenance = MaintenanceCache()
    /// Ingest's batches written together, one commit for all that wait (``GroupCommit``).
    let ingestCommits = GroupCommit()
    /// Whether writes are succeeding, as the last write found.
    public let writeHealth = WriteHealth()
    /// Counts the commits that changed a page of incidents (``incidentListVersion``).
    let incidentListChanges = IncidentListChanges()
    /// Runs WAL checkpoints beside the writer instead of inside its commits.
    let checkpointer: WALCheckpointer
    /// The database file.
    public let path: String
    /// Whether ``close()`` has run.
    private let closed = Atomic<Bool>(false)

    /// Opens (creating it and its directory if needed) and migrates the database at `path`.
    ///
    /// A new database file is created readable by its owner only (0600; SQLite gives its `-wal`
    /// and `-shm` files the same mode), in a new directory of mode 0700: it holds token hashes,
    /// the link-signing key and every incident.
    public init(path: String, configuration: Configuration = Configuration()) throws(StoreError) {
        self.path = path
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        let files = FileManager.default
        do {
            try files.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw StoreError.cannotOpen(path: path, reason: "cannot create directory \(directory): \(error.localizedDescription)")
        }
        if !files.fileExists(atPath: path), !files.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600]) {
            throw StoreError.cannotOpen(path: path, reason: "cannot create the database file")
        }
        var config = GRDB.Configuration()
        config.busyMode = .timeout(configuration.busyTimeout)
        config.foreignKeysEnabled = true
        let synchronous = configuration.durability == .full ? "FULL" : "NORMAL"
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = \(synchronous)")
        }
        checkpointer = WALCheckpointer(path: path, configuration: config)
        do {
            writer = try DatabasePool(path: path, configuration: config)
            try writer.writeWithoutTransaction { db in
                // GRDB sets `synchronous = NORMAL` on the writer when it turns WAL on, after
                // `prepareDatabase` has run: the durability asked for is set again here, on the
                // one connection that commits.
                try db.execute(sql: "PRAGMA synchronous = \(synchronous)")
                checkpointer.install(on: db)
            }
        } catch let error as DatabaseError {
            throw StoreError.cannotOpen(path: path, reason: error.message ?? "\(error.resultCode)")
        } catch {
            throw StoreError.cannotOpen(path: path, reason: "\(error)")
        }
        let version = (try? writer.read { db in try String.fetchOne(db, sql: "SELECT sqlite_version()") }) ?? nil
        guard let version, Self.isSupported(sqliteVersion: version) else {
            throw StoreError.cannotOpen(
                path: path, reason: "the system's SQLite is \(version ?? "unknown"); Tocsin needs \(Self.oldestSQLite) or newer")
        }
        try SchemaMigrations.migrate(writer, path: path)
        writer.add(transactionObserver: incidentListChanges, extent: .databaseLifetime)
    }

    /// Moves whenever a committed write changes what ``incidents(filter:limit:before:)`` returns
    /// (an incident, or its maintenance hold). Read it before the page: while it has not moved,
    /// that page is still the answer.
    public var incidentListVersion: UInt64 { incidentListChanges.count }

    /// The oldest SQLite Tocsin runs on (`UPDATE … FROM` and `… RETURNING` came in 3.33 and 3.35).
    static let oldestSQLite = "3.35"

    /// Whether `version` (`3.40.1`) is ``oldestSQLite`` or newer.
    static func isSupported(sqliteVersion version: String) -> Bool {
        let parts = version.split(separator: ".").map { Int($0) ?? 0 }
        let oldest = oldestSQLite.split(separator: ".").map { Int($0) ?? 0 }
        return parts.lexicographicallyPrecedes(oldest) == false
    }

    /// Identifiers of the migrations applied to this database, in order.
    public func appliedMigrations() throws(StoreError) -> [String] {
        try SchemaMigrations.applied(writer)
    }

    /// Identifiers of the migrations this binary carries.
    public static var knownMigrations: [String] { SchemaMigrations.embedded.map(\.identifier) }

    /// Proves the database accepts a real write (for readiness checks): one small row committed
    /// to the file, so a full disk or a read-only file system is found, as ingestion would find it.
    /// It leaves ``writeHealth`` alone: a small probe may pass while the writes of requests fail.
    public func checkWritable(now: Date) async throws(StoreError) {
        try await StoreError.mapping {
            try await writer.write { db in
                try db.execute(
                    sql: "INSERT OR REPLACE INTO settings (name, value) VALUES ('readiness_probe', ?)", arguments: [StoredDate.text(now)])
            }
        }
    }

    /// Runs `body` in one write transaction, mapping errors, and notes whether the database took it
    /// (``writeHealth``).
    func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws(StoreError) -> T {
        let start = ContinuousClock.now
        defer { StoreMetrics.writeDuration.recordDuration(ContinuousClock.now - start) }
        do {
            let (result, changed) = try await StoreError.mapping {
                try await writer.write { db in
                    let before = db.totalChangesCount
                    let result = try body(db)
                    return (result, db.totalChangesCount > before)
                }
            }
            // Only a write that changed rows proves the file takes writes (an empty pass commits
            // even on a full disk).
            if changed { writeHealth.succeeded() }
            return result
        } catch {
            writeHealth.failed(error)
            throw error
        }
    }

    /// Runs `body` on a read-only snapshot, mapping errors.
    func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws(StoreError) -> T {
        let start = ContinuousClock.now
        defer { StoreMetrics.readDuration.recordDuration(ContinuousClock.now - start) }
        return try await StoreError.mapping { try await writer.read(body) }
    }

    /// SQLite's `PRAGMA integrity_check`: `["ok"]` for a sound database, else the problems found.
    public func integrityCheck() async throws(StoreError) -> [String] {
        try await read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check") }
    }

    /// Closes the database, checkpointing the WAL. A second call (a shutdown path and a deferred
    /// one) does nothing.
    public func close() throws(StoreError) {
        guard !closed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        try StoreError.mapping {
            checkpointer.close()
            _ = try writer.writeWithoutTransaction { db in
                checkpointer.uninstall(from: db)
                return try db.checkpoint(.truncate)
            }
            try writer.close()
        }
    }
}
