import Foundation
import TocsinCore

/// The people who may use the API, and their tokens: what the server and `tocsin users` ask of a
/// store, on SQLite (``TocsinStore``) or PostgreSQL (``PostgresStore``) alike.
///
/// Tokens are stored as their SHA-256 hashes only. Issuing and revoking are audited in the same
/// transaction as the change.
public protocol UserDirectory: Sendable {
    /// Adds a user together with their first API token (given as its hash); audited.
    ///
    /// - Throws: ``StoreError/conflict(_:)`` when the name is taken; nothing is stored then.
    func addUser(name: String, email: String, tokenHash: String, scopes: Set<TokenScope>, now: Date) async throws(StoreError) -> User

    /// Issues another token for an existing user; audited.
    ///
    /// - Throws: ``StoreError/notFound(what:id:)`` when there is no such user.
    func addToken(userName: String, tokenHash: String, scopes: Set<TokenScope>, now: Date) async throws(StoreError) -> User

    /// Revokes every unrevoked token of a user; audited. Returns how many were revoked.
    ///
    /// - Throws: ``StoreError/notFound(what:id:)`` when there is no such user.
    func revokeTokens(userName: String, now: Date) async throws(StoreError) -> Int

    /// All users, by name.
    func users() async throws(StoreError) -> [User]

    /// The user and scopes of the unrevoked token with this hash, if any.
    func authenticate(tokenHash hash: String) async throws(StoreError) -> Authenticated?

    /// Whether `userName` is a user whose access was revoked: the account exists and none of its
    /// tokens is still valid. Links sent to such a person no longer act as them.
    func accessRevoked(userName: String) async throws(StoreError) -> Bool
}

/// Server-wide settings kept in the store, the key that signs the links in pages among them.
public protocol ServerSettings: Sendable {
    /// A server-wide setting, created with `initial` the first time it is asked for (by any instance).
    func setting(_ name: String, orInsert initial: String) async throws(StoreError) -> String

    /// The key that signs the one-click links in pages, made on first use. It lives in the
    /// database, so a backup of the database is a secret too.
    func linkSigningKey() async throws(StoreError) -> [UInt8]

    /// Replaces the link-signing key with a new random one, so every link sent before stops
    /// working; pages not yet delivered are rendered again under the new key. Audited.
    func rotateLinkSigningKey(by actor: String, source: String, now: Date) async throws(StoreError)
}

/// The append-only record of who did what (tokens, acknowledgements, configuration, drills), on
/// either store.
public protocol AuditTrail: Sendable {
    /// Appends an event, in its own transaction.
    func audit(_ event: AuditEvent) async throws(StoreError)

    /// Events at or after `since`, oldest first (at most `limit`: the newest ones).
    func auditEvents(since: Date, limit: Int) async throws(StoreError) -> [AuditEvent]

    /// Collapses repeated failed authentications, per process (``auditFailedAuthentication(client:detail:now:)``).
    var failedAuthentications: FailedAuthenticationLog { get }
}

extension AuditTrail {
    /// Events at or after `since`, oldest first (the newest 1,000 at most).
    public func auditEvents(since: Date) async throws(StoreError) -> [AuditEvent] {
        try await auditEvents(since: since, limit: 1000)
    }

    /// Audits a failed authentication from `client`: at most one entry per client per minute, the
    /// next one counting the failures that went unrecorded meanwhile. Failures to write are ignored
    /// (the request is refused either way).
    public func auditFailedAuthentication(client: String, detail: String, now: Date) async {
        guard let suppressed = failedAuthentications.admit(client: client, now: now) else { return }
        let more = suppressed > 0 ? " (and \(suppressed) more from this address since the previous entry)" : ""
        try? await audit(AuditEvent(at: now, kind: .authenticationFailed, actor: "unknown", source: client, detail: detail + more))
    }
}

/// Everything a store offers on both backends. It grows as the PostgreSQL store does; the server
/// holds a ``TocsinStore`` until the store it needs is whole.
public typealias StateStore = UserDirectory & AuditTrail & ServerSettings & IntegrationRegistry & ConsoleSessionStore & IncidentReader
    & Housekeeping & DrillRegistry & OnCallOverrides & AlertIngest & EscalationRunner & IncidentCommands & DeliveryQueue & MaintenanceSchedule & IncidentsByHand & HeartbeatWatch & PhoneLedger & StoreHealth & StoreContents

extension TocsinStore: UserDirectory, AuditTrail, ServerSettings {}

extension PostgresStore: UserDirectory, AuditTrail, ServerSettings {}
