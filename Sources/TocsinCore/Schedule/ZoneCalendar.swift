import Foundation

/// Local wall-clock arithmetic in one time zone, from `TimeZone`'s UTC offsets and civil day
/// numbers: O(1) per call, and the daylight-saving rules are this type's, not `Calendar`'s
/// matching policies (the tests check the two agree wherever a local time is unambiguous).
///
/// "Wall seconds" are the local date and time read as if they were UTC: seconds since
/// 1970-01-01T00:00 local.
struct ZoneCalendar: Sendable, Hashable {
    let zone: TimeZone

    /// The civil day an instant falls on locally, and the seconds since that local midnight.
    func local(_ instant: Date) -> (day: Int, second: Double) {
        let seconds = instant.timeIntervalSince1970
        let wall = seconds + Double(offset(atSeconds: seconds))
        let day = Int((wall / 86_400).rounded(.down))
        return (day, wall - Double(day) * 86_400)
    }

    /// The instant when local civil day `day` reads `second` seconds past midnight.
    ///
    /// - A local time that exists once is that instant.
    /// - A repeated local time (the clocks went back) is its first occurrence, read with the
    ///   offset in force before the change.
    /// - A skipped local time (the clocks went forward) is read with the offset in force before the
    ///   change, which puts it the gap's length later on the wall clock: 01:30 on the UK spring
    ///   change, when 01:00 GMT becomes 02:00 BST, is 01:30 UTC, which reads 02:30 BST.
    func instant(day: Int, second: Int) -> Date {
        let wall = Double(day) * 86_400 + Double(second)
        // An instant whose local time is `wall` lies within 14 hours of `wall` read as UTC, so the
        // offsets a day either side bracket the one change (if any) that skips or repeats it.
        let before = offset(atSeconds: wall - 86_400)
        let after = offset(atSeconds: wall + 86_400)
        let candidates = Set([before, after]).map { wall - Double($0) }
            .filter { wall - $0 == Double(offset(atSeconds: $0)) }
        if let first = candidates.min() {
            return Date(timeIntervalSince1970: first)
        }
        return Date(timeIntervalSince1970: wall - Double(before))
    }

    private func offset(atSeconds seconds: Double) -> Int {
        zone.secondsFromGMT(for: Date(timeIntervalSince1970: seconds))
    }
}
