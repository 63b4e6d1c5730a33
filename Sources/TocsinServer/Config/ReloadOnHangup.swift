import Foundation
import Logging
import ServiceLifecycle
import TocsinCore
import TocsinStore
import UnixSignals

/// Reloads the policy directory on SIGHUP, as long as the server runs.
struct ReloadOnHangup: Service {
    let policies: ConfigurationStore
    let store: any StateStore
    let clock: any TocsinClock
    let logger: Logger
    /// Runs after a reload that took effect.
    let onReloaded: @Sendable () async -> Void

    func run() async throws {
        let hangups = await UnixSignalsSequence(trapping: .sighup)
        await cancelWhenGracefulShutdown {
            for await _ in hangups {
                if case .success = await policies.reload(logger: logger, audit: store, actor: "tocsin", source: "SIGHUP", now: clock.now) {
                    await onReloaded()
                }
            }
        }
    }
}
