import Foundation
import Logging
import PostgresNIO
import Synchronization
import TocsinCore

/// The PostgreSQL server's clock, read through this host's: several instances compare due times
/// against one clock, so an instance whose own clock drifts neither runs steps early nor late.
///
/// The offset between the two clocks is measured at start and again every minute (``track()``),
/// NTP-fashion: the server's time is taken to be read halfway through the round trip. Between
/// measurements the host's clock carries time forward.
public final class DatabaseClock: TocsinClock, Sendable {
    /// Seconds to add to this host's clock to read the server's.
    private let offset = Mutex<TimeInterval>(0)
    private let store: PostgresStore

    init(store: PostgresStore) {
        self.store = store
    }

    public var now: Date { Date().addingTimeInterval(offset.withLock { $0 }) }

    /// Seconds the server's clock is ahead of this host's (behind, when negative), as last measured.
    public var measuredOffset: TimeInterval { offset.withLock { $0 } }

    /// The server's clock ahead of this host's by this much, given a reading `server` taken
    /// between `sent` and `received` on this host.
    static func offset(sent: Date, received: Date, server: Date) -> TimeInterval {
        server.timeIntervalSince(sent.addingTimeInterval(received.timeIntervalSince(sent) / 2))
    }

    /// Measures the offset once.
    public func measure() async throws(StoreError) {
        let store = store
        let measured = try await store.reading { connection, logger in
            let sent = Date()
            let rows = try await connection.query("SELECT clock_timestamp()", logger: logger).decode(Date.self).all()
            let received = Date()
            guard let server = rows.first else { throw StoreError.database("the server did not say its time") }
            return Self.offset(sent: sent, received: received, server: server)
        }
        offset.withLock { $0 = measured }
    }

    /// Measures the offset every `interval` until the task is cancelled; a failed measurement keeps the last one.
    public func track(every interval: Duration = .seconds(60)) async {
        while !Task.isCancelled {
            do {
                try await measure()
            } catch {
                store.logger.warning("could not read the database's clock; keeping the last offset", metadata: ["error": "\(error)"])
            }
            try? await Task.sleep(for: interval)
        }
    }
}

extension PostgresStore {
    /// The database server's clock, its offset measured once now (``DatabaseClock``).
    public func clock() async throws(StoreError) -> DatabaseClock {
        let clock = DatabaseClock(store: self)
        try await clock.measure()
        return clock
    }
}
