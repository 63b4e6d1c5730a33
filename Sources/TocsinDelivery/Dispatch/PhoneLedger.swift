import Foundation
import Synchronization
import TocsinStore

/// The phone rate limit's account of the texts and calls this process sent, or is sending, to each
/// number in the last hour. Attempts reach the database a turn after they finish, and a lane sends
/// its pages one after another, so a count read from the database alone lags; two workers could
/// also both take the hour's last text. Here a decision and its reservation are one step, and what
/// processes before this one sent comes from the database (attempts finished before it started).
final class PhoneLedger: Sendable {
    /// What a text or call to a number may do now.
    enum Decision: Equatable {
        /// Go ahead; the reservation (its id) counts at once.
        case send(reservation: Int)
        /// Send the hour's one notice that texts are held back, in its place.
        case notice(reservation: Int)
        /// Held back: `used` texts and calls this hour reached the limit, and the notice went out.
        case hold(used: Int)
    }

    private struct Reservation {
        var id: Int
        var at: Date
    }

    private struct State {
        var sends: [String: [Reservation]] = [:]
        var notices: [String: Reservation] = [:]
        var lastID = 0
    }

    private let state = Mutex(State())

    /// Decides for one text or call to `address` at `now`, given `earlier`, what the database
    /// holds from before this process started, and reserves what it allows.
    func reserve(address: String, now: Date, limit: Int, earlier: PhoneUsage) -> Decision {
        state.withLock { state in
            let hourAgo = now.addingTimeInterval(-3600)
            let sends = (state.sends[address] ?? []).filter { $0.at >= hourAgo }
            state.sends[address] = sends.isEmpty ? nil : sends
            if let notice = state.notices[address], notice.at < hourAgo {
                state.notices[address] = nil
            }
            state.lastID += 1
            let reservation = Reservation(id: state.lastID, at: now)
            let used = earlier.sent + sends.count
            if used < limit {
                state.sends[address, default: []].append(reservation)
                return .send(reservation: reservation.id)
            }
            if !earlier.noticeSent, state.notices[address] == nil {
                state.notices[address] = reservation
                return .notice(reservation: reservation.id)
            }
            return .hold(used: used)
        }
    }

    /// Gives back a reservation whose text or call Twilio did not take.
    func cancel(_ id: Int, address: String) {
        state.withLock { state in
            state.sends[address]?.removeAll { $0.id == id }
            if state.sends[address]?.isEmpty == true {
                state.sends[address] = nil
            }
            if state.notices[address]?.id == id {
                state.notices[address] = nil
            }
        }
    }
}
