import Foundation
import TocsinCore

/// What the API, the CLI and the web console read of incidents, on either store.
public protocol IncidentReader: Sendable {
    /// Incidents in the states of `filter`, newest first, at most `limit` (1 to
    /// ``TocsinStore/maxPageSize``), with ids below `before`.
    func incidents(filter: IncidentFilter, limit: Int, before: Int64?) async throws(StoreError) -> IncidentPage

    /// One incident with its alerts, timeline, escalations, notifications, delivery attempts and
    /// maintenance holds.
    ///
    /// - Throws: ``StoreError/notFound(what:id:)`` when there is no such incident.
    func incident(id: Int64) async throws(StoreError) -> IncidentDetail
}

extension TocsinStore: IncidentReader {}

extension PostgresStore: IncidentReader {}
