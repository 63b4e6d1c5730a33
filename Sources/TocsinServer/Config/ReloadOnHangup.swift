import Foundation
import Logging
import ServiceLifecycle
import TocsinStore
import UnixSignals

/// Reloads the policy directory on SIGHUP, as long as the server runs.
struct ReloadOnHangup: Service {
    let policies: ConfigurationStore
    let store: TocsinStore
    let logger: Logger

    func run() async throws {
        let hangups = await UnixSignalsSequence(trapping: .sighup)
        await cancelWhenGracefulShutdown {
            for await _ in hangups {
                _ = await policies.reload(logger: logger, audit: store, actor: "tocsin", source: "SIGHUP", now: Date())
            }
        }
    }
}
