import Logging
import ServiceLifecycle
import UnixSignals

/// Reloads the policy directory on SIGHUP, as long as the server runs.
struct ReloadOnHangup: Service {
    let policies: ConfigurationStore
    let logger: Logger

    func run() async throws {
        let hangups = await UnixSignalsSequence(trapping: .sighup)
        await cancelWhenGracefulShutdown {
            for await _ in hangups {
                _ = policies.reload(logger: logger)
            }
        }
    }
}
