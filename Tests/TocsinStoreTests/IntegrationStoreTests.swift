import Foundation
import Testing
import TocsinCore
import TocsinStore
import TocsinTestSupport

/// Integration keys and web console sessions, proved on both stores.
@Suite("Integrations and console sessions, on SQLite and PostgreSQL")
struct IntegrationStoreTests {
    let t0 = Date(timeIntervalSince1970: 1_795_800_000.5)

    @Test("an integration is found by its key until revoked; its name is never reused; both are audited", arguments: TestBackend.allCases)
    func integrations(backend: TestBackend) async throws {
        try await backend.withStore { store in
            let added = try await store.addIntegration(
                name: "billing", source: .cloudwatch, labels: ["team": "pay", "env": "prod"], insufficientData: .ignore, topicArn: nil,
                keyHash: "k1", now: t0)
            #expect(added.id != nil && added.labels == ["team": "pay", "env": "prod"] && added.createdAt == t0)
            #expect(try await store.integration(forKeyHash: "k1") == added)
            #expect(try await store.integration(forKeyHash: "k2") == nil)
            await #expect {
                try await store.addIntegration(name: "billing", source: .generic, labels: [:], insufficientData: nil, topicArn: nil, keyHash: "k2", now: t0)
            } throws: { error in
                guard case StoreError.conflict(let message) = error else { return false }
                return message.contains("an integration named \"billing\" already exists")
            }
            let revoked = try await store.revokeIntegration(name: "billing", now: t0.addingTimeInterval(60))
            #expect(revoked.revokedAt == t0.addingTimeInterval(60))
            #expect(try await store.integration(forKeyHash: "k1") == nil)
            #expect(try await store.revokeIntegration(name: "billing", now: t0.addingTimeInterval(120)).revokedAt == t0.addingTimeInterval(60))
            await #expect(throws: StoreError.self) { try await store.revokeIntegration(name: "nothing", now: t0) }
            #expect(try await store.integrations() == [revoked])
            let trail = try await store.auditEvents(since: .distantPast)
            #expect(trail.map(\.kind) == [.integrationCreated, .integrationRevoked])
            #expect(trail.first?.detail == "integration billing (cloudwatch), labels env=prod,team=pay")
        }
    }

    @Test("the first topic to sign a message is pinned, audited once; later ones get the pinned one", arguments: TestBackend.allCases)
    func pinTopic(backend: TestBackend) async throws {
        try await backend.withStore { store in
            _ = try await store.addIntegration(
                name: "cw", source: .cloudwatch, labels: [:], insufficientData: nil, topicArn: nil, keyHash: "k", now: t0)
            #expect(try await store.pinTopic(integration: "cw", topic: "arn:aws:sns:eu-west-1:1:a", now: t0) == "arn:aws:sns:eu-west-1:1:a")
            #expect(try await store.pinTopic(integration: "cw", topic: "arn:aws:sns:eu-west-1:1:b", now: t0) == "arn:aws:sns:eu-west-1:1:a")
            #expect(try await store.integrations().first?.topicArn == "arn:aws:sns:eu-west-1:1:a")
            try await store.auditSubscriptionConfirmed(integration: "cw", topic: "arn:aws:sns:eu-west-1:1:a", client: "192.0.2.1", now: t0)
            let pins = try await store.auditEvents(since: .distantPast).filter { $0.kind == .subscriptionConfirmed }
            #expect(pins.map(\.source) == ["sns", "192.0.2.1"])
        }
    }

    @Test("a console session lives until it expires, is ended, or its token is revoked; sign-in and sign-out are audited", arguments: TestBackend.allCases)
    func consoleSessions(backend: TestBackend) async throws {
        try await backend.withStore { store in
            _ = try await store.addUser(name: "ann", email: "ann@example.com", tokenHash: "token", scopes: [.read, .respond], now: t0)
            #expect(try await store.startConsoleSession(tokenHash: "wrong", sessionHash: "s0", expiresAt: t0 + 3600, client: "c", now: t0) == nil)
            let started = try await store.startConsoleSession(tokenHash: "token", sessionHash: "s1", expiresAt: t0 + 3600, client: "192.0.2.9", now: t0)
            #expect(started?.user.name == "ann" && started?.scopes == [.read, .respond])
            let session = try await store.consoleSession(sessionHash: "s1", now: t0 + 60)
            #expect(session?.authenticated.user.name == "ann" && session?.expiresAt == t0 + 3600)
            #expect(try await store.consoleSession(sessionHash: "s1", now: t0 + 3600) == nil, "expired")
            #expect(try await store.liveConsoleSessionCount(now: t0 + 60) == 1)

            _ = try await store.startConsoleSession(tokenHash: "token", sessionHash: "s2", expiresAt: t0 + 3600, client: "c", now: t0 + 1)
            #expect(try await store.endConsoleSession(sessionHash: "s2", client: "192.0.2.9", now: t0 + 2))
            #expect(try await store.endConsoleSession(sessionHash: "s2", client: "192.0.2.9", now: t0 + 3) == false)
            #expect(try await store.consoleSession(sessionHash: "s2", now: t0 + 4) == nil)
            #expect(try await store.liveConsoleSessionCount(now: t0 + 4) == 1)

            _ = try await store.revokeTokens(userName: "ann", now: t0 + 5)
            #expect(try await store.consoleSession(sessionHash: "s1", now: t0 + 6) == nil, "its token was revoked")
            #expect(try await store.liveConsoleSessionCount(now: t0 + 6) == 0)
            let kinds = try await store.auditEvents(since: .distantPast).map(\.kind)
            #expect(kinds == [.tokenCreated, .consoleSignedIn, .consoleSignedIn, .consoleSignedOut, .tokenRevoked])
        }
    }
}
