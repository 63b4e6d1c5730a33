import Foundation

/// One entry of the append-only audit trail: who did what security-relevant thing, from where.
public struct AuditEvent: Sendable, Equatable, Codable {
    /// What happened.
    public enum Kind: String, Sendable, Codable, CaseIterable {
        case tokenCreated = "token.created"
        case tokenRevoked = "token.revoked"
        /// A token's scopes were changed (tokens issued before scopes existed lost their `admin`).
        case tokenScopesChanged = "token.scopes_changed"
        case authenticationFailed = "auth.failed"
        case incidentAcknowledged = "incident.acknowledged"
        case incidentResolved = "incident.resolved"
        case incidentNoted = "incident.noted"
        case incidentEscalated = "incident.escalated"
        case incidentPaged = "incident.paged"
        case incidentReassigned = "incident.reassigned"
        case maintenanceAdded = "maintenance.added"
        case maintenanceRemoved = "maintenance.removed"
        case configReloaded = "config.reloaded"
        case configReloadFailed = "config.reload_failed"
        case drillStarted = "drill.started"
        case drillFinished = "drill.finished"
        case overrideAdded = "override.added"
        case overrideRemoved = "override.removed"
        /// The key that signs links in pages was replaced: every earlier link stopped working.
        case linkKeyRotated = "link_key.rotated"
        case integrationCreated = "integration.created"
        case integrationRevoked = "integration.revoked"
        /// An SNS subscription of a CloudWatch integration was confirmed (its `SubscribeURL` fetched).
        case subscriptionConfirmed = "integration.subscription_confirmed"
        /// Someone exchanged an API token for a web console session.
        case consoleSignedIn = "console.signed_in"
        /// A web console session was ended by its user.
        case consoleSignedOut = "console.signed_out"
    }

    public var id: Int64?
    public var at: Date
    public var kind: Kind
    /// The user (or `tocsin` itself, or `unknown` for a failed authentication).
    public var actor: String
    /// Where it came from: the client address, `cli` for commands run on the server host, or a channel.
    public var source: String
    public var detail: String

    public init(id: Int64? = nil, at: Date, kind: Kind, actor: String, source: String, detail: String) {
        self.id = id
        self.at = at
        self.kind = kind
        self.actor = actor
        self.source = source
        self.detail = detail
    }
}
