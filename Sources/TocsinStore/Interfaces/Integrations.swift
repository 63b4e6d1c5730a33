import Foundation
import TocsinCore

/// The keys other sources (PagerDuty Events, generic JSON, CloudWatch through SNS) present, on
/// either store. Keys are stored as their hashes only.
public protocol IntegrationRegistry: Sendable {
    /// Adds an integration whose key hashes to `keyHash`; audited.
    ///
    /// - Throws: ``StoreError/conflict(_:)`` when the name is taken, even by a revoked integration.
    func addIntegration(
        name: String, source: Integration.Source, labels: [String: String], insufficientData: CloudWatchAlarm.InsufficientData?,
        topicArn: String?, keyHash: String, now: Date
    ) async throws(StoreError) -> Integration

    /// Revokes the key of the integration named `name`; audited. Events presenting it are refused at once.
    ///
    /// - Throws: ``StoreError/notFound(what:id:)`` when there is no such integration.
    func revokeIntegration(name: String, now: Date) async throws(StoreError) -> Integration

    /// Every integration, revoked ones included, by name.
    func integrations() async throws(StoreError) -> [Integration]

    /// The unrevoked integration whose key hashes to `keyHash`, if any.
    func integration(forKeyHash keyHash: String) async throws(StoreError) -> Integration?

    /// The topic the integration named `name` takes messages from: `topic` if it had none yet
    /// (it is recorded, audited), else the one it had.
    func pinTopic(integration name: String, topic: String, now: Date) async throws(StoreError) -> String
}

/// Web console sessions, exchanged for an API token, on either store.
public protocol ConsoleSessionStore: Sendable {
    /// Exchanges the API token with this hash for a session stored under `sessionHash`, good until
    /// `expiresAt`; audited with the client's address. Nil when the token is unknown or revoked
    /// (nothing is written then). Sessions that ended or expired are swept on the way.
    func startConsoleSession(tokenHash: String, sessionHash: String, expiresAt: Date, client: String, now: Date)
        async throws(StoreError) -> Authenticated?

    /// The session stored under this hash, when it has not ended or expired and its token is not revoked.
    func consoleSession(sessionHash: String, now: Date) async throws(StoreError) -> ConsoleSession?

    /// Ends the session stored under this hash (signing out); audited. False when there was none to end.
    @discardableResult
    func endConsoleSession(sessionHash: String, client: String, now: Date) async throws(StoreError) -> Bool

    /// The number of sessions that are still good (for tests and `/metrics`).
    func liveConsoleSessionCount(now: Date) async throws(StoreError) -> Int
}

extension IntegrationRegistry where Self: AuditTrail {
    /// Records that the SNS subscription of a CloudWatch integration was confirmed.
    public func auditSubscriptionConfirmed(integration: String, topic: String, client: String, now: Date) async throws(StoreError) {
        try await audit(.subscriptionConfirmed(integration: integration, topic: topic, client: client, at: now))
    }
}

extension TocsinStore: IntegrationRegistry, ConsoleSessionStore {}

extension PostgresStore: IntegrationRegistry, ConsoleSessionStore {}
