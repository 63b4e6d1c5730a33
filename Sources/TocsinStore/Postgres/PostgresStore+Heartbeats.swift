import Foundation
import GRDB
import PostgresNIO
import TocsinCore

// Heartbeats on PostgreSQL: the same decisions (``HeartbeatMonitor``) as SQLite's store. Every
// instance looks; the looks and the beats take one lock for the heartbeats, so a missed heartbeat
// opens its incident once and a beat is never lost between two instances' writes.

extension PostgresStore {
    public func heartbeatStatuses() async throws(StoreError) -> [String: HeartbeatStatus] {
        try await work { work in try await work.heartbeatStatuses() }
    }

    public func checkHeartbeats(configuration: TocsinConfiguration, now: Date) async throws(StoreError) -> HeartbeatPass {
        let heartbeats = configuration.heartbeats
        let (statuses, checked) = try await work { work in (try await work.heartbeatStatuses(), try await work.heartbeatsCheckedAt()) }
        guard !heartbeats.isEmpty || !statuses.isEmpty else { return HeartbeatPass() }
        let configured = Set(heartbeats.map(\.name))
        let look = HeartbeatMonitor.check(heartbeats, statuses: statuses, now: now)
        let removed = statuses.keys.contains { !configured.contains($0) }
        let stale = checked.map { now.timeIntervalSince($0) >= TocsinStore.heartbeatsCheckedEvery || $0 > now } ?? true
        guard look.changesAnything || removed || (stale && !heartbeats.isEmpty) else {
            return HeartbeatPass(nextDeadline: look.nextDeadline)
        }
        let hold = try await maintenanceHold(at: now)
        let snapshotJSON = snapshotJSON
        return try await work { work in
            try await work.lockHeartbeats()
            // Read again under the lock: a beat, or another instance's look, may have come since.
            let statuses = try await work.heartbeatStatuses()
            let check = HeartbeatMonitor.check(heartbeats, statuses: statuses, now: now)
            var pass = HeartbeatPass(nextDeadline: check.nextDeadline)
            for heartbeat in check.toWatch {
                try await work.save(HeartbeatStatus(name: heartbeat.name, state: .waiting, watchingSince: now))
                pass.watched.append(heartbeat.name)
            }
            for (heartbeat, deadline) in check.missed {
                guard var status = statuses[heartbeat.name] else { continue }
                _ = try await work.ingest(
                    try PreparedBatch(
                        heartbeat.missed(at: deadline, lastBeat: status.lastBeatAt), configuration: configuration, hold: hold,
                        snapshotJSON: snapshotJSON),
                    configuration: configuration, now: now, correlationID: nil)
                status.state = .missed
                status.missedAt = deadline
                try await work.save(status)
                pass.missed.append(heartbeat.name)
            }
            for (name, status) in statuses where !configured.contains(name) {
                if status.state == .missed {
                    try await work.recover(name, configuration: configuration, now: now, correlationID: nil)
                }
                try await work.query("DELETE FROM heartbeats WHERE name = $1", Self.binding(name))
            }
            try await work.query(
                "INSERT INTO settings (name, value) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value",
                work.bindings(TocsinStore.heartbeatsCheckedSetting, StoredDate.text(now)))
            return pass
        }
    }

    public func recordBeat(
        _ heartbeat: Heartbeat, configuration: TocsinConfiguration, now: Date, correlationID: String? = nil
    ) async throws(StoreError) -> BeatResult {
        try await work { work in
            try await work.lockHeartbeats()
            let (status, recovers) = HeartbeatMonitor.beat(
                try await work.heartbeatStatuses(named: heartbeat.name)[heartbeat.name], name: heartbeat.name, now: now)
            try await work.save(status)
            let recovery = recovers ? try await work.recover(heartbeat.name, configuration: configuration, now: now, correlationID: correlationID) : nil
            return BeatResult(status: status, recovery: recovery)
        }
    }

    public func resumeHeartbeats(configuration: TocsinConfiguration, now: Date) async throws(StoreError) -> [String] {
        let heartbeats = configuration.heartbeats
        guard !heartbeats.isEmpty else { return [] }
        return try await work { work in
            try await work.lockHeartbeats()
            let statuses = try await work.heartbeatStatuses()
            let checked = try await work.heartbeatsCheckedAt()
            var resumed: [String] = []
            for heartbeat in heartbeats {
                guard let status = statuses[heartbeat.name],
                    let fresh = HeartbeatMonitor.resume(status, of: heartbeat, lastChecked: checked, now: now)
                else { continue }
                try await work.save(fresh)
                resumed.append(heartbeat.name)
            }
            return resumed
        }
    }
}

extension PostgresWork {
    /// Takes the lock that looks at and beats of the heartbeats share, for the transaction.
    func lockHeartbeats() async throws {
        try await query("SELECT pg_advisory_xact_lock(hashtextextended('heartbeats', 0))")
    }

    /// The stored statuses (of the heartbeat `name` only, when given), by name.
    func heartbeatStatuses(named name: String? = nil) async throws -> [String: HeartbeatStatus] {
        var statuses: [String: HeartbeatStatus] = [:]
        let rows = try await rows(
            of: "heartbeats", name == nil ? "" : "WHERE t.name = $1", name.map { PostgresStore.binding($0) } ?? PostgresBindings())
        for row in rows {
            let status = try TocsinStore.heartbeatStatus(row)
            statuses[status.name] = status
        }
        return statuses
    }

    func save(_ status: HeartbeatStatus) async throws {
        try await insert(
            into: "heartbeats", columns: ["name", "state", "watching_since", "last_beat_at", "beats", "missed_at", "resumed_at"],
            rows: [[
                status.name, status.state.rawValue, StoredDate.text(status.watchingSince), status.lastBeatAt.map(StoredDate.text),
                status.beats, status.missedAt.map(StoredDate.text), status.resumedAt.map(StoredDate.text),
            ]],
            suffix: """
                ON CONFLICT (name) DO UPDATE SET state = EXCLUDED.state, watching_since = EXCLUDED.watching_since,
                    last_beat_at = EXCLUDED.last_beat_at, beats = EXCLUDED.beats, missed_at = EXCLUDED.missed_at,
                    resumed_at = EXCLUDED.resumed_at
                """)
    }

    func heartbeatsCheckedAt() async throws -> Date? {
        try await query("SELECT value FROM settings WHERE name = $1", PostgresStore.binding(TocsinStore.heartbeatsCheckedSetting))
            .first.flatMap { StoredDate.parse(try $0.decode(String.self).databaseValue) }
    }

    /// Resolves the `HeartbeatMissed` alert of the heartbeat `name`, with what its incident holds.
    @discardableResult
    func recover(_ name: String, configuration: TocsinConfiguration, now: Date, correlationID: String?) async throws -> IngestResult {
        var bindings = PostgresBindings()
        bindings.append(Heartbeat.source)
        bindings.append(Heartbeat.groupKey(of: name))
        bindings.append(Fingerprint(source: Heartbeat.source, key: name).description)
        let stored = try await rows(
            of: "incident_alerts",
            """
            JOIN incidents AS i ON i.id = t.incident_id
            WHERE i.source = $1 AND i.receiver = $1 AND i.group_key = $2 AND t.fingerprint = $3 ORDER BY i.id DESC LIMIT 1
            """, bindings
        ).first.map(IncidentAlert.init(row:))
        let batch = Heartbeat.recovery(of: name, at: now, stored: stored)
        return try await ingest(
            try PreparedBatch(batch, configuration: configuration, snapshotJSON: store.snapshotJSON), configuration: configuration, now: now,
            correlationID: correlationID)
    }
}
