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

    /// The newest incident of `source` with `receiver` and `groupKey` (the key its alerts group under), if any.
    func latestIncident(source: String, receiver: String, groupKey: String) async throws(StoreError) -> IncidentDetail?
}

extension TocsinStore: IncidentReader {}

extension PostgresStore: IncidentReader {}

extension IncidentReader {
    /// The newest incidents in the states of `filter`, at most `limit`.
    public func incidents(filter: IncidentFilter, limit: Int = 50) async throws(StoreError) -> IncidentPage {
        try await incidents(filter: filter, limit: limit, before: nil)
    }
}
