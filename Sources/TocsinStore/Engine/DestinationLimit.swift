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

    /// The destinations with no room left.
    public var saturated: Set<String> {
        Set(inFlight.filter { $0.value >= perDestination }.keys)
    }

    /// The first `limit` of `candidates` (in their order) that fit each destination's room.
    func select(from candidates: [OutboxEntry], limit: Int) -> [OutboxEntry] {
        var taken = inFlight
        var selected: [OutboxEntry] = []
        for entry in candidates where selected.count < limit {
            let destination = entry.destination
            guard taken[destination, default: 0] < perDestination else { continue }
            taken[destination, default: 0] += 1
            selected.append(entry)
        }
        return selected
    }
}
