import Foundation
import Logging
import PostgresNIO

/// Wake-ups between instances sharing a database: a transaction that leaves new work (a timer, a
/// notification, a retry, a window) announces it (`NOTIFY`, delivered at its commit), and every
/// other instance's loops look at once instead of at their next periodic look.
public protocol WorkAnnouncements: Sendable {
    /// Calls `wake` whenever another instance announces work, until the task is cancelled;
    /// reconnects when the connection is lost (meanwhile, the loops' periodic looks stand in).
    func listenForOthersWork(_ wake: @escaping @Sendable () -> Void) async
}

extension PostgresStore: WorkAnnouncements {
    /// The channel work is announced on.
    static let workChannel = "tocsin_work"

    public func listenForOthersWork(_ wake: @escaping @Sendable () -> Void) async {
        let instance = instanceID
        while !Task.isCancelled {
            do {
                try await client.withConnection { connection in
                    try await connection.listen(on: Self.workChannel) { notifications in
                        wake()  // (re)connected: whatever was announced meanwhile is looked at
                        for try await notification in notifications where notification.payload != instance {
                            wake()
                        }
                    }
                }
            } catch {
                if Task.isCancelled { return }
                logger.warning("listening for other instances' work failed; retrying", metadata: ["error": "\(error)"])
            }
            try? await Task.sleep(for: .seconds(1))
        }
    }
}

extension PostgresWork {
    /// Tells the other instances that this transaction leaves work for their loops (at its commit).
    func announceWork() async throws {
        guard !afterCommit.workAnnounced else { return }
        afterCommit.workAnnounced = true
        try await query("SELECT pg_notify($1, $2)", bindings(PostgresStore.workChannel, store.instanceID))
    }
}
