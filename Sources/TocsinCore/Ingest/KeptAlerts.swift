/// Which alerts of a payload an incident keeps when the payload has more than it keeps: firing
/// ones before resolved ones, the most severe first, then in the order they came. The others are
/// counted as truncated. So in a storm of warnings a critical alert is kept (and routed, and
/// pages), and a group that is still firing is never taken for resolved because its first alerts
/// had resolved.
///
/// Alerts are added one at a time and at most `keep` are ever held, so reading a huge payload
/// costs the alerts kept, not the alerts sent.
///
/// Until the payload overflows, alerts are simply held in order; they are ranked only once it
/// does, so an ordinary payload pays nothing for the choice.
struct KeptAlerts {
    let keep: Int
    /// The alerts held while there is room, in order.
    private var inOrder: [AlertmanagerWebhook.WireAlert] = []
    /// Once the payload overflowed: the alerts held, by rank (0 first), each with its place in the payload.
    private var byRank: [[(index: Int, alert: AlertmanagerWebhook.WireAlert)]] = []
    /// How many alerts were left out.
    private(set) var dropped = 0

    /// Ranks: firing critical … firing without a known severity, then resolved ones likewise.
    private static let severityRanks = 6

    init(keep: Int) {
        self.keep = max(0, keep)
    }

    static func rank(of alert: AlertmanagerWebhook.WireAlert) -> Int {
        let severity = alert.labels?["severity"].map { Severity(label: $0).rank } ?? 0
        let byStatus = alert.status == AlertStatus.firing.rawValue ? 0 : severityRanks
        return byStatus + (severityRanks - 1 - min(max(severity, 0), severityRanks - 1))
    }

    /// Offers the alert at `index`: held if there is room or it outranks one held (which is
    /// then dropped), else dropped.
    mutating func add(_ alert: AlertmanagerWebhook.WireAlert, index: Int) {
        if byRank.isEmpty {
            if inOrder.count < keep {
                inOrder.append(alert)
                return
            }
            // The first alert past the room: rank what is held (indices are their places so far).
            byRank = Array(repeating: [], count: 2 * Self.severityRanks)
            for (place, held) in inOrder.enumerated() {
                byRank[Self.rank(of: held)].append((place, held))
            }
            inOrder = []
        }
        let rank = Self.rank(of: alert)
        // Full: make room by dropping the latest-come of the lowest rank below this one.
        guard let lowest = byRank.indices.last(where: { !byRank[$0].isEmpty }), lowest > rank else {
            dropped += 1
            return
        }
        byRank[lowest].removeLast()
        byRank[rank].append((index, alert))
        dropped += 1
    }

    /// The alerts held, in the order they came.
    var alerts: [AlertmanagerWebhook.WireAlert] {
        byRank.isEmpty ? inOrder : byRank.joined().sorted { $0.index < $1.index }.map(\.alert)
    }
}
