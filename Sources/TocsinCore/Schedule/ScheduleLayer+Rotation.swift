import Foundation

/// One person's turn in a layer's rotation: turn 0 is the first, with `people[0]`.
struct LayerTurn: Sendable, Hashable {
    var index: Int
    var person: String
    var start: Date
    var end: Date
}

extension ScheduleLayer {
    /// Bounds the turn estimate for instants absurdly far from the start (2^50 turns).
    private static let indexLimit = Double(1 << 50)

    /// The instant turn `index` begins (turn 0 is the first; negative indices lie before the start
    /// and are only used to bracket instants).
    ///
    /// `.daily` and `.weekly`: the handoff local time on the local date `start + index × days`,
    /// resolved by ``ZoneCalendar/instant(day:second:)``. `.duration`: the first handoff plus
    /// `index × duration` seconds.
    func handoffInstant(turn index: Int, in calendar: ZoneCalendar) -> Date {
        switch shift {
        case .daily, .weekly:
            let days = shift.calendarDays ?? 1
            return calendar.instant(day: start.dayNumber + index * days, second: handoff.secondsSinceMidnight)
        case .duration(let length):
            return firstHandoff(in: calendar).addingTimeInterval(Double(index) * length)
        }
    }

    /// The instant of the first handoff.
    func firstHandoff(in calendar: ZoneCalendar) -> Date {
        calendar.instant(day: start.dayNumber, second: handoff.secondsSinceMidnight)
    }

    /// The index of the turn whose `[start, end)` holds `instant`: negative before the first turn.
    ///
    /// Computed directly (whole local days since `start`, or elapsed seconds over the duration),
    /// then corrected by at most a step or two for handoffs that daylight saving moves: O(1)
    /// however long ago the rotation started.
    func turnIndex(containing instant: Date, in calendar: ZoneCalendar) -> Int {
        var index: Int
        switch shift {
        case .daily, .weekly:
            let days = shift.calendarDays ?? 1
            index = CivilDays.floorDivide(calendar.local(instant).day - start.dayNumber, days)
        case .duration(let length):
            let elapsed = instant.timeIntervalSince(firstHandoff(in: calendar)) / length
            index = Int(max(min(elapsed.rounded(.down), Self.indexLimit), -Self.indexLimit))
        }
        while handoffInstant(turn: index, in: calendar) > instant { index -= 1 }
        while handoffInstant(turn: index + 1, in: calendar) <= instant { index += 1 }
        return index
    }

    /// Turn `index` with its person and bounds.
    func turn(_ index: Int, in calendar: ZoneCalendar) -> LayerTurn {
        let count = people.count
        return LayerTurn(
            index: index, person: people[((index % count) + count) % count],
            start: handoffInstant(turn: index, in: calendar), end: handoffInstant(turn: index + 1, in: calendar))
    }

    /// The turn holding `instant`, or nil before the first turn. Restrictions are not applied.
    func turn(containing instant: Date, in calendar: ZoneCalendar) -> LayerTurn? {
        let index = turnIndex(containing: instant, in: calendar)
        return index < 0 ? nil : turn(index, in: calendar)
    }

    /// Whether the layer is on call at `instant`: its rotation has started and, when restricted,
    /// `instant` lies in one of its restriction windows.
    func isOnCall(at instant: Date, in calendar: ZoneCalendar) -> Bool {
        guard instant >= firstHandoff(in: calendar) else { return false }
        guard !restrictions.isEmpty else { return true }
        let day = calendar.local(instant).day
        return restrictions.contains { restriction in
            // A window opening on the day before can wrap past midnight into this day; checking the
            // day after too keeps this right however a daylight-saving change moves a window's ends.
            (day - 1...day + 1).contains { restriction.window(openingOn: $0, in: calendar)?.contains(instant) ?? false }
        }
    }

    /// Every instant in `(from, until)` where what this layer says may change: handoffs from the
    /// first turn on, and the edges of its restriction windows.
    func changes(from: Date, until: Date, in calendar: ZoneCalendar) -> [Date] {
        guard from < until else { return [] }
        var changes: [Date] = []
        var index = max(turnIndex(containing: from, in: calendar) + 1, 0)
        while true {
            let handoff = handoffInstant(turn: index, in: calendar)
            guard handoff < until else { break }
            if handoff > from { changes.append(handoff) }
            index += 1
        }
        let firstDay = calendar.local(from).day - 1
        let lastDay = calendar.local(until).day + 1
        for restriction in restrictions {
            for day in firstDay...lastDay {
                guard let window = restriction.window(openingOn: day, in: calendar) else { continue }
                for edge in [window.start, window.end] where edge > from && edge < until {
                    changes.append(edge)
                }
            }
        }
        return changes
    }
}
