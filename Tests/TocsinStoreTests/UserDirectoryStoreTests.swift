import Foundation
import Testing
import TocsinCore
import TocsinStore
import TocsinTestSupport

/// Users, tokens and the audit trail, proved on both stores.
@Suite("Users, tokens and the audit trail, on SQLite and PostgreSQL")
struct UserDirectoryStoreTests {
    let t0 = Date(timeIntervalSince1970: 1_795_800_000.123)

    @Test("a user comes with a first token that authenticates with its scopes; issuing it is audited", arguments: TestBackend.allCases)
    func addUser(backend: TestBackend) async throws {
        try await backend.withStore { store in
            let ann = try await store.addUser(name: "ann", email: "ann@example.com", tokenHash: "h1", scopes: [.read, .respond], now: t0)
            #expect(ann.id != nil && ann.name == "ann" && ann.createdAt == t0)
            #expect(try await store.users() == [ann])
            let authenticated = try await store.authenticate(tokenHash: "h1")
            #expect(authenticated?.user == ann && authenticated?.scopes == [.read, .respond])
            #expect(try await store.authenticate(tokenHash: "h2") == nil)
            let trail = try await store.auditEvents(since: .distantPast)
            #expect(trail.map(\.kind) == [.tokenCreated])
            #expect(trail.first?.actor == "ann" && trail.first?.at == t0)
            #expect(trail.first?.detail.hasSuffix(" for ann, scopes read,respond") == true)
        }
    }

