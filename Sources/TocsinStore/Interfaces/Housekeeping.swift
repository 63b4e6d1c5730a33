import Foundation
import TocsinCore

/// Retention and the counts `/metrics` reads, on either store.
public protocol Housekeeping: Sendable {
    /// Deletes up to `limit` incidents resolved before `cutoff`, oldest first, with their alerts,
    /// timeline, escalations, notifications and delivery attempts, in one short transaction; the
    /// batch also stops at about `maxAlerts` alerts, but takes at least one incident. Returns how
    /// many; call again until it returns 0.
    func deleteResolvedIncidents(resolvedBefore cutoff: Date, limit: Int, maxAlerts: Int) async throws(StoreError) -> Int

    /// Deletes up to `limit` audit events older than `cutoff` (the trail allows it only below the
    /// cutoff written with it). Returns how many.
    func deleteAuditEvents(before cutoff: Date, limit: Int) async throws(StoreError) -> Int

    /// Incidents and notifications by state, and when a notification was last sent.
    func operationalCounts() async throws(StoreError) -> OperationalCounts
}

/// Live drill runs, whose alerts page only the drill's receiver, on either store.
public protocol DrillRegistry: Sendable {
    /// Registers a live drill run; its id becomes the `tocsin_drill` label of the drill's alerts.
    ///
    /// - Throws: ``StoreError/conflict(_:)`` when a run with that id exists.
    func startDrill(_ run: DrillRun) async throws(StoreError) -> DrillRun

    /// Marks a drill run finished; later alerts with its label page nobody.
    func finishDrill(id: String, now: Date) async throws(StoreError) -> DrillRun

    /// Drill runs, newest first.
    func drillRuns(limit: Int) async throws(StoreError) -> [DrillRun]
}

extension TocsinStore: Housekeeping, DrillRegistry {}

extension PostgresStore: Housekeeping, DrillRegistry {}
