import Foundation
import GRDB
import TocsinCore

/// An incident with its alerts, timeline, escalations and notifications (the API answers it as
/// `IncidentDetailResource`).
public struct IncidentDetail: Codable, Sendable, Equatable {
    public var incident: Incident
    /// Firing alerts first, then resolved ones; each group by first sighting.
    public var alerts: [IncidentAlert]
    /// Oldest event first.
    public var timeline: [TimelineEvent]
    /// Where the incident stands in each of its escalation policies.
    public var escalations: [Escalation]
    /// Every notification decided for the incident, oldest first.
    public var notifications: [OutboxEntry]
    /// Every delivery attempt of those notifications, oldest first.
    public var attempts: [DeliveryAttempt]
    /// The alerts a maintenance window holds back (by fingerprint), with the window's id.
    public var maintenanceHolds: [Fingerprint: Int64] = [:]
}

/// One page of an incident listing.
public struct IncidentPage: Sendable, Equatable {
    /// Newest first.
    public var incidents: [Incident]
    /// Pass as `before` to get the next page; nil on the last page.
    public var nextBefore: Int64?
    /// The incidents of the page that a maintenance window holds alerts of.
    public var inMaintenance: Set<Int64> = []
}

/// The answer to an acknowledge or resolve command.
public struct IncidentCommandResult: Sendable, Equatable {
    public var incident: Incident
    /// False when the incident was already in the requested state (the command was a no-op).
    public var changed: Bool
}

/// Who asked for a state change, and how.
public struct Actor: Sendable, Equatable {
    public var name: String
    /// `api`, `cli`, `email-link`, …
    public var channel: String

    public init(name: String, channel: String) {
        self.name = name
        self.channel = channel
    }
}

extension TocsinStore {
    /// The most incidents a listing returns at once (the API's `IncidentListResource.maxPageSize`).
    public static let maxPageSize = 500

