import Foundation
import GRDB
import Synchronization
import TocsinCore

/// A maintenance window with what it holds back: the open incidents and the alerts it keeps from paging.
public struct MaintenanceSummary: Sendable, Equatable {
    public var window: MaintenanceWindow
    public var heldIncidents: Int
    public var heldAlerts: Int

    public init(window: MaintenanceWindow, heldIncidents: Int, heldAlerts: Int) {
        self.window = window
        self.heldIncidents = heldIncidents
        self.heldAlerts = heldAlerts
    }
}

/// The maintenance windows not yet released, kept in memory by the store (the only writer), so that
/// ingest knows which alerts to hold without a read of its own. Every change bumps a generation,
/// so a read that began before a change cannot put the old list back.
final class MaintenanceCache: Sendable {
    private struct State {
        var generation = 0
        var windows: [MaintenanceWindow]?
        /// An ingest recorded holds: the next release pass looks in the database even with no window cached.
        var holdsRecorded = false
    }

    private let state = Mutex(State())

    /// The cached windows and the generation they belong to.
    func get() -> (windows: [MaintenanceWindow]?, generation: Int) { state.withLock { ($0.windows, $0.generation) } }

    /// Keeps `windows`, read in `generation`, unless something changed since.
    func set(_ windows: [MaintenanceWindow], readIn generation: Int) {
        state.withLock { state in
            if state.generation == generation { state.windows = windows }
        }
    }

    /// Whether the release pass may skip the database: no window waits to be released, and no
    /// hold was recorded since the last pass looked. Clears the record of holds.
    func nothingToRelease() -> Bool {
        state.withLock { state in
            defer { state.holdsRecorded = false }
            return state.windows?.isEmpty == true && !state.holdsRecorded
        }
    }

    func holdsWereRecorded() { state.withLock { $0.holdsRecorded = true } }

    func invalidate() {
        state.withLock { state in
            state.generation += 1
            state.windows = nil
        }
    }
}

extension TocsinStore {
    /// The windows open at `now` (from memory once read).
    public func maintenanceHold(at now: Date) async throws(StoreError) -> MaintenanceHold {
        let (cached, generation) = maintenance.get()
        if let cached { return MaintenanceHold(cached, at: now) }
        let unreleased = try await read { db in try Self.unreleasedWindows(in: db) }
        maintenance.set(unreleased, readIn: generation)
        return MaintenanceHold(unreleased, at: now)
    }

