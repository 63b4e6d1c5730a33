import Foundation
import Synchronization
import TocsinCore

/// Keeps a flood of failed authentications from becoming a flood of audit writes: at most one
/// entry per client address per minute; the next entry says how many went unrecorded meanwhile.
public final class FailedAuthenticationLog: Sendable {
    static let window: TimeInterval = 60
    private let recent = Mutex<[String: (recordedAt: Date, suppressed: Int)]>([:])

    init() {}

    /// Nil when a failure from `client` was recorded within the window (this one is counted);
    /// otherwise how many failures went unrecorded since the previous entry.
    func admit(client: String, now: Date) -> Int? {
        recent.withLock { clients in
            if clients.count > 10_000 {
                clients = clients.filter { now.timeIntervalSince($0.value.recordedAt) < Self.window }
            }
            if let last = clients[client], now.timeIntervalSince(last.recordedAt) < Self.window {
                clients[client] = (last.recordedAt, last.suppressed + 1)
                return nil
            }
            let earlier = clients[client]?.suppressed ?? 0
            clients[client] = (now, 0)
            return earlier
        }
    }
}
