import Foundation
import PropertyBased
import Testing
import TocsinCore

private typealias F = ScheduleFixture

/// Properties of the rotation arithmetic over random schedules in the three zones. Inputs are small
/// integers (zone index, shift kind, day and minute offsets) so failures shrink to readable cases;
/// iteration counts are bounded so the suite runs in seconds.
@Suite("On-call schedule properties")
struct OnCallSchedulePropertyTests {
    static let day = 86_400
    static let zone = Gen.int(in: 0...2)
    static let shiftKind = Gen.int(in: 0...5)
    /// Days after 2015-01-01 on which a layer starts.
    static let startDay = Gen.int(in: 0...4000)
    static let handoffMinute = Gen.int(in: 0...1439)

    static func shift(_ kind: Int) -> ShiftLength {
        switch kind {
        case 0: .daily
        case 1: .weekly
        case 2: .duration(8 * 3600)
        case 3: .duration(12 * 3600)
        case 4: .duration(36 * 3600)
        default: .duration(90 * 60)
        }
    }

    static func people(_ count: Int) -> [String] { (0..<count).map { "p\($0)" } }

    static func rotationIndex(_ person: String) -> Int { Int(person.dropFirst()) ?? -1 }

    static func layer(
        _ name: String = "primary", kind: Int, people count: Int, startDay: Int, handoffMinute: Int,
        restrictions: [ScheduleRestriction] = []
    ) -> ScheduleLayer {
        F.layer(
            name, people: people(count), shift: shift(kind), handoff: F.time(handoffMinute / 60, handoffMinute % 60),
            start: F.date(2015, 1, 1).adding(days: startDay), restrictions: restrictions)
    }

    @Test("an unrestricted layer has exactly one person at every instant from its first handoff, in rotation order")
    func onePersonInRotationOrder() async {
        await propertyCheck(
            count: 200,
            input: Self.zone, Self.shiftKind, Gen.int(in: 1...5), Self.startDay, Self.handoffMinute,
            Gen.int(in: -3 * Self.day...800 * Self.day)
        ) { zoneIndex, kind, count, startDay, handoffMinute, offset in
            let layer = Self.layer(kind: kind, people: count, startDay: startDay, handoffMinute: handoffMinute)
            let schedule = F.schedule(F.zones[zoneIndex], [layer])
            let first = schedule.instant(on: layer.start, at: layer.handoff)
            let instant = first.addingTimeInterval(Double(offset))
            guard let now = schedule.onCall(at: instant) else {
                #expect(instant < first)
                return
            }
            #expect(instant >= first)
            #expect(now.source == .layer("primary"))
            #expect(now.start <= instant && instant < now.end)
            if now.start == first {
                #expect(now.person == "p0")
            } else {
                let before = try #require(schedule.onCall(at: now.start.addingTimeInterval(-1)))
                #expect(before.end == now.start)
                #expect(Self.rotationIndex(now.person) == (Self.rotationIndex(before.person) + 1) % count)
            }
            let next = try #require(schedule.nextOnCall(at: instant))
            #expect(next.start == now.end)
            #expect(Self.rotationIndex(next.person) == (Self.rotationIndex(now.person) + 1) % count)
            #expect(schedule.onCall(at: next.start) == next)
        }
    }

