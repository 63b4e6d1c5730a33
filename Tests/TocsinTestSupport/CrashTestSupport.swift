import Foundation
import TocsinCore
import TocsinStore

/// What the crash tests read back once the killing is over.
public enum CrashTestSupport {
    /// Waits (at most 600 polls of 100 ms) until nothing waits in the outbox and no escalation step
    /// is due; false if that never happened.
    public static func waitUntilQuiet(_ store: any StateStore) async throws -> Bool {
        for _ in 0..<600 {
            let outbox = try await store.operationalCounts().outbox
            let waiting = ["pending", "retry", "sending"].reduce(0) { $0 + (outbox[$1] ?? 0) }
            if waiting == 0, try await store.nextEscalationDue() == nil { return true }
            try await Task.sleep(for: .milliseconds(100))
        }
        return false
    }

    /// Every incident in the store, by group key, read page by page.
    public static func allIncidents(in store: any StateStore) async throws -> [String: Incident] {
        var incidents: [String: Incident] = [:]
        var before: Int64?
        repeat {
            let page = try await store.incidents(filter: .all, limit: TocsinStore.maxPageSize, before: before)
            for incident in page.incidents { incidents[incident.groupKey] = incident }
            before = page.nextBefore
        } while before != nil
        return incidents
    }

    /// The idempotency key of every page the receiver got, one per delivery (repeats included).
    public static func receivedKeys(_ receiver: PeerProcess) -> [String] {
        receiver.records().compactMap { record in
            guard let body = record["body"] as? String,
                let object = try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any]
            else { return nil }
            return object["idempotency_key"] as? String
        }
    }
}