    @Test("a name already taken is refused and changes nothing", arguments: TestBackend.allCases)
    func duplicateName(backend: TestBackend) async throws {
        try await backend.withStore { store in
            let ann = try await store.addUser(name: "ann", email: "ann@example.com", tokenHash: "h1", scopes: [.read], now: t0)
            await #expect {
                try await store.addUser(name: "ann", email: "other@example.com", tokenHash: "h2", scopes: [.admin], now: t0)
            } throws: { error in
                guard case StoreError.conflict(let message) = error else { return false }
                return message == "a user named \"ann\" already exists"
            }
            #expect(try await store.users() == [ann])
            #expect(try await store.authenticate(tokenHash: "h2") == nil)
            #expect(try await store.auditEvents(since: .distantPast).count == 1)
        }
    }

    @Test("two adds of one name at the same moment: one user, the other refused", arguments: TestBackend.allCases)
    func concurrentAdds(backend: TestBackend) async throws {
        try await backend.withStore { (store: any StateStore) async throws in
            let outcomes = await withTaskGroup(of: Bool.self) { group in
                for index in 0..<6 {
                    group.addTask {
                        (try? await store.addUser(name: "ann", email: "ann@example.com", tokenHash: "h\(index)", scopes: [.read], now: t0)) != nil
                    }
                }
                return await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            #expect(outcomes.filter { $0 }.count == 1)
            #expect(try await store.users().map(\.name) == ["ann"])
            #expect(try await store.auditEvents(since: .distantPast).count == 1)
        }
    }

    @Test("another token for a user; a user who does not exist is refused by name, nothing stored", arguments: TestBackend.allCases)
    func addToken(backend: TestBackend) async throws {
        try await backend.withStore { store in
            let ann = try await store.addUser(name: "ann", email: "ann@example.com", tokenHash: "h1", scopes: [.read], now: t0)
            #expect(try await store.addToken(userName: "ann", tokenHash: "h2", scopes: [.ingest], now: t0.addingTimeInterval(1)) == ann)
            #expect(try await store.authenticate(tokenHash: "h1")?.scopes == [.read])
            #expect(try await store.authenticate(tokenHash: "h2")?.scopes == [.ingest])
            await #expect {
                try await store.addToken(userName: "zed", tokenHash: "h3", scopes: [.admin], now: t0)
            } throws: { error in
                guard case StoreError.notFound(let what, let id) = error else { return false }
                return what == "user" && id == "zed"
            }
            #expect(try await store.authenticate(tokenHash: "h3") == nil)
            #expect(try await store.auditEvents(since: .distantPast).count == 2)
        }
    }

    @Test("revoking ends every token of the user at once, audited with the count", arguments: TestBackend.allCases)
    func revoke(backend: TestBackend) async throws {
        try await backend.withStore { store in
            _ = try await store.addUser(name: "ann", email: "ann@example.com", tokenHash: "h1", scopes: [.read], now: t0)
            _ = try await store.addUser(name: "bob", email: "bob@example.com", tokenHash: "b1", scopes: [.read], now: t0)
            _ = try await store.addToken(userName: "ann", tokenHash: "h2", scopes: [.admin], now: t0)
            #expect(try await store.revokeTokens(userName: "ann", now: t0.addingTimeInterval(5)) == 2)
            #expect(try await store.authenticate(tokenHash: "h1") == nil)
            #expect(try await store.authenticate(tokenHash: "h2") == nil)
            #expect(try await store.authenticate(tokenHash: "b1")?.user.name == "bob")
            #expect(try await store.revokeTokens(userName: "ann", now: t0.addingTimeInterval(6)) == 0)
            let revocations = try await store.auditEvents(since: .distantPast).filter { $0.kind == .tokenRevoked }
            #expect(revocations.map(\.detail) == ["2 tokens of ann revoked", "0 tokens of ann revoked"])
            await #expect(throws: StoreError.self) { try await store.revokeTokens(userName: "zed", now: t0) }
            #expect(try await store.users().map(\.name) == ["ann", "bob"])
        }
    }

    @Test("the trail reads from a time, oldest first, the newest when limited", arguments: TestBackend.allCases)
    func auditEvents(backend: TestBackend) async throws {
        try await backend.withStore { store in
            for minute in 0..<5 {
                try await store.audit(
                    AuditEvent(at: t0.addingTimeInterval(Double(minute) * 60), kind: .configReloaded, actor: "system", source: "sighup",
                               detail: "reload \(minute)"))
            }
            let all = try await store.auditEvents(since: .distantPast)
            #expect(all.map(\.detail) == (0..<5).map { "reload \($0)" })
            #expect(all.allSatisfy { $0.id != nil && $0.source == "sighup" })
            #expect(try await store.auditEvents(since: t0.addingTimeInterval(120)).map(\.detail) == ["reload 2", "reload 3", "reload 4"])
            #expect(try await store.auditEvents(since: .distantPast, limit: 2).map(\.detail) == ["reload 3", "reload 4"])
        }
    }

    @Test("failed authentications: one entry per address per minute; the next one counts those not written", arguments: TestBackend.allCases)
    func collapsedFailures(backend: TestBackend) async throws {
        try await backend.withStore { store in
            for second in 0..<5 {
                await store.auditFailedAuthentication(client: "192.0.2.7", detail: "bad token", now: t0.addingTimeInterval(Double(second)))
            }
            await store.auditFailedAuthentication(client: "192.0.2.8", detail: "bad token", now: t0.addingTimeInterval(10))
            await store.auditFailedAuthentication(client: "192.0.2.7", detail: "bad token", now: t0.addingTimeInterval(61))
            let trail = try await store.auditEvents(since: .distantPast)
            #expect(trail.map(\.source) == ["192.0.2.7", "192.0.2.8", "192.0.2.7"])
            #expect(trail.map(\.detail) == [
                "bad token", "bad token", "bad token (and 4 more from this address since the previous entry)",
            ])
        }
    }

    @Test("a time is kept to the millisecond: an event is found from exactly its own time", arguments: TestBackend.allCases)
    func millisecondTimes(backend: TestBackend) async throws {
        try await backend.withStore { store in
            // Times whose milliseconds are not exact in binary (…0.123, …0.999) come back equal.
            let times = (0..<40).map { t0.addingTimeInterval(Double($0) * 3.017 + 0.001) }
            for (index, time) in times.enumerated() {
                try await store.audit(AuditEvent(at: time, kind: .configReloaded, actor: "system", source: "test", detail: "\(index)"))
            }
            for (index, time) in times.enumerated() {
                let found = try await store.auditEvents(since: time, limit: 1000)
                #expect(found.first?.detail == "\(index)", "event \(index) at \(time.timeIntervalSince1970)")
                #expect(found.first?.at == time.addingTimeInterval(0).roundedToMilliseconds)
            }
        }
    }
}

extension Date {
    fileprivate var roundedToMilliseconds: Date { Date(timeIntervalSince1970: (timeIntervalSince1970 * 1000).rounded() / 1000) }
}
