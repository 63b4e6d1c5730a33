import ServiceLifecycle
import TocsinStore

/// Keeps a ``DatabaseClock``'s offset to the database server's clock measured while Tocsin runs.
struct DatabaseClockService: Service {
    let clock: DatabaseClock

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await clock.track()
        }
    }
}