    /// Incidents in the states of `filter`, newest first, at most `limit`, with ids below `before`.
    public func incidents(filter: IncidentFilter, limit: Int = 50, before: Int64? = nil) async throws(StoreError)
        -> IncidentPage
    {
        let size = max(1, min(limit, Self.maxPageSize))
        // Holds exist only while windows wait to be released: without any, the page needs no look at them.
        let windows = maintenance.get().windows
        let mayHold = windows == nil || windows?.isEmpty == false
        return try await read { db in
            // A cached statement per filter and bound (prepared once, not built and authorized per
            // request), each with the plan of its own: the states spelled out, so that the
            // `incidents_state (state, id)` index serves a filtered page.
            var conditions: [String] = []
            var arguments: StatementArguments = []
            if filter != .all {
                conditions.append("state IN \(filter.states.sqlList)")
            }
            if let before {
                conditions.append("id < ?")
                _ = arguments.append(contentsOf: [before])
            }
            _ = arguments.append(contentsOf: [size + 1])
            let rows = try Incident.fetchAll(
                try db.cachedStatement(
                    sql: "SELECT \(Incident.selection) FROM incidents" + (conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND "))
                        + " ORDER BY id DESC LIMIT ?"),
                arguments: arguments)
            let page = Array(rows.prefix(size))
            var result = IncidentPage(incidents: page, nextBefore: rows.count > size ? page.last?.id : nil)
            if mayHold, !page.isEmpty {
                result.inMaintenance = Set(try Int64.fetchAll(
                    db,
                    sql: "SELECT DISTINCT incident_id FROM maintenance_holds "
                        + "WHERE released_at IS NULL AND incident_id IN (SELECT value FROM json_each(?))",
                    arguments: ["[" + page.compactMap(\.id).map(String.init).joined(separator: ",") + "]"]))
            }
            return result
        }
    }

    /// One incident with its alerts and timeline.
    public func incident(id: Int64) async throws(StoreError) -> IncidentDetail {
        try await read { db in try Self.detail(id: id, in: db) }
    }

    /// The newest incident of `source` with `receiver` and `groupKey` (the key its alerts group under), if any.
    public func latestIncident(source: String, receiver: String, groupKey: String) async throws(StoreError) -> IncidentDetail? {
        try await read { db in
            guard let id = try Int64.fetchOne(
                db, sql: "SELECT id FROM incidents WHERE receiver = ? AND group_key = ? AND source = ? ORDER BY id DESC LIMIT 1",
                arguments: [receiver, groupKey, source])
            else { return nil }
            return try Self.detail(id: id, in: db)
        }
    }

    /// Acknowledges an incident: stops escalation; repeating it is a no-op; a resolved incident is refused.
    public func acknowledge(id: Int64, by actor: Actor, note: String?, now: Date) async throws(StoreError)
        -> IncidentCommandResult
    {
        try await write { db in
            try Self.apply(.acknowledge, id: id, actor: actor, note: note, now: now, in: db)
        }
    }

    /// Resolves an incident by hand; repeating it is a no-op.
    public func resolve(id: Int64, by actor: Actor, note: String?, now: Date) async throws(StoreError)
        -> IncidentCommandResult
    {
        try await write { db in
            try Self.apply(.resolve, id: id, actor: actor, note: note, now: now, in: db)
        }
    }

    private static func apply(
        _ command: IncidentCommand, id: Int64, actor: Actor, note: String?, now: Date, in db: Database
    ) throws -> IncidentCommandResult {
        let incident = try incident(id: id, in: db)
        guard var change = try command.change(of: incident, id: id, by: actor, note: note, now: now) else {
            return IncidentCommandResult(incident: incident, changed: false)
        }
        StoreMetrics.afterCommit(of: db, change.metrics)
        try change.incident.update(db)
        try change.event.insertRow(db)
        try audit(change.audit, in: db)
        if let event = change.finish {
            try finishEscalations(of: change.incident, event: event, actor: actor.name, note: note, now: now, in: db)
        }
        return IncidentCommandResult(incident: change.incident, changed: true)
    }

    /// (Both statements below are cached: every page rendered and every detail asks them.)
    static func incident(id: Int64, in db: Database) throws -> Incident {
        guard let incident = try Incident.fetchOne(db.cachedStatement(sql: "SELECT \(Incident.selection) FROM incidents WHERE id = ?"), arguments: [id]) else {
            throw StoreError.notFound(what: "incident", id: "#\(id)")
        }
        return incident
    }

    /// The incident's alerts, firing first.
    static func alerts(ofIncident id: Int64, in db: Database) throws -> [IncidentAlert] {
        try IncidentAlert.fetchAll(
            db.cachedStatement(sql: "SELECT * FROM incident_alerts WHERE incident_id = ? ORDER BY status, id"), arguments: [id])
    }

    static func detail(id: Int64, in db: Database) throws -> IncidentDetail {
        let incident = try incident(id: id, in: db)
        let alerts = try alerts(ofIncident: id, in: db)
        // By time: a step prepared ahead of its due time was written before events that precede it.
        let timeline = try TimelineEvent
            .filter(TimelineEvent.Columns.incidentID == id)
            .order(TimelineEvent.Columns.at, TimelineEvent.Columns.id)
            .fetchAll(db)
        let escalations = try Escalation.filter(Escalation.Columns.incidentID == id).order(Escalation.Columns.id).fetchAll(db)
        let notifications = try OutboxEntry.filter(OutboxEntry.Columns.incidentID == id).order(OutboxEntry.Columns.id).fetchAll(db)
        return IncidentDetail(
            incident: incident, alerts: alerts, timeline: timeline, escalations: escalations, notifications: notifications,
            attempts: try deliveryAttempts(incidentID: id, in: db), maintenanceHolds: try maintenanceHolds(ofIncident: id, in: db))
    }

    /// The incident's alerts held back by maintenance windows not yet released.
    static func maintenanceHolds(ofIncident id: Int64, in db: Database) throws -> [Fingerprint: Int64] {
        var holds: [Fingerprint: Int64] = [:]
        for row in try Row.fetchAll(
            db, sql: "SELECT fingerprint, window_id FROM maintenance_holds WHERE incident_id = ? AND released_at IS NULL", arguments: [id])
        {
            if let fingerprint = Fingerprint.fromDatabaseValue(row[0]) { holds[fingerprint] = row[1] }
        }
        return holds
    }
}
