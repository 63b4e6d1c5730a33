import Foundation
import Testing
import TocsinCore
import TocsinStore
import TocsinTestSupport

/// Settings and the link-signing key, proved on both stores.
@Suite("Settings and the link-signing key, on SQLite and PostgreSQL")
struct ServerSettingsStoreTests {
    let t0 = Date(timeIntervalSince1970: 1_795_800_000)

    @Test("a setting is made once, with the first value asked for, however many ask at the same moment", arguments: TestBackend.allCases)
    func settingOnce(backend: TestBackend) async throws {
        try await backend.withStore { (store: any StateStore) async throws in
            let values = try await withThrowingTaskGroup(of: String.self) { group in
                for index in 0..<6 {
                    group.addTask { try await store.setting("instance_name", orInsert: "value-\(index)") }
                }
                return try await group.reduce(into: [String]()) { $0.append($1) }
            }
            #expect(Set(values).count == 1, "\(values)")
            #expect(try await store.setting("instance_name", orInsert: "later") == values.first)
        }
    }

    @Test("the link key is made on first use, kept, and replaced by a rotation that is audited", arguments: TestBackend.allCases)
    func linkKey(backend: TestBackend) async throws {
        try await backend.withStore { store in
            let key = try await store.linkSigningKey()
            #expect(key.count == 64)
            #expect(try await store.linkSigningKey() == key)
            try await store.rotateLinkSigningKey(by: "root", source: "cli", now: t0)
            let rotated = try await store.linkSigningKey()
            #expect(rotated != key && rotated.count == 64)
            let trail = try await store.auditEvents(since: .distantPast)
            #expect(trail.map(\.kind) == [.linkKeyRotated] && trail.first?.actor == "root")
        }
    }

    @Test("access is revoked when a user's every token is: an unknown name is not revoked", arguments: TestBackend.allCases)
    func accessRevoked(backend: TestBackend) async throws {
        try await backend.withStore { store in
            _ = try await store.addUser(name: "ann", email: "ann@example.com", tokenHash: "h1", scopes: [.read], now: t0)
            #expect(try await store.accessRevoked(userName: "ann") == false)
            _ = try await store.revokeTokens(userName: "ann", now: t0)
            #expect(try await store.accessRevoked(userName: "ann") == true)
            _ = try await store.addToken(userName: "ann", tokenHash: "h2", scopes: [.read], now: t0)
            #expect(try await store.accessRevoked(userName: "ann") == false)
            #expect(try await store.accessRevoked(userName: "nobody") == false)
        }
    }
}
