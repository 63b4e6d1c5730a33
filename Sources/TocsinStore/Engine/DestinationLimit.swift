import GRDB
import TocsinCore

/// How many deliveries may be in flight to one destination at once (``DeliveryDestination``),
/// and how many are: a claim takes no more than the rest, so a receiver that hangs holds at most
/// `perDestination` workers and pages to every other destination still leave at once.
///
/// A worker delivers a *lane*: up to `pagesPerLane` notifications to one destination, one after
/// another, claimed together, so that a burst to one receiver costs a turn of the dispatcher (a
/// commit) per lane rather than per page. The limit counts lanes.
public struct DestinationLimit: Sendable, Equatable {
    public var perDestination: Int
    /// Lanes in flight now, by destination.
    public var inFlight: [String: Int]
    /// The most notifications one lane carries (1: every claimed notification is a lane of its own).
    public var pagesPerLane: Int

    public init(perDestination: Int, inFlight: [String: Int] = [:], pagesPerLane: Int = 1) {
        self.perDestination = max(1, perDestination)
        self.inFlight = inFlight
        self.pagesPerLane = max(1, pagesPerLane)
    }

    /// Whether `destination` may take another lane now (fewer than `perDestination` in flight).
    public func hasRoom(for destination: String) -> Bool {
        room(for: destination) > 0
    }

    /// How many more notifications `destination` may take in this claim.
    func room(for destination: String) -> Int {
        max(perDestination - inFlight[destination, default: 0], 0) * pagesPerLane
    }

    /// Up to `limit` lanes from `candidates` (in their order): a candidate opens a new lane while
    /// its destination has room for one, and otherwise joins the destination's shortest lane that
    /// is not full, so a destination's lanes share its notifications evenly, each in due order.
    func lanes(from candidates: [ClaimCandidate], limit: Int) -> [[ClaimCandidate]] {
        var lanes: [[ClaimCandidate]] = []
        var lanesOf: [String: [Int]] = [:]
        for candidate in candidates {
            let destination = candidate.destination
            let open = lanesOf[destination, default: []]
            if lanes.count < limit, inFlight[destination, default: 0] + open.count < perDestination {
                lanesOf[destination, default: []].append(lanes.count)
                lanes.append([candidate])
            } else if let shortest = open.min(by: { lanes[$0].count < lanes[$1].count }), lanes[shortest].count < pagesPerLane {
                lanes[shortest].append(candidate)
            }
        }
        return lanes
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

    init(id: Int64, destination: String, dueAt: String) {
        self.id = id
        self.destination = destination
        self.dueAt = dueAt
    }

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

/// The lanes one claim takes, chosen once for both stores from what the store read: the oldest
/// notifications ready (`ready`, at most `window`) and the claims whose lease ran out (`expired`).
/// When the oldest are all bound for destinations at their limit and there may be more, the store
/// seeks the other destinations' oldest through its index by destination (``add(_:)``), rather
/// than reading the whole backlog.
struct LaneChoice {
    private let limit: Int
    private let destinationLimit: DestinationLimit?
    private var candidates: [ClaimCandidate]
    /// The lanes chosen so far, each in due order.
    private(set) var lanes: [[ClaimCandidate]]
    /// Whether the claim should seek more by destination (``add(_:)``).
    let wantsMore: Bool

    init(ready: [ClaimCandidate], expired: [ClaimCandidate], window: Int, limit: Int, destinationLimit: DestinationLimit?) {
        self.limit = limit
        self.destinationLimit = destinationLimit
        candidates = ClaimCandidate.inDueOrder(ready + expired)
        if let destinationLimit {
            lanes = destinationLimit.lanes(from: candidates, limit: limit)
            wantsMore = (ready.count == window || expired.count == window) && lanes.count < limit
        } else {
            lanes = candidates.prefix(limit).map { [$0] }
            wantsMore = false
        }
    }

    /// How many of the candidates so far go to each destination.
    var windowCounts: [String: Int] { ClaimCandidate.counts(of: candidates) }

    /// Chooses again with `found`, the oldest ready notifications of each destination with room.
    mutating func add(_ found: [ClaimCandidate]) {
        guard let destinationLimit else { return }
        let seen = Set(candidates.map(\.id))
        candidates += found.filter { !seen.contains($0.id) }
        lanes = destinationLimit.lanes(from: ClaimCandidate.inDueOrder(candidates), limit: limit)
    }
}
