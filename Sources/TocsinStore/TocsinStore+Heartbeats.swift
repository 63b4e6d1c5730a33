import Foundation
import GRDB
import TocsinCore

/// What one look at the heartbeats did.
public struct HeartbeatPass: Sendable, Equatable {
    /// Heartbeats found missed now: their incidents opened (or joined) in the same commit.
    public var missed: [String] = []
    /// Heartbeats Tocsin began to watch (new in the configuration).
    public var watched: [String] = []
    /// The earliest deadline still ahead, when the escalator must look again.
    public var nextDeadline: Date?
}

/// What a beat did.
public struct BeatResult: Sendable, Equatable {
    public var status: HeartbeatStatus
    /// The ingest of the resolved `HeartbeatMissed` alert, when the beat ended a missed heartbeat.
    public var recovery: IngestResult?
}

extension TocsinStore {
    /// The setting that says when the heartbeats were last checked (by the escalator's loop): at a
    /// start, it tells a deadline that passed while Tocsin was running from one that passed while it was down.
    static let heartbeatsCheckedSetting = "heartbeats_checked_at"
    /// The check writes its time at most this often when nothing else changes.
    static let heartbeatsCheckedEvery: TimeInterval = 30

    /// Every stored heartbeat status, by name.
    public func heartbeatStatuses() async throws(StoreError) -> [String: HeartbeatStatus] {
        try await read { db in try Self.heartbeatStatuses(in: db) }
    }

    /// Starts watching configured heartbeats not yet watched, opens the `HeartbeatMissed`
    /// incident of every heartbeat whose window passed without a beat, and forgets heartbeats no
    /// longer configured (resolving a missed one's incident), all in one commit.
    ///
    /// A look that finds nothing to do reads only, apart from noting the time of the check every
    /// ``heartbeatsCheckedEvery`` seconds.
    public func checkHeartbeats(configuration: TocsinConfiguration, now: Date) async throws(StoreError) -> HeartbeatPass {
        let heartbeats = configuration.heartbeats
        let (statuses, checked) = try await read { db in
            (try Self.heartbeatStatuses(in: db), try Self.heartbeatsCheckedAt(in: db))
        }
        guard !heartbeats.isEmpty || !statuses.isEmpty else { return HeartbeatPass() }
        let configured = Set(heartbeats.map(\.name))
        let look = HeartbeatMonitor.check(heartbeats, statuses: statuses, now: now)
        let removed = statuses.keys.contains { !configured.contains($0) }
        let stale = checked.map { now.timeIntervalSince($0) >= Self.heartbeatsCheckedEvery || $0 > now } ?? true
        guard look.changesAnything || removed || (stale && !heartbeats.isEmpty) else {
            return HeartbeatPass(nextDeadline: look.nextDeadline)
        }
        let snapshotJSON = self.snapshotJSON
        let hold = try await maintenanceHold(at: now)  // a window may hold a missed heartbeat's alert too
        return try await write { db in
            // Read again under the writer: a beat may have come since.
            let statuses = try Self.heartbeatStatuses(in: db)
            let check = HeartbeatMonitor.check(heartbeats, statuses: statuses, now: now)
            var pass = HeartbeatPass(nextDeadline: check.nextDeadline)
            for heartbeat in check.toWatch {
                try Self.save(HeartbeatStatus(name: heartbeat.name, state: .waiting, watchingSince: now), in: db)
                pass.watched.append(heartbeat.name)
            }
            for (heartbeat, deadline) in check.missed {
                guard var status = statuses[heartbeat.name] else { continue }
                _ = try Self.ingest(
                    try PreparedBatch(
                        heartbeat.missed(at: deadline, lastBeat: status.lastBeatAt), configuration: configuration, hold: hold,
                        snapshotJSON: snapshotJSON),
                    configuration: configuration, now: now, correlationID: nil, in: db)
                status.state = .missed
                status.missedAt = deadline
                try Self.save(status, in: db)
                pass.missed.append(heartbeat.name)
            }
            for (name, status) in statuses where !configured.contains(name) {
                if status.state == .missed {
                    try Self.recover(name, configuration: configuration, now: now, correlationID: nil, snapshotJSON: snapshotJSON, in: db)
                }
                try db.execute(sql: "DELETE FROM heartbeats WHERE name = ?", arguments: [name])
            }
            try db.execute(
                sql: "INSERT INTO settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                arguments: [Self.heartbeatsCheckedSetting, StoredDate.text(now)])
            return pass
        }
    }

    /// Records a beat of `heartbeat` at `now`; a beat of a missed heartbeat also resolves its
    /// `HeartbeatMissed` alert (keeping what it said), in the same commit.
    public func recordBeat(
        _ heartbeat: Heartbeat, configuration: TocsinConfiguration, now: Date, correlationID: String? = nil
    ) async throws(StoreError) -> BeatResult {
        let snapshotJSON = self.snapshotJSON
        return try await write { db in
            let (status, recovers) = HeartbeatMonitor.beat(try Self.heartbeatStatus(heartbeat.name, in: db), name: heartbeat.name, now: now)
            try Self.save(status, in: db)
            let recovery = recovers
                ? try Self.recover(
                    heartbeat.name, configuration: configuration, now: now, correlationID: correlationID, snapshotJSON: snapshotJSON, in: db)
                : nil
            return BeatResult(status: status, recovery: recovery)
        }
    }

    /// Resolves the `HeartbeatMissed` alert of the heartbeat named `name`, with the labels and
    /// annotations its incident holds.
    @discardableResult
    static func recover(
        _ name: String, configuration: TocsinConfiguration, now: Date, correlationID: String?, snapshotJSON: SnapshotJSONCache,
        in db: Database
    ) throws -> IngestResult {
        let stored = try IncidentAlert.fetchOne(
            db,
            sql: """
                SELECT a.* FROM incident_alerts AS a JOIN incidents AS i ON i.id = a.incident_id
                WHERE i.source = ? AND i.receiver = ? AND i.group_key = ? AND a.fingerprint = ?
                ORDER BY i.id DESC LIMIT 1
                """,
            arguments: [
                Heartbeat.source, Heartbeat.source, Heartbeat.groupKey(of: name), Fingerprint(source: Heartbeat.source, key: name).description,
            ])
        let batch = Heartbeat.recovery(of: name, at: now, stored: stored)
        return try ingest(
            try PreparedBatch(batch, configuration: configuration, snapshotJSON: snapshotJSON), configuration: configuration, now: now,
            correlationID: correlationID, in: db)
    }

    /// At Tocsin's start: gives a fresh window to every heartbeat whose beat fell due while Tocsin
    /// was down (``HeartbeatMonitor/resume(_:of:lastChecked:now:)``). Returns their names.
    public func resumeHeartbeats(configuration: TocsinConfiguration, now: Date) async throws(StoreError) -> [String] {
        let heartbeats = configuration.heartbeats
        guard !heartbeats.isEmpty else { return [] }
        return try await write { db in
            let statuses = try Self.heartbeatStatuses(in: db)
            let checked = try Self.heartbeatsCheckedAt(in: db)
            var resumed: [String] = []
            for heartbeat in heartbeats {
                guard let status = statuses[heartbeat.name],
                    let fresh = HeartbeatMonitor.resume(status, of: heartbeat, lastChecked: checked, now: now)
                else { continue }
                try Self.save(fresh, in: db)
                resumed.append(heartbeat.name)
            }
            return resumed
        }
    }

    // MARK: Rows

    static func heartbeatStatuses(in db: Database) throws -> [String: HeartbeatStatus] {
        var statuses: [String: HeartbeatStatus] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT * FROM heartbeats") {
            let status = try heartbeatStatus(row)
            statuses[status.name] = status
        }
        return statuses
    }

