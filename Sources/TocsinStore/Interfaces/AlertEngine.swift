import Foundation
import TocsinCore

/// Where alerts land, on either store: batches merged into incidents, escalation started,
/// restarted or stopped with the commit.
public protocol AlertIngest: Sendable {
    /// Merges `batch` into its incident and commits (``TocsinStore/ingest(_:configuration:now:correlationID:)``).
    func ingest(_ batch: AlertBatch, configuration: TocsinConfiguration, now: Date, correlationID: String?) async throws(StoreError)
        -> IngestResult

    /// The maintenance windows open at `now`.
    func maintenanceHold(at now: Date) async throws(StoreError) -> MaintenanceHold
}

extension AlertIngest {
    /// Merges `batch` into its incident under `configuration` and commits.
    public func ingest(_ batch: AlertBatch, configuration: TocsinConfiguration, now: Date) async throws(StoreError) -> IngestResult {
        try await ingest(batch, configuration: configuration, now: now, correlationID: nil)
    }

    /// Merges `batch` into its incident, with no policies, and commits.
    public func ingest(_ batch: AlertBatch, now: Date) async throws(StoreError) -> IngestResult {
        try await ingest(batch, configuration: TocsinConfiguration(), now: now, correlationID: nil)
    }
}

/// The escalator's work, on either store: the steps that fall due, each planned once.
public protocol EscalationRunner: Sendable {
    /// Runs up to `limit` escalations due at `now` in one transaction, preparing the steps of
    /// triggered incidents falling due by `horizon` (``TocsinStore/runDueEscalations(now:preparingUntil:limit:configuration:)``).
    func runDueEscalations(now: Date, preparingUntil horizon: Date?, limit: Int, configuration: TocsinConfiguration)
        async throws(StoreError) -> EscalationTick

    /// When the escalator must look again (``TocsinStore/nextEscalationDue(preparingAhead:)``).
    func nextEscalationDue(preparingAhead lead: TimeInterval) async throws(StoreError) -> Date?

    /// The notifications of one incident, oldest first.
    func notifications(incidentID: Int64) async throws(StoreError) -> [OutboxEntry]
}

extension TocsinStore: AlertIngest, EscalationRunner {}

extension PostgresStore: AlertIngest, EscalationRunner {}

/// Acknowledging and resolving by hand, on either store: audited, escalation paused or stopped,
/// everyone paged told, in one transaction.
public protocol IncidentCommands: Sendable {
    /// Acknowledges the incident; a no-op when it is already acknowledged.
    ///
    /// - Throws: ``StoreError/notFound(what:id:)``; ``StoreError/conflict(_:)`` when it is resolved.
    func acknowledge(id: Int64, by actor: Actor, note: String?, now: Date) async throws(StoreError) -> IncidentCommandResult

    /// Resolves the incident; a no-op when it is already resolved.
    func resolve(id: Int64, by actor: Actor, note: String?, now: Date) async throws(StoreError) -> IncidentCommandResult
}

extension TocsinStore: IncidentCommands {}

extension PostgresStore: IncidentCommands {}

extension EscalationRunner {
    /// Runs up to 500 escalations due at `now` under `configuration`, preparing those due by `horizon`.
    public func runDueEscalations(now: Date, preparingUntil horizon: Date? = nil, configuration: TocsinConfiguration)
        async throws(StoreError) -> EscalationTick
    {
        try await runDueEscalations(now: now, preparingUntil: horizon, limit: 500, configuration: configuration)
    }

    /// When the escalator must look again, nothing prepared ahead.
    public func nextEscalationDue() async throws(StoreError) -> Date? {
        try await nextEscalationDue(preparingAhead: 0)
    }
}
