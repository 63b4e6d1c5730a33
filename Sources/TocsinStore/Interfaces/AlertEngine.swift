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

/// The outbox as the dispatcher works it, on either store: claims with a lease, attempts
/// recorded, claims given back.
public protocol DeliveryQueue: Sendable {
    /// One turn of delivery in one transaction (``TocsinStore/deliveryTurn(recording:releasing:now:limit:lease:destinationLimit:)``).
    func deliveryTurn(
        recording completed: [CompletedAttempt], releasing released: [OutboxEntry], now: Date, limit: Int, lease: TimeInterval,
        destinationLimit: DestinationLimit
    ) async throws(StoreError) -> DeliveryTurn

    /// Claims up to `limit` notifications ready to go, with a lease of `lease` seconds.
    func claimDueNotifications(now: Date, limit: Int, lease: TimeInterval, destinationLimit: DestinationLimit?) async throws(StoreError)
        -> [OutboxEntry]

    /// Gives back claims that were never tried; `now` is when the rows changed.
    func releaseClaims(_ entries: [OutboxEntry], now: Date) async throws(StoreError)

    /// Records finished attempts in one transaction.
    func recordAttempts(_ attempts: [CompletedAttempt]) async throws(StoreError)

    /// When the next notification becomes ready after `after` (a due time, or a lease that runs out).
    func nextDeliveryDue(after: Date?) async throws(StoreError) -> Date?

    /// What a first attempt at one of the incident's notifications renders from.
    func renderMaterial(incidentID: Int64) async throws(StoreError) -> RenderMaterial

    /// Notifications in the given states (all when empty), newest first.
    func deliveries(states: [OutboxEntry.State], limit: Int) async throws(StoreError) -> [OutboxEntry]

    /// Puts a dead notification back in the queue, due now (same idempotency key).
    ///
    /// - Throws: ``StoreError/notFound(what:id:)``; ``StoreError/conflict(_:)`` when it is not dead.
    func retryDelivery(id: Int64, now: Date) async throws(StoreError) -> OutboxEntry

    /// Every attempt at the incident's notifications, oldest first.
    func deliveryAttempts(incidentID: Int64) async throws(StoreError) -> [DeliveryAttempt]

    /// At start-up, the claims left by a stop that can be taken again at once; returns how many.
    @discardableResult
    func recoverInterruptedDeliveries(now: Date) async throws(StoreError) -> Int
}

extension DeliveryQueue {
    /// Claims up to `limit` notifications ready at `now`, each a lane of its own, with a lease of 60 s.
    public func claimDueNotifications(now: Date, limit: Int = 100, lease: TimeInterval = 60) async throws(StoreError) -> [OutboxEntry] {
        try await claimDueNotifications(now: now, limit: limit, lease: lease, destinationLimit: nil)
    }
}

extension DeliveryQueue {
    /// Records the outcome of one attempt (``recordAttempts(_:)``).
    public func recordAttempt(
        _ entry: OutboxEntry, startedAt: Date, finishedAt: Date, statusCode: Int?, error: String?, outcome: DeliveryPolicy.Outcome,
        rendered: String?
    ) async throws(StoreError) {
        try await recordAttempts([
            CompletedAttempt(
                entry: entry, startedAt: startedAt, finishedAt: finishedAt, statusCode: statusCode, error: error, outcome: outcome,
                rendered: rendered)
        ])
    }

    /// When the next notification becomes ready, if any.
    public func nextDeliveryDue() async throws(StoreError) -> Date? {
        try await nextDeliveryDue(after: nil)
    }

    /// One turn of delivery that gives back no claims.
    public func deliveryTurn(
        recording completed: [CompletedAttempt], now: Date, limit: Int, lease: TimeInterval, destinationLimit: DestinationLimit
    ) async throws(StoreError) -> DeliveryTurn {
        try await deliveryTurn(recording: completed, releasing: [], now: now, limit: limit, lease: lease, destinationLimit: destinationLimit)
    }

    /// Notifications in the given states (all when empty), the newest 100.
    public func deliveries(states: [OutboxEntry.State]) async throws(StoreError) -> [OutboxEntry] {
        try await deliveries(states: states, limit: 100)
    }
}

extension TocsinStore: DeliveryQueue {}

extension PostgresStore: DeliveryQueue {}

/// Maintenance windows, on either store: alerts they match are held from paging until they
/// close, and what still fires then is paged as new.
public protocol MaintenanceSchedule: Sendable {
    /// Adds a window; audited.
    func addMaintenance(_ window: MaintenanceWindow) async throws(StoreError) -> MaintenanceWindow

    /// Removes a window before its end; audited.
    ///
    /// - Throws: ``StoreError/notFound(what:id:)``.
    func removeMaintenance(id: Int64, by actor: String, now: Date) async throws(StoreError) -> MaintenanceWindow

