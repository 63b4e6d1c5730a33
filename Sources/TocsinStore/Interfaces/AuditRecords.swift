import Foundation
import TocsinCore

/// The audit events the stores write with their changes, worded once for both stores.
extension AuditEvent {
    static func tokenCreated(id: Int64, user: String, scopes: Set<TokenScope>, at now: Date) -> AuditEvent {
        AuditEvent(
            at: now, kind: .tokenCreated, actor: user, source: "cli", detail: "token #\(id) for \(user), scopes \(TokenScope.format(scopes))")
    }

    static func tokensRevoked(_ count: Int, user: String, at now: Date) -> AuditEvent {
        AuditEvent(
            at: now, kind: .tokenRevoked, actor: user, source: "cli", detail: "\(count) token\(count == 1 ? "" : "s") of \(user) revoked")
    }

    static func maintenanceAdded(_ window: MaintenanceWindow, id: Int64) -> AuditEvent {
        AuditEvent(
            at: window.createdAt, kind: .maintenanceAdded, actor: window.createdBy, source: "api",
            detail: "maintenance window #\(id) (\(window.matcherDescription)) from \(RFC3339.format(window.startsAt)) "
                + "until \(RFC3339.format(window.endsAt))" + (window.note.map { ": \($0)" } ?? ""))
    }

    static func maintenanceRemoved(id: Int64, by actor: String, at now: Date) -> AuditEvent {
        AuditEvent(at: now, kind: .maintenanceRemoved, actor: actor, source: "api", detail: "maintenance window #\(id) removed")
    }

    static func linkKeyRotated(by actor: String, source: String, at now: Date) -> AuditEvent {
        AuditEvent(
            at: now, kind: .linkKeyRotated, actor: actor, source: source,
            detail: "the link-signing key was replaced; every earlier ack and resolve link stopped working")
    }

    static func integrationCreated(name: String, source: Integration.Source, labels: [String: String], at now: Date) -> AuditEvent {
        let labelText = labels.isEmpty ? "" : ", labels " + labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
        return AuditEvent(
            at: now, kind: .integrationCreated, actor: "tocsin", source: "cli", detail: "integration \(name) (\(source.rawValue))" + labelText)
    }

    static func integrationRevoked(name: String, at now: Date) -> AuditEvent {
        AuditEvent(at: now, kind: .integrationRevoked, actor: "tocsin", source: "cli", detail: "integration \(name) revoked")
    }

    static func topicPinned(integration name: String, topic: String, at now: Date) -> AuditEvent {
        AuditEvent(
            at: now, kind: .subscriptionConfirmed, actor: name, source: "sns",
            detail: "integration \(name) takes messages from SNS topic \(topic) only (the first to sign one)")
    }

    static func subscriptionConfirmed(integration: String, topic: String, client: String, at now: Date) -> AuditEvent {
        AuditEvent(
            at: now, kind: .subscriptionConfirmed, actor: integration, source: client,
            detail: "SNS subscription to \(topic) confirmed for integration \(integration)")
    }

    static func consoleSignedIn(_ authenticated: Authenticated, tokenID: Int64, client: String, at now: Date) -> AuditEvent {
        AuditEvent(
            at: now, kind: .consoleSignedIn, actor: authenticated.user.name, source: client,
            detail: "console session with token #\(tokenID), scopes \(TokenScope.format(authenticated.scopes))")
    }

    static func overrideAdded(_ override: StoredOverride, id: Int64) -> AuditEvent {
        AuditEvent(
            at: override.createdAt, kind: .overrideAdded, actor: override.createdBy, source: "api",
            detail: "override #\(id): \(override.person) on call for \(override.schedule) from \(RFC3339.format(override.startsAt)) "
                + "until \(RFC3339.format(override.endsAt))")
    }

    static func overrideRemoved(_ override: StoredOverride, id: Int64, by actor: String, at now: Date) -> AuditEvent {
        AuditEvent(
            at: now, kind: .overrideRemoved, actor: actor, source: "api",
            detail: "override #\(id): \(override.person) on call for \(override.schedule)")
    }

    static func consoleSignedOut(sessionID: Int64, user: String, client: String, at now: Date) -> AuditEvent {
        AuditEvent(at: now, kind: .consoleSignedOut, actor: user, source: client, detail: "console session #\(sessionID) ended")
    }
}
