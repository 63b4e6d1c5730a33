import Foundation
import GRDB
import TocsinCore

/// A stored on-call override, with who added it and why.
public struct StoredOverride: Sendable, Equatable, Codable, RowIDRecord {
    public static let databaseTableName = "schedule_overrides"
    public var id: Int64?
    public var schedule: String
    public var person: String
    public var startsAt: Date
    public var endsAt: Date
    public var note: String?
    public var createdBy: String
    public var createdAt: Date

    public init(
        id: Int64? = nil, schedule: String, person: String, startsAt: Date, endsAt: Date, note: String?, createdBy: String,
        createdAt: Date
    ) {
        self.id = id
        self.schedule = schedule
        self.person = person
        self.startsAt = startsAt
        self.endsAt = endsAt
        self.note = note
        self.createdBy = createdBy
        self.createdAt = createdAt
    }

    /// The override as schedules read it.
    public var override: ScheduleOverride {
        ScheduleOverride(id: id, scheduleName: schedule, person: person, from: startsAt, until: endsAt)
    }

    public enum CodingKeys: String, CodingKey {
        case id, schedule, person, note
        case startsAt = "starts_at"
        case endsAt = "ends_at"
        case createdBy = "created_by"
        case createdAt = "created_at"
    }

}

extension TocsinStore {
    /// Stores an override and audits it, in one transaction. Steps prepared ahead are taken back,
    /// so that they reach whoever the override puts on call.
    public func addOverride(_ override: StoredOverride) async throws(StoreError) -> StoredOverride {
        try await write { db in
            var stored = override
            try stored.insert(db)
            try Self.withdrawAllPreparedSteps(now: override.createdAt, in: db)
            try Self.audit(.overrideAdded(override, id: stored.id ?? 0), in: db)
            return stored
        }
    }

    /// Removes an override and audits it; steps prepared ahead are taken back, as when one is added.
    ///
    /// - Throws: ``StoreError/notFound(what:id:)`` for an unknown id.
    public func removeOverride(id: Int64, by actor: String, now: Date) async throws(StoreError) -> StoredOverride {
        try await write { db in
            guard let stored = try StoredOverride.fetchOne(db, key: id) else {
                throw StoreError.notFound(what: "override", id: "#\(id)")
            }
            _ = try StoredOverride.deleteOne(db, key: id)
            try Self.withdrawAllPreparedSteps(now: now, in: db)
            try Self.audit(.overrideRemoved(stored, id: id, by: actor, at: now), in: db)
            return stored
        }
    }

    /// Overrides that have not ended by `now` (all of them with `includePast`), by start time.
    public func overrides(endingAfter now: Date?) async throws(StoreError) -> [StoredOverride] {
        try await read { db in try Self.overrides(endingAfter: now, in: db) }
    }

    static func overrides(endingAfter now: Date?, in db: Database) throws -> [StoredOverride] {
        var request = StoredOverride.order(StoredOverride.Columns.startsAt, StoredOverride.Columns.id)
        if let now { request = request.filter(StoredOverride.Columns.endsAt > StoredDate.text(now)) }
        return try request.fetchAll(db)
    }

    /// What `oncall:` targets resolve against in a pass of the escalator at `now`.
    static func onCallDirectory(_ configuration: TocsinConfiguration, now: Date, in db: Database) throws -> OnCallDirectory {
        guard !configuration.schedules.isEmpty else { return OnCallDirectory() }
        return OnCallDirectory(
            configuration: configuration, overrides: try overrides(endingAfter: now, in: db).map(\.override))
    }
}
