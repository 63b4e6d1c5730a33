import Foundation
import TocsinCore

/// On-call overrides (who covers a schedule for a while), on either store. Any change takes back
/// the steps prepared ahead, so that they reach whoever is on call now.
public protocol OnCallOverrides: Sendable {
    /// Stores an override and audits it, in one transaction; steps prepared ahead are taken back.
    func addOverride(_ override: StoredOverride) async throws(StoreError) -> StoredOverride

    /// Removes an override and audits it; steps prepared ahead are taken back.
    ///
    /// - Throws: ``StoreError/notFound(what:id:)`` for an unknown id.
    func removeOverride(id: Int64, by actor: String, now: Date) async throws(StoreError) -> StoredOverride

    /// Overrides that have not ended by `now` (all of them when nil), by start time.
    func overrides(endingAfter now: Date?) async throws(StoreError) -> [StoredOverride]

    /// Takes back every step prepared ahead of `now` (the schedules that `oncall:` targets resolve
    /// against were reloaded): the escalator prepares them again on its next pass.
    func withdrawPreparedSteps(now: Date) async throws(StoreError)
}

extension TocsinStore: OnCallOverrides {}

extension PostgresStore: OnCallOverrides {}