    /// Adds a window; audited.
    public func addMaintenance(_ window: MaintenanceWindow) async throws(StoreError) -> MaintenanceWindow {
        defer { maintenance.invalidate() }
        return try await write { db in
            try db.execute(
                sql: """
                    INSERT INTO maintenance_windows (matchers, starts_at, ends_at, note, created_by, created_at)
                    VALUES (?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    LabelJSON.encode(window.matchers.map(\.description)), StoredDate.text(window.startsAt), StoredDate.text(window.endsAt),
                    window.note, window.createdBy, StoredDate.text(window.createdAt),
                ])
            var added = window
            added.id = db.lastInsertedRowID
            try Self.audit(.maintenanceAdded(window, id: added.id ?? 0), in: db)
            return added
        }
    }

    /// Removes a window before its end; audited. What it held is paged at the escalator's next pass.
    public func removeMaintenance(id: Int64, by actor: String, now: Date) async throws(StoreError) -> MaintenanceWindow {
        defer { maintenance.invalidate() }
        return try await write { db in
            guard var window = try Self.window(id: id, in: db) else { throw StoreError.notFound(what: "maintenance window", id: "#\(id)") }
            guard window.removedAt == nil else { return window }
            try db.execute(sql: "UPDATE maintenance_windows SET removed_at = ? WHERE id = ?", arguments: [StoredDate.text(now), id])
            window.removedAt = now
            try Self.audit(.maintenanceRemoved(id: id, by: actor, at: now), in: db)
            return window
        }
    }

    /// The windows (those still to close, or every one with `all`), newest first, each with what it holds back.
    public func maintenanceWindows(all: Bool, now: Date) async throws(StoreError) -> [MaintenanceSummary] {
        try await read { db in
            let rows = try Row.fetchAll(
                db,
                sql: "SELECT * FROM maintenance_windows" + (all ? "" : " WHERE released_at IS NULL") + " ORDER BY id DESC")
            return try rows.map { row in
                let window = try Self.window(row)
                let counts = try Row.fetchOne(
                    db,
                    sql: """
                        SELECT count(DISTINCT h.incident_id), count(*) FROM maintenance_holds AS h
                        JOIN incident_alerts AS a ON a.incident_id = h.incident_id AND a.fingerprint = h.fingerprint
                        WHERE h.window_id = ? AND h.released_at IS NULL AND a.status = 'firing'
                        """,
                    arguments: [window.id])
                return MaintenanceSummary(window: window, heldIncidents: counts?[0] ?? 0, heldAlerts: counts?[1] ?? 0)
            }
        }
    }

    /// Releases the windows closed by `now` (ended, or removed): the alerts they held that still
    /// fire (and that no other open window holds) are paged as new, at once. Also releases any hold
    /// left under a window already closed (an ingest that committed just after the window's
    /// release). Returns when the next window closes, and how many were released now.
    public func releaseClosedMaintenance(
        now: Date, configuration: TocsinConfiguration
    ) async throws(StoreError) -> (next: Date?, released: Int) {
        _ = try await maintenanceHold(at: now)  // loads the cache once
        if maintenance.nothingToRelease() { return (nil, 0) }
        let stamp = StoredDate.text(now)
        let (pending, next) = try await read { db in
            (try Self.windowsToRelease(at: stamp, in: db),
             try String.fetchOne(
                db, sql: "SELECT min(ends_at) FROM maintenance_windows WHERE released_at IS NULL AND removed_at IS NULL AND ends_at > ?",
                arguments: [stamp]).flatMap { StoredDate.parse($0.databaseValue) })
        }
        guard !pending.isEmpty else { return (next, 0) }
        defer { maintenance.invalidate() }
        let released = try await write { db in
            let windows = try Self.windowsToRelease(at: stamp, in: db)  // again, under the writer
            let hold = MaintenanceHold(try Self.unreleasedWindows(in: db), at: now)
            for windowID in windows {
                try Self.release(window: windowID, hold: hold, now: now, configuration: configuration, in: db)
                try db.execute(
                    sql: "UPDATE maintenance_windows SET released_at = ? WHERE id = ? AND released_at IS NULL", arguments: [stamp, windowID])
            }
            return windows.count
        }
        return (next, released)
    }

    /// The windows with something to release at `stamp`: closed and not yet released, or released
    /// with holds still under them.
    private static func windowsToRelease(at stamp: String, in db: Database) throws -> [Int64] {
        try Int64.fetchAll(
            db,
            sql: """
                SELECT id FROM maintenance_windows
                WHERE released_at IS NULL AND (removed_at IS NOT NULL OR ends_at <= ?1)
                UNION
                SELECT DISTINCT h.window_id FROM maintenance_holds AS h JOIN maintenance_windows AS w ON w.id = h.window_id
                WHERE h.released_at IS NULL AND (w.released_at IS NOT NULL OR w.removed_at IS NOT NULL OR w.ends_at <= ?1)
                ORDER BY 1
                """,
            arguments: [stamp])
    }

    // MARK: In a transaction

    /// Records that the windows of `held` hold these alerts of the incident.
    static func recordHolds(_ held: [Fingerprint: MaintenanceWindow], incidentID: Int64, now: Date, in db: Database) throws {
        for (fingerprint, window) in held {
            try db.execute(
                sql: "INSERT OR IGNORE INTO maintenance_holds (window_id, incident_id, fingerprint, held_at) VALUES (?, ?, ?, ?)",
                arguments: [window.id, incidentID, fingerprint.description, StoredDate.text(now)])
        }
    }

    private static func release(
        window windowID: Int64, hold: MaintenanceHold, now: Date, configuration: TocsinConfiguration, in db: Database
    ) throws {
        let held = try Row.fetchAll(
            db,
            sql: """
                SELECT h.incident_id, a.fingerprint, a.labels FROM maintenance_holds AS h
                JOIN incident_alerts AS a ON a.incident_id = h.incident_id AND a.fingerprint = h.fingerprint
                JOIN incidents AS i ON i.id = h.incident_id
                WHERE h.window_id = ? AND h.released_at IS NULL AND a.status = 'firing' AND i.state != 'resolved'
                ORDER BY h.incident_id
                """,
            arguments: [windowID])
        let byIncident = Dictionary(grouping: held) { $0["incident_id"] as Int64 }
        for incidentID in byIncident.keys.sorted() {
            var incident = try incident(id: incidentID, in: db)
            let running = Set(try Escalation.filter(Escalation.Columns.incidentID == incidentID).fetchAll(db).map(\.policyName))
            let alerts = (byIncident[incidentID] ?? []).compactMap { row in
                Fingerprint.fromDatabaseValue(row["fingerprint"]).map { (fingerprint: $0, labels: row["labels"] as String) }
            }
            let release = MaintenanceRelease(windowID: windowID, held: alerts, hold: hold, configuration: configuration, running: running)
            try recordHolds(release.still, incidentID: incidentID, now: now, in: db)
            guard release.paged > 0 else { continue }
            var event = release.event(incidentID: incidentID, now: now)
            try event.insertRow(db)
            if incident.state == .acknowledged {
                var retriggered: TimelineEvent
                (incident, retriggered) = release.retriggered(incident, now: now)
                try incident.updateAllColumns(db)
                StoreMetrics.afterCommit(of: db) { StoreMetrics.transition(to: .triggered) }
                try retriggered.insertRow(db)
                try restartEscalations(of: incidentID, now: now, in: db)
            }
            try start(release.started, on: incident, startedBy: release.startedBy, now: now, configuration: configuration, in: db)
            _ = try runDueEscalations(ofIncident: incidentID, now: now, configuration: configuration, in: db)
        }
        try db.execute(
            sql: "UPDATE maintenance_holds SET released_at = ? WHERE window_id = ? AND released_at IS NULL",
            arguments: [StoredDate.text(now), windowID])
    }

    static func unreleasedWindows(in db: Database) throws -> [MaintenanceWindow] {
        try Row.fetchAll(db, sql: "SELECT * FROM maintenance_windows WHERE released_at IS NULL ORDER BY id").map(window)
    }

    private static func window(id: Int64, in db: Database) throws -> MaintenanceWindow? {
        try Row.fetchOne(db, sql: "SELECT * FROM maintenance_windows WHERE id = ?", arguments: [id]).map(window)
    }

    static func window(_ row: Row) throws -> MaintenanceWindow {
        let id: Int64 = row["id"]
        let text: String = row["matchers"]
        guard let list = try? JSONDecoder().decode([String].self, from: Data(text.utf8)),
            let startsAt = StoredDate.parse(row["starts_at"]), let endsAt = StoredDate.parse(row["ends_at"]),
            let createdAt = StoredDate.parse(row["created_at"])
        else { throw StoreError.database("maintenance window #\(id) is unreadable") }
        let matchers = try list.map { text throws in
            do { return try Matcher(parsing: text) } catch { throw StoreError.database("maintenance window #\(id): \(error)") }
        }
        return MaintenanceWindow(
            id: id, matchers: matchers, startsAt: startsAt, endsAt: endsAt, note: row["note"], createdBy: row["created_by"],
            createdAt: createdAt, removedAt: StoredDate.parse(row["removed_at"]))
    }
}
