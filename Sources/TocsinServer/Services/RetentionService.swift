import Foundation
import Logging
import Metrics
import ServiceLifecycle
import TocsinCore
import TocsinStore

/// Keeps the database from growing forever: every ten minutes (the first time a minute after
/// start) it deletes incidents resolved longer ago than `serve --retention` (with their alerts,
/// timelines and notifications) and, with `--audit-retention`, older audit events. It deletes in
/// small batches (at most 200 incidents and about 5,000 alerts), each its own short transaction
/// with a pause after it, so ingestion and the
/// escalator never wait long behind it.
public final class RetentionService: Service, Sendable {
    let store: any StateStore
    let clock: any TocsinClock
    /// How long resolved incidents are kept; nil keeps them forever.
    let incidents: TimeInterval?
    /// How long audit events are kept; nil keeps them forever (the default).
    let auditEvents: TimeInterval?
    let logger: Logger
    static let firstPass: Duration = .seconds(60)
    static let interval: Duration = .seconds(600)
    static let batch = 200

    public init(store: any StateStore, clock: any TocsinClock, incidents: TimeInterval?, auditEvents: TimeInterval?, logger: Logger) {
        self.store = store
        self.clock = clock
        self.incidents = incidents
        self.auditEvents = auditEvents
        self.logger = logger
    }

    public func run() async throws {
        guard incidents != nil || auditEvents != nil else {
            // Nothing to delete: stay until shutdown (a service that returns ends the server).
            try? await gracefulShutdown()
            return
        }
        await cancelWhenGracefulShutdown {
            var wait = Self.firstPass
            while !Task.isCancelled {
                do {
                    try await Task.sleep(for: wait)
                } catch {
                    return
                }
                wait = Self.interval
                do {
                    _ = try await self.pass()
                } catch {
                    self.logger.error("retention pass failed; trying again later", metadata: ["error": "\(error)"])
                }
            }
        }
    }

    /// One pass: deletes everything past its retention, batch by batch. Returns what it deleted.
    @discardableResult
    public func pass() async throws -> (incidents: Int, auditEvents: Int) {
        var deleted = (incidents: 0, auditEvents: 0)
        if let incidents {
            let cutoff = clock.now.addingTimeInterval(-incidents)
            while true {
                let count = try await store.deleteResolvedIncidents(resolvedBefore: cutoff, limit: Self.batch, maxAlerts: 5_000)
                deleted.incidents += count
                if count == 0 { break }
                try await Task.sleep(for: .milliseconds(20))  // let the writer serve requests between batches
            }
        }
        if let auditEvents {
            let cutoff = clock.now.addingTimeInterval(-auditEvents)
            while true {
                let count = try await store.deleteAuditEvents(before: cutoff, limit: Self.batch * 5)
                deleted.auditEvents += count
                if count < Self.batch * 5 { break }
                try await Task.sleep(for: .milliseconds(20))
            }
        }
        Counter(label: "tocsin_retention_deleted_total", dimensions: [("kind", "incidents")]).increment(by: deleted.incidents)
        Counter(label: "tocsin_retention_deleted_total", dimensions: [("kind", "audit_events")]).increment(by: deleted.auditEvents)
        if deleted.incidents + deleted.auditEvents > 0 {
            logger.info(
                "retention: deleted old records",
                metadata: ["incidents": "\(deleted.incidents)", "audit_events": "\(deleted.auditEvents)"])
        }
        return deleted
    }
}
