import Foundation
import Synchronization

/// Lets one waiting task sleep until a deadline or until someone signals new work, whichever
/// comes first. Signals sent while nobody waits are remembered (once).
public final class WakeSignal: Sendable {
    private struct State {
        var pending = false
        var waiter: CheckedContinuation<Void, Never>?
    }

    private let state = Mutex(State())

    public init() {}

    /// Wakes the waiter now, or makes its next wait return at once.
    public func signal() {
        let continuation: CheckedContinuation<Void, Never>? = state.withLock { state in
            if let waiter = state.waiter {
                state.waiter = nil
                return waiter
            }
            state.pending = true
            return nil
        }
        continuation?.resume()
    }

    /// Returns after `timeout`, on a signal, or on cancellation: true unless the timeout came first.
    @discardableResult
    public func wait(timeout: Duration) async -> Bool {
        await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                try? await Task.sleep(for: timeout)
                return Task.isCancelled
            }
            group.addTask {
                await self.waitForSignal()
                return true
            }
            let signaled = await group.next() ?? true
            group.cancelAll()
            return signaled
        }
    }

    private func waitForSignal() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow: Bool = state.withLock { state in
                    if state.pending || Task.isCancelled {
                        state.pending = false
                        return true
                    }
                    state.waiter = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let continuation: CheckedContinuation<Void, Never>? = state.withLock { state in
                defer { state.waiter = nil }
                return state.waiter
            }
            continuation?.resume()
        }
    }
}
