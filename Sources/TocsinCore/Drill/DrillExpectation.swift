import Foundation

/// What a drill requires of the deliveries, checked by ``DrillExpectation/evaluate(_:)``.
///
/// Targets are names as in the policy files: `alice` matches `person:alice`, `team-chat` matches
/// `channel:team-chat`, an address matches `email:…`.
public enum DrillExpectation: Sendable, Equatable {
    /// `target` receives a notification (of `event`, by `via`, when given) no earlier than
    /// `notBefore` and no later than `within` seconds after the start (`count: 0`: none at all); with `count`, exactly that
    /// many such notifications arrive (per contact method) during the whole drill.
    case notified(target: String, via: Medium?, event: NotificationEvent?, notBefore: TimeInterval, within: TimeInterval?, count: Int?)
    /// `target` is never paged (triggered, escalated or reminder) after `after` seconds.
    case notPaged(target: String, after: TimeInterval)
    /// Everyone who received a page also receives a resolved notice.
    case resolvedNoticeToEveryonePaged

    /// The outcome of one expectation.
    public struct Result: Sendable, Equatable, Codable {
        public var met: Bool
        public var expected: String
        public var actual: String
    }

    /// Checks the expectation against what was delivered.
    public func evaluate(_ deliveries: [DrillDelivery]) -> Result {
        switch self {
        case .notified(let target, let via, let event, let notBefore, let within, let count):
            let matching = deliveries.filter { delivery in
                Self.matches(delivery.target, target) && (via == nil || delivery.medium == via)
                    && (event == nil || delivery.event == event) && delivery.offset >= notBefore
            }
            var expected = "\(event?.rawValue ?? "a notification") to \(target)" + (via.map { " by \($0)" } ?? "")
            if notBefore > 0 { expected += " not before +\(PolicyDuration.format(notBefore))" }
            if let within { expected += " within +\(PolicyDuration.format(within))" }
            if count == 0 {
                // `count: 0`: none at all (a call the acknowledgement cancelled).
                return Result(
                    met: matching.isEmpty, expected: expected + ", none",
                    actual: matching.first.map { "one at +\(Self.format($0.offset)) by \($0.medium)" } ?? "none arrived")
            }
            guard let first = matching.first else {
                return Result(met: false, expected: expected, actual: "none arrived")
            }
            var met = within.map { first.offset <= $0 } ?? true
            var actual = "first at +\(Self.format(first.offset)) by \(first.medium)"
            if let count {
                expected += ", \(count) per contact method"
                let perMedium = Dictionary(grouping: matching, by: \.medium).mapValues(\.count)
                met = met && perMedium.values.allSatisfy { $0 == count }
                actual += "; " + perMedium.keys.sorted().map { "\(perMedium[$0] ?? 0) by \($0)" }.joined(separator: ", ")
            }
            return Result(met: met, expected: expected, actual: actual)
        case .notPaged(let target, let after):
            let pages = deliveries.filter {
                Self.matches($0.target, target) && $0.offset > after && [.triggered, .escalated, .reminder].contains($0.event)
            }
            return Result(
                met: pages.isEmpty, expected: "no page to \(target) after +\(PolicyDuration.format(after))",
                actual: pages.first.map { "\($0.event.rawValue) at +\(Self.format($0.offset))" } ?? "none")
        case .resolvedNoticeToEveryonePaged:
            let paged = Set(deliveries.filter(\.event.isPage).map { "\($0.target) by \($0.medium)" })
            let told = Set(deliveries.filter { $0.event == .resolved }.map { "\($0.target) by \($0.medium)" })
            let missing = paged.subtracting(told).sorted()
            return Result(
                met: !paged.isEmpty && missing.isEmpty, expected: "a resolved notice to everyone paged (\(paged.count))",
                actual: missing.isEmpty ? "\(told.count) told" : "not told: \(missing.joined(separator: ", "))")
        }
    }

    static func matches(_ target: String, _ name: String) -> Bool {
        target == name || target.hasSuffix(":\(name)")
    }

    static func format(_ seconds: TimeInterval) -> String {
        seconds < 60 ? String(format: "%.1fs", seconds) : PolicyDuration.format(seconds)
    }
}