    static func heartbeatStatus(_ name: String, in db: Database) throws -> HeartbeatStatus? {
        try Row.fetchOne(db, sql: "SELECT * FROM heartbeats WHERE name = ?", arguments: [name]).map(heartbeatStatus)
    }

    static func heartbeatStatus(_ row: Row) throws -> HeartbeatStatus {
        let name: String = row["name"]
        guard let state = HeartbeatStatus.State(rawValue: row["state"]), let since = StoredDate.parse(row["watching_since"]) else {
            throw StoreError.database("heartbeat \"\(name)\" has an unreadable state or time")
        }
        return HeartbeatStatus(
            name: name, state: state, watchingSince: since, lastBeatAt: StoredDate.parse(row["last_beat_at"]),
            beats: row["beats"], missedAt: StoredDate.parse(row["missed_at"]), resumedAt: StoredDate.parse(row["resumed_at"]))
    }

    private static func save(_ status: HeartbeatStatus, in db: Database) throws {
        try db.execute(
            sql: """
                INSERT INTO heartbeats (name, state, watching_since, last_beat_at, beats, missed_at, resumed_at)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (name) DO UPDATE SET state = excluded.state, watching_since = excluded.watching_since,
                    last_beat_at = excluded.last_beat_at, beats = excluded.beats, missed_at = excluded.missed_at,
                    resumed_at = excluded.resumed_at
                """,
            arguments: [
                status.name, status.state.rawValue, StoredDate.text(status.watchingSince), status.lastBeatAt.map(StoredDate.text),
                status.beats, status.missedAt.map(StoredDate.text), status.resumedAt.map(StoredDate.text),
            ])
    }

    private static func heartbeatsCheckedAt(in db: Database) throws -> Date? {
        try String.fetchOne(db, sql: "SELECT value FROM settings WHERE name = ?", arguments: [heartbeatsCheckedSetting])
            .flatMap { StoredDate.parse($0.databaseValue) }
    }
}
