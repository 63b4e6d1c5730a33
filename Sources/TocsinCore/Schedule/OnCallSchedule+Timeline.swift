import Foundation

extension OnCallSchedule {
    /// The resolved timeline over `[from, until)`: who is on call, from which source, segment by
    /// segment, in order and without overlap, with adjacent segments of the same person and source
    /// merged. Stretches with nobody on call are left out (``gaps(from:until:overrides:)`` lists
    /// them). The first and last segments are clipped to the range. Empty when `until <= from`.
    ///
    /// Every segment agrees with ``onCall(at:overrides:)`` at each instant it holds.
    public func shifts(from: Date, until: Date, overrides: [ScheduleOverride] = []) -> [OnCallShift] {
        guard from < until else { return [] }
        var edges: [Date] = [from, until]
        for layer in layers {
            edges += layer.changes(from: from, until: until, in: calendar)
        }
        for override in overrides where override.scheduleName == name && override.from < override.until {
            edges += [override.from, override.until].filter { $0 > from && $0 < until }
        }
        let instants = Array(Set(edges)).sorted()

        var shifts: [OnCallShift] = []
        for (start, end) in zip(instants, instants.dropFirst()) {
            guard let assignment = onCall(at: start, overrides: overrides) else { continue }
            if var last = shifts.last, last.end == start, last.person == assignment.person,
                last.source == assignment.source
            {
                last.end = end
                shifts[shifts.count - 1] = last
            } else {
                shifts.append(OnCallShift(person: assignment.person, source: assignment.source, start: start, end: end))
            }
        }
        return shifts
    }

    /// The stretches of `[from, until)` with nobody on call, in order, each as long as possible.
    /// Empty when someone is on call throughout (or when `until <= from`).
    public func gaps(from: Date, until: Date, overrides: [ScheduleOverride] = []) -> [DateInterval] {
        guard from < until else { return [] }
        var gaps: [DateInterval] = []
        var cursor = from
        for shift in shifts(from: from, until: until, overrides: overrides) {
            if shift.start > cursor { gaps.append(DateInterval(start: cursor, end: shift.start)) }
            cursor = shift.end
        }
        if cursor < until { gaps.append(DateInterval(start: cursor, end: until)) }
        return gaps
    }
}
