import GRDB
import TocsinCore

/// How many deliveries may be in flight to one destination at once (``DeliveryDestination``),
/// and how many are: a claim takes no more than the rest, so a receiver that hangs holds at most
/// `perDestination` workers and pages to every other destination still leave at once.
public struct DestinationLimit: Sendable, Equatable {
    public var perDestination: Int
    /// Deliveries in flight now, by destination.
    public var inFlight: [String: Int]

    public init(perDestination: Int, inFlight: [String: Int] = [:]) {
        self.perDestination = max(1, perDestination)
        self.inFlight = inFlight
    }

    /// The first `limit` of `candidates` (in their order) that fit each destination's room.
    func select(from candidates: [ClaimCandidate], limit: Int) -> [ClaimCandidate] {
        var taken = inFlight
        var selected: [ClaimCandidate] = []
        for entry in candidates where selected.count < limit {
            let destination = entry.destination
            guard taken[destination, default: 0] < perDestination else { continue }
            taken[destination, default: 0] += 1
            selected.append(entry)
        }
        return selected
    }
}

/// A notification ready to go, as much of it as a claim reads to choose: the rows chosen are read
/// whole only when they are claimed.
struct ClaimCandidate: FetchableRecord {
    var id: Int64
    /// ``DeliveryDestination`` of the notification, as stored with it.
    var destination: String
    /// The due time as stored (text that sorts as time does).
    var dueAt: String

    init(row: Row) {
        id = row[0]
        destination = row[1]
        dueAt = row[2]
    }

    static func inDueOrder(_ candidates: [ClaimCandidate]) -> [ClaimCandidate] {
        candidates.sorted { ($0.dueAt, $0.id) < ($1.dueAt, $1.id) }
    }

    static func counts(of candidates: [ClaimCandidate]) -> [String: Int] {
        candidates.reduce(into: [:]) { counts, candidate in counts[candidate.destination, default: 0] += 1 }
    }
}