    /// The windows (those still to close, or every one with `all`), newest first, each with what it holds back.
    func maintenanceWindows(all: Bool, now: Date) async throws(StoreError) -> [MaintenanceSummary]

    /// Releases the windows closed by `now`; returns when the next window closes, and how many were released.
    func releaseClosedMaintenance(now: Date, configuration: TocsinConfiguration) async throws(StoreError) -> (next: Date?, released: Int)
}

extension TocsinStore: MaintenanceSchedule {}

extension PostgresStore: MaintenanceSchedule {}

/// Acting on incidents by hand, on either store: notes, escalating now, paging, reassigning.
/// Each is audited and commits with what it changes.
public protocol IncidentsByHand: Sendable {
    /// Writes a note on the incident's timeline; with `notify`, everyone already paged is sent it.
    func addNote(id: Int64, text: String, notify: Bool, by actor: Actor, now: Date) async throws(StoreError) -> NoteResult

    /// Runs the next step of each of the incident's policies (or step `toStep`) at once.
    func escalateNow(id: Int64, toStep: Int?, by actor: Actor, note: String?, now: Date, configuration: TocsinConfiguration)
        async throws(StoreError) -> IncidentCommandResult

    /// Opens an incident by hand and pages its targets at once.
    func openManualIncident(_ page: ManualPage, by actor: Actor, now: Date, configuration: TocsinConfiguration) async throws(StoreError)
        -> IncidentCommandResult

    /// Pages `page`'s targets about the open incident now, without changing its state.
    func pageResponders(incident id: Int64, _ page: ManualPage, by actor: Actor, now: Date, configuration: TocsinConfiguration)
        async throws(StoreError) -> IncidentCommandResult

    /// Stops the incident's escalations for good and starts `page`'s policy, or pages its person.
    func reassign(incident id: Int64, _ page: ManualPage, by actor: Actor, now: Date, configuration: TocsinConfiguration)
        async throws(StoreError) -> IncidentCommandResult
}

extension TocsinStore: IncidentsByHand {}

extension PostgresStore: IncidentsByHand {}

/// Heartbeats (dead man's switches), on either store: a missed beat opens its incident, a beat
/// after it resolves it.
public protocol HeartbeatWatch: Sendable {
    /// Every stored heartbeat status, by name.
    func heartbeatStatuses() async throws(StoreError) -> [String: HeartbeatStatus]

    /// Watches new heartbeats, opens the incident of each one missed, forgets those no longer configured.
    func checkHeartbeats(configuration: TocsinConfiguration, now: Date) async throws(StoreError) -> HeartbeatPass

    /// Records a beat; a beat of a missed heartbeat resolves its incident in the same commit.
    func recordBeat(_ heartbeat: Heartbeat, configuration: TocsinConfiguration, now: Date, correlationID: String?)
        async throws(StoreError) -> BeatResult

    /// At start-up: a fresh window for every heartbeat whose beat fell due while Tocsin was down.
    func resumeHeartbeats(configuration: TocsinConfiguration, now: Date) async throws(StoreError) -> [String]
}

extension HeartbeatWatch {
    /// Records a beat with no correlation id.
    public func recordBeat(_ heartbeat: Heartbeat, configuration: TocsinConfiguration, now: Date) async throws(StoreError) -> BeatResult {
        try await recordBeat(heartbeat, configuration: configuration, now: now, correlationID: nil)
    }
}

extension TocsinStore: HeartbeatWatch {}

extension PostgresStore: HeartbeatWatch {}

/// Texts and calls, on either store: Twilio's reports recorded, and the counts that limit what
/// one phone receives.
public protocol PhoneLedger: Sendable {
    /// Records a status Twilio reported for a text or call (``TocsinStore/recordPhoneStatus(deliveryID:attempt:status:errorCode:policy:now:random:)``).
    func recordPhoneStatus(
        deliveryID id: Int64, attempt: Int?, status: String, errorCode: String?, policy: DeliveryPolicy, now: Date, random: Double
    ) async throws(StoreError) -> PhoneStatusChange

    /// The texts and calls sent to `address` since `since` (until `until`), and whether the notice of the limit went.
    func phoneUsage(address: String, since: Date, until: Date?, noticeReason: String) async throws(StoreError) -> PhoneUsage

    /// Whether the incident texted or called `address` (nil: no such incident).
    func phoned(incidentID id: Int64, address: String) async throws(StoreError) -> Bool?
}

extension PhoneLedger {
    /// Records a status Twilio reported for a text or call whose callback named no attempt.
    public func recordPhoneStatus(
        deliveryID id: Int64, status: String, errorCode: String?, policy: DeliveryPolicy, now: Date, random: Double
    ) async throws(StoreError) -> PhoneStatusChange {
        try await recordPhoneStatus(deliveryID: id, attempt: nil, status: status, errorCode: errorCode, policy: policy, now: now, random: random)
    }
}

extension TocsinStore: PhoneLedger {}

extension PostgresStore: PhoneLedger {}
