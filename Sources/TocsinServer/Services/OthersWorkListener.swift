import ServiceLifecycle
import TocsinStore

/// Wakes this instance's escalator and dispatcher when another instance sharing the database
/// announces new work (PostgreSQL's `LISTEN`), so a timer or a page it left is run here at once if
/// that instance dies, not at the next periodic look.
struct OthersWorkListener: Service {
    let announcements: any WorkAnnouncements
    let wake: @Sendable () -> Void

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await announcements.listenForOthersWork(wake)
        }
    }
}