    @Test("an unrestricted layer's shifts are contiguous, cover [from, until) without overlap and cycle the rotation")
    func shiftsContiguous() async {
        await propertyCheck(
            count: 100,
            input: Self.zone, Self.shiftKind, Gen.int(in: 2...5), Self.startDay, Self.handoffMinute,
            Gen.int(in: 0...3000 * Self.day), Gen.int(in: 1...21 * 24 * 3600)
        ) { zoneIndex, kind, count, startDay, handoffMinute, fromOffset, span in
            let layer = Self.layer(kind: kind, people: count, startDay: startDay, handoffMinute: handoffMinute)
            let schedule = F.schedule(F.zones[zoneIndex], [layer])
            let from = schedule.instant(on: layer.start, at: layer.handoff).addingTimeInterval(Double(fromOffset))
            let until = from.addingTimeInterval(Double(span))
            let shifts = schedule.shifts(from: from, until: until)
            #expect(shifts.first?.start == from)
            #expect(shifts.last?.end == until)
            for shift in shifts { #expect(shift.start < shift.end) }
            for (earlier, later) in zip(shifts, shifts.dropFirst()) {
                #expect(earlier.end == later.start)
                #expect(Self.rotationIndex(later.person) == (Self.rotationIndex(earlier.person) + 1) % count)
                #expect(schedule.onCall(at: later.start)?.start == later.start)
            }
            #expect(schedule.gaps(from: from, until: until).isEmpty)
        }
    }

    @Test("consecutive daily handoffs fall at the same local time, or the documented pushed time on a skipped one")
    func dailyHandoffsKeepLocalTime() async {
        await propertyCheck(
            count: 40, input: Self.zone, Self.startDay, Self.handoffMinute
        ) { zoneIndex, startDay, handoffMinute in
            let zoneName = F.zones[zoneIndex]
            let zone = try #require(TimeZone(identifier: zoneName))
            let layer = Self.layer(kind: 0, people: 2, startDay: startDay, handoffMinute: handoffMinute)
            let schedule = F.schedule(zoneName, [layer])
            let first = schedule.instant(on: layer.start, at: layer.handoff)
            let shifts = schedule.shifts(from: first, until: first.addingTimeInterval(Double(400 * Self.day)))
            // 400 local days from the first handoff, measured in absolute time: a net daylight-saving
            // change over the span clips the last turn or adds a one-hour piece of the next.
            #expect((400...401).contains(shifts.count))
            for (index, shift) in shifts.enumerated() {
                #expect(F.localDate(shift.start, in: zoneName) == layer.start.adding(days: index))
                let wall = F.wallClock(shift.start, in: zoneName)
                if wall != layer.handoff.description {
                    // Only on a spring change: the clocks jumped within the last few hours, and the
                    // handoff reads the written time plus the jump.
                    let now = zone.secondsFromGMT(for: shift.start)
                    let earlier = zone.secondsFromGMT(for: shift.start.addingTimeInterval(-3 * 3600))
                    #expect(now > earlier)
                    let pushed = (handoffMinute + (now - earlier) / 60) % 1440
                    #expect(wall == F.time(pushed / 60, pushed % 60).description)
                }
                if index > 0 { #expect([23.0, 24, 25].contains(F.hours(shifts[index - 1].start, shift.start))) }
            }
        }
    }

    @Test("local times around every change of 1995–2037 resolve as documented and read back through Calendar")
    func localTimesAroundChanges() async {
        let utc = F.calendar("UTC")
        await propertyCheck(
            count: 300, input: Self.zone, Gen.int(in: 1995...2037), Gen.int(in: 0...1), Gen.int(in: -150...150)
        ) { zoneIndex, year, which, minutes in
            let zoneName = F.zones[zoneIndex]
            let zone = try #require(TimeZone(identifier: zoneName))
            var change = try #require(zone.nextDaylightSavingTimeTransition(after: F.utc("\(year)-01-01T00:00:00Z")))
            if which == 1 { change = try #require(zone.nextDaylightSavingTimeTransition(after: change)) }
            let before = zone.secondsFromGMT(for: change.addingTimeInterval(-1))
            let after = zone.secondsFromGMT(for: change)
            // A wall-clock reading near the change, as seconds since 1970-01-01 local.
            let wall = change.timeIntervalSince1970 + Double(before + minutes * 60)
            let parts = utc.dateComponents(
                [.year, .month, .day, .hour, .minute], from: Date(timeIntervalSince1970: wall))
            let date = F.date(parts.year!, parts.month!, parts.day!)
            let time = F.time(parts.hour!, parts.minute!)

            let occurrences = [before, after].map { wall - Double($0) }
                .filter { Double(zone.secondsFromGMT(for: Date(timeIntervalSince1970: $0))) == wall - $0 }
            let expected = occurrences.min() ?? wall - Double(before)
            let resolved = F.schedule(zoneName, []).instant(on: date, at: time)
            #expect(resolved.timeIntervalSince1970 == expected)
            if occurrences.isEmpty {
                let pushed = (time.secondsSinceMidnight + after - before) / 60
                #expect(F.wallClock(resolved, in: zoneName) == F.time(pushed / 60 % 24, pushed % 60).description)
            } else {
                #expect(F.wallClock(resolved, in: zoneName) == time.description)
                #expect(F.localDate(resolved, in: zoneName) == date)
            }
        }
    }

    @Test("the local date of any instant agrees with Foundation's Calendar")
    func localDateAgreesWithCalendar() async {
        await propertyCheck(
            count: 300, input: Self.zone, Gen.int(in: 631_152_000...2_208_988_800)
        ) { zoneIndex, seconds in
            let zoneName = F.zones[zoneIndex]
            let instant = Date(timeIntervalSince1970: Double(seconds))
            #expect(F.schedule(zoneName, []).localDate(of: instant) == F.localDate(instant, in: zoneName))
        }
    }

    @Test(
        "onCall(at:) agrees with shifts(...), and shifts and gaps partition the range, with restrictions and overrides")
    func onCallAgreesWithShifts() async {
        await propertyCheck(
            count: 150,
            input: Self.zone, Self.shiftKind, Self.shiftKind, Gen.int(in: 0...1439), Gen.int(in: 0...1439),
            Gen.int(in: 1...127), Gen.int(in: 0...365 * 24), Gen.int(in: 1...10 * 24), Gen.int(in: 0...48),
            Gen.int(in: 0...30)
        ) {
            zoneIndex, baseKind, topKind, windowFrom, windowUntil, dayMask, fromHour, spanHours, overrideHour,
            overrideHours in
            let days = Set(Weekday.allCases.filter { dayMask & (1 << ($0.rawValue - 1)) != 0 })
            let restriction = F.restriction(
                days, F.time(windowFrom / 60, windowFrom % 60), F.time(windowUntil / 60, windowUntil % 60))
            let base = Self.layer("base", kind: baseKind, people: 3, startDay: 4000, handoffMinute: 540)
            let top = Self.layer(
                "top", kind: topKind, people: 2, startDay: 4010, handoffMinute: 1020, restrictions: [restriction])
            let schedule = F.schedule(F.zones[zoneIndex], [base, top])
            // From late 2025 through 2026: both changes of every zone fall in range of some draws.
            let from = F.utc("2025-12-15T00:00:00Z").addingTimeInterval(Double(fromHour * 3600))
            let until = from.addingTimeInterval(Double(spanHours * 3600))
            let overrideFrom = from.addingTimeInterval(Double(overrideHour * 3600))
            let overrides = [
                ScheduleOverride(
                    id: 1, scheduleName: "ops", person: "ovi", from: overrideFrom,
                    until: overrideFrom.addingTimeInterval(Double(overrideHours * 3600))),
                ScheduleOverride(
                    id: 2, scheduleName: "elsewhere", person: "nope", from: from, until: until),
            ]
            let shifts = schedule.shifts(from: from, until: until, overrides: overrides)
            let gaps = schedule.gaps(from: from, until: until, overrides: overrides)

            let pieces = (shifts.map(\.interval) + gaps).sorted { $0.start < $1.start }
            #expect(pieces.first?.start == from)
            #expect(pieces.last?.end == until)
            for (earlier, later) in zip(pieces, pieces.dropFirst()) { #expect(earlier.end == later.start) }
            for (earlier, later) in zip(shifts, shifts.dropFirst()) where earlier.end == later.start {
                #expect(earlier.person != later.person || earlier.source != later.source)
            }
            for (earlier, later) in zip(gaps, gaps.dropFirst()) { #expect(earlier.end < later.start) }
            #expect(!shifts.contains { $0.person == "nope" })

            for shift in shifts {
                for instant in [
                    shift.start, shift.start.addingTimeInterval(shift.duration / 2),
                    shift.end.addingTimeInterval(-0.001),
                ] {
                    let assignment = schedule.onCall(at: instant, overrides: overrides)
                    #expect(assignment?.person == shift.person)
                    #expect(assignment?.source == shift.source)
                }
            }
            for gap in gaps {
                #expect(schedule.onCall(at: gap.start, overrides: overrides) == nil)
                #expect(schedule.onCall(at: gap.end.addingTimeInterval(-0.001), overrides: overrides) == nil)
            }
        }
    }
}
