import Foundation
import Logging
import Synchronization
import TocsinCore
import TocsinStore

/// The running configuration, swapped atomically on reload.
///
/// A reload that finds problems keeps the running configuration and reports why.
public final class ConfigurationStore: Sendable {
    private let current: Mutex<TocsinConfiguration>
    /// The policy directory reloads read from.
    public let directory: String

    public init(directory: String, initial: TocsinConfiguration) {
        self.directory = directory
        self.current = Mutex(initial)
    }

    /// The configuration in force.
    public var configuration: TocsinConfiguration {
        current.withLock { $0 }
    }

    /// Reads the directory again, as `actor` asked from `source`, and records it in the audit trail.
    public func reload(
        logger: Logger, audit store: any StateStore, actor: String, source: String, now: Date
    ) async -> Result<TocsinConfiguration, PolicyDirectory.InvalidConfiguration> {
        let result = reload(logger: logger, now: now)
        let event: AuditEvent
        switch result {
        case .success(let loaded):
            event = AuditEvent(
                at: now, kind: .configReloaded, actor: actor, source: source,
                detail: "\(loaded.policies.count) policies, \(loaded.routes.count) routes, \(loaded.schedules.count) schedules")
        case .failure(let error):
            event = AuditEvent(
                at: now, kind: .configReloadFailed, actor: actor, source: source,
                detail: "\(error.problems.count) problems; kept the running configuration")
        }
        do {
            try await store.audit(event)
        } catch {
            logger.error("could not record the reload in the audit trail", metadata: ["error": "\(error)"])
        }
        return result
    }

    /// Reads the directory again at `now`; on success the new configuration takes effect for new incidents.
    public func reload(logger: Logger, now: Date) -> Result<TocsinConfiguration, PolicyDirectory.InvalidConfiguration> {
        do {
            let loaded = try PolicyDirectory.load(directory)
            current.withLock { $0 = loaded }
            ServerMetrics.reloaded(success: true, at: now)
            logger.info(
                "configuration reloaded",
                metadata: ["policies": "\(loaded.policies.count)", "routes": "\(loaded.routes.count)", "people": "\(loaded.people.count)"])
            return .success(loaded)
        } catch {
            ServerMetrics.reloaded(success: false, at: now)
            logger.error("configuration reload failed; keeping the running configuration", metadata: ["problems": "\(error)"])
            return .failure(error)
        }
    }
}
