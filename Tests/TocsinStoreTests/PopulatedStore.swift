import Foundation
import TocsinCore
import TocsinStore
import TocsinTestSupport

/// A store in use, for the tests that compare the two stores on the same data: incidents triggered,
/// acknowledged and resolved, pages sent, people, an override, the link key, and the audit
/// trail of it all.
enum PopulatedStore {
    static let configuration = TocsinConfiguration(
        people: [Person(name: "alice", email: "alice@example.com")],
        routes: [Route(matchers: [], policy: "p")],
        policies: [EscalationPolicy(name: "p", steps: [.init(after: 0, notify: [.person("alice")]), .init(after: 600, notify: [.person("alice")])])])

    static func fill(_ store: TocsinStore, at t0: Date) async throws {
        for fixture in ["webhook-01-firing-critical-single", "webhook-04-firing-grouped-2-alerts", "webhook-03-firing-warning-single"] {
            _ = try await store.ingest(try Fixtures.batch(fixture), configuration: configuration, now: t0)
        }
        for page in try await store.claimDueNotifications(now: t0) {
            try await store.recordAttempt(page, startedAt: t0, finishedAt: t0.addingTimeInterval(0.2), statusCode: 200, error: nil, outcome: .sent, rendered: "{}")
        }
        _ = try await store.acknowledge(id: 1, by: Actor(name: "alice", channel: "cli"), note: "on it", now: t0.addingTimeInterval(30))
        _ = try await store.ingest(try Fixtures.batch("webhook-08-resolved-critical-single"), configuration: configuration, now: t0.addingTimeInterval(60))
        _ = try await store.acknowledge(id: 2, by: Actor(name: "alice", channel: "api"), note: nil, now: t0.addingTimeInterval(70))
        _ = try await store.addUser(name: "alice", email: "alice@example.com", tokenHash: "alice-hash", scopes: [.read, .respond], now: t0)
        _ = try await store.addOverride(
            StoredOverride(schedule: "primary", person: "alice", startsAt: t0, endsAt: t0.addingTimeInterval(3600), note: nil, createdBy: "bob", createdAt: t0))
        _ = try await store.linkSigningKey()
    }

    /// Runs `body` with a store of `backend` holding ``fill(_:at:)``'s data (PostgreSQL gets it
    /// by `tocsin migrate`'s copy).
    static func with<T: Sendable>(_ backend: TestBackend, at t0: Date, _ body: (any StateStore) async throws -> T) async throws -> T {
        let test = try TestStore()
        defer { test.remove() }
        try await fill(test.store, at: t0)
        switch backend {
        case .sqlite:
            return try await body(test.store)
        case .postgres:
            return try await TestBackend.withPostgresStore { store in
                _ = try await store.copy(from: test.store)
                return try await body(store)
            }
        }
    }
}
