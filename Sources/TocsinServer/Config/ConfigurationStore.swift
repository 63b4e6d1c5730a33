import Foundation
import Logging
import TocsinCore

/// The running configuration, swapped atomically on reload.
///
/// A reload that finds problems keeps the running configuration and reports why.
public final class ConfigurationStore: @unchecked Sendable {
    private let lock = NSLock()
    private var current: TocsinConfiguration
    /// The policy directory reloads read from.
    public let directory: String

    public init(directory: String, initial: TocsinConfiguration) {
        self.directory = directory
        self.current = initial
    }

    /// The configuration in force.
    public var configuration: TocsinConfiguration {
        lock.withLock { current }
    }

    /// Reads the directory again; on success the new configuration takes effect for new incidents.
    public func reload(logger: Logger) -> Result<TocsinConfiguration, PolicyDirectory.InvalidConfiguration> {
        do {
            let loaded = try PolicyDirectory.load(directory)
            lock.withLock { current = loaded }
            ServerMetrics.reloaded(success: true, at: Date())
            logger.info(
                "configuration reloaded",
                metadata: ["policies": "\(loaded.policies.count)", "routes": "\(loaded.routes.count)", "people": "\(loaded.people.count)"])
            return .success(loaded)
        } catch {
            ServerMetrics.reloaded(success: false, at: Date())
            logger.error("configuration reload failed; keeping the running configuration", metadata: ["problems": "\(error)"])
            return .failure(error)
        }
    }
}
