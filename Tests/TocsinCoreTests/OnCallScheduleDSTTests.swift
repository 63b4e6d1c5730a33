import Foundation
import Testing
import TocsinCore

private typealias F = ScheduleFixture

/// Daylight saving in the three zones the rules were written against, both directions each, with
/// exact UTC instants. The 2026 changes:
/// - Europe/London: 29 March 01:00 UTC (GMT→BST, 01:00–02:00 local skipped); 25 October 01:00 UTC
///   (BST→GMT, 01:00–02:00 local repeated).
/// - America/New_York: 8 March 07:00 UTC (02:00–03:00 skipped); 1 November 06:00 UTC (01:00–02:00 repeated).
/// - Australia/Sydney: 4 April 16:00 UTC (5 April 02:00–03:00 local repeated); 3 October 16:00 UTC
///   (4 October 02:00–03:00 local skipped).
@Suite("On-call schedule across daylight-saving changes")
struct OnCallScheduleDSTTests {
    /// One turn that spans (or borders) a change: the layer, an instant inside the turn, and the turn's exact bounds.
    struct Case: Sendable, CustomTestStringConvertible {
        var label: String
        var zone: String
        var shift: ShiftLength
        var handoff: LocalTime
        var start: LocalDate
        var probe: String
        var expectedStart: String
        var expectedEnd: String
        var hours: Double

        var testDescription: String { label }
    }

    static let calendarTurns: [Case] = [
        Case(
            label: "London daily, spring", zone: F.london, shift: .daily, handoff: F.time(9),
            start: F.date(2026, 3, 25),
            probe: "2026-03-28T12:00:00Z", expectedStart: "2026-03-28T09:00:00Z", expectedEnd: "2026-03-29T08:00:00Z",
            hours: 23),
        Case(
            label: "London daily, autumn", zone: F.london, shift: .daily, handoff: F.time(9),
            start: F.date(2026, 10, 20),
            probe: "2026-10-24T12:00:00Z", expectedStart: "2026-10-24T08:00:00Z", expectedEnd: "2026-10-25T09:00:00Z",
            hours: 25),
        Case(
            label: "London weekly, spring", zone: F.london, shift: .weekly, handoff: F.time(9),
            start: F.date(2026, 3, 23),
            probe: "2026-03-25T12:00:00Z", expectedStart: "2026-03-23T09:00:00Z", expectedEnd: "2026-03-30T08:00:00Z",
            hours: 167),
        Case(
            label: "London weekly, autumn", zone: F.london, shift: .weekly, handoff: F.time(9),
            start: F.date(2026, 10, 19),
            probe: "2026-10-21T12:00:00Z", expectedStart: "2026-10-19T08:00:00Z", expectedEnd: "2026-10-26T09:00:00Z",
            hours: 169),
        Case(
            label: "New York daily, spring", zone: F.newYork, shift: .daily, handoff: F.time(9),
            start: F.date(2026, 3, 1),
            probe: "2026-03-07T20:00:00Z", expectedStart: "2026-03-07T14:00:00Z", expectedEnd: "2026-03-08T13:00:00Z",
            hours: 23),
        Case(
            label: "New York daily, autumn", zone: F.newYork, shift: .daily, handoff: F.time(9),
            start: F.date(2026, 10, 1),
            probe: "2026-10-31T20:00:00Z", expectedStart: "2026-10-31T13:00:00Z", expectedEnd: "2026-11-01T14:00:00Z",
            hours: 25),
        Case(
            label: "New York weekly, spring", zone: F.newYork, shift: .weekly, handoff: F.time(9),
            start: F.date(2026, 3, 2),
            probe: "2026-03-05T12:00:00Z", expectedStart: "2026-03-02T14:00:00Z", expectedEnd: "2026-03-09T13:00:00Z",
            hours: 167),
        Case(
            label: "New York weekly, autumn", zone: F.newYork, shift: .weekly, handoff: F.time(9),
            start: F.date(2026, 10, 26),
            probe: "2026-10-29T12:00:00Z", expectedStart: "2026-10-26T13:00:00Z", expectedEnd: "2026-11-02T14:00:00Z",
            hours: 169),
        Case(
            label: "Sydney daily, autumn (April)", zone: F.sydney, shift: .daily, handoff: F.time(9),
            start: F.date(2026, 4, 1),
            probe: "2026-04-04T06:00:00Z", expectedStart: "2026-04-03T22:00:00Z", expectedEnd: "2026-04-04T23:00:00Z",
            hours: 25),
        Case(
            label: "Sydney daily, spring (October)", zone: F.sydney, shift: .daily, handoff: F.time(9),
            start: F.date(2026, 10, 1),
            probe: "2026-10-03T06:00:00Z", expectedStart: "2026-10-02T23:00:00Z", expectedEnd: "2026-10-03T22:00:00Z",
            hours: 23),
        Case(
            label: "Sydney weekly, autumn (April)", zone: F.sydney, shift: .weekly, handoff: F.time(9),
            start: F.date(2026, 3, 30),
            probe: "2026-04-02T00:00:00Z", expectedStart: "2026-03-29T22:00:00Z", expectedEnd: "2026-04-05T23:00:00Z",
            hours: 169),
        Case(
            label: "Sydney weekly, spring (October)", zone: F.sydney, shift: .weekly, handoff: F.time(9),
            start: F.date(2026, 9, 28),
            probe: "2026-10-01T00:00:00Z", expectedStart: "2026-09-27T23:00:00Z", expectedEnd: "2026-10-04T22:00:00Z",
            hours: 167),
    ]

    @Test(
        "daily and weekly handoffs keep their local time, so a turn over a change is 23/25 or 167/169 hours",
        arguments: calendarTurns)
    func calendarTurnAcrossChange(_ turn: Case) throws {
        let schedule = F.schedule(
            turn.zone, [F.layer(people: ["ana", "bo"], shift: turn.shift, handoff: turn.handoff, start: turn.start)])
        let assignment = try #require(schedule.onCall(at: F.utc(turn.probe)))
        #expect(assignment.start == F.utc(turn.expectedStart))
        #expect(assignment.end == F.utc(turn.expectedEnd))
        #expect(F.hours(assignment.start, assignment.end) == turn.hours)
        #expect(F.wallClock(assignment.start, in: turn.zone) == "09:00")
        #expect(F.wallClock(assignment.end, in: turn.zone) == "09:00")
    }

    @Test(
        "duration turns are absolute time: daylight saving moves their local time, not their length",
        arguments: [F.london, F.newYork, F.sydney])
    func durationIgnoresChanges(zone: String) {
        let start: LocalDate =
            zone == F.sydney ? F.date(2026, 4, 3) : zone == F.newYork ? F.date(2026, 3, 6) : F.date(2026, 3, 27)
        let schedule = F.schedule(zone, [F.layer(people: ["ana", "bo"], shift: .duration(12 * 3600), start: start)])
        let first = schedule.instant(on: start, at: F.time(9))
        let from = first.addingTimeInterval(1)
        let shifts = schedule.shifts(from: from, until: first.addingTimeInterval(6 * 86_400))
        #expect(shifts.count == 12)
        for (index, shift) in shifts.enumerated() {
            #expect(shift.person == (index.isMultiple(of: 2) ? "ana" : "bo"))
            #expect(shift.start == (index == 0 ? from : first.addingTimeInterval(Double(index) * 12 * 3600)))
        }
        // Three days on, the clocks have changed: the 09:00 handoff now reads 10:00 or 08:00 locally.
        let later = shifts[6].start
        #expect(F.wallClock(later, in: zone) == (zone == F.sydney ? "08:00" : "10:00"))
    }

    /// A handoff at a local time the clocks skip, and the turns on either side.
    struct SkippedCase: Sendable, CustomTestStringConvertible {
        var zone: String
        var handoff: LocalTime
        var dayBefore: LocalDate
        /// Turn starts on the day before, the change day, the day after.
        var starts: [String]
        var changeDayWallClock: String
        var testDescription: String { zone }
    }

    @Test(
        "a handoff at a skipped local time happens the gap's length later, read with the offset before the change",
        arguments: [
            SkippedCase(
                zone: F.london, handoff: F.time(1, 30), dayBefore: F.date(2026, 3, 28),
                starts: ["2026-03-28T01:30:00Z", "2026-03-29T01:30:00Z", "2026-03-30T00:30:00Z"],
                changeDayWallClock: "02:30"),
            SkippedCase(
                zone: F.newYork, handoff: F.time(2, 30), dayBefore: F.date(2026, 3, 7),
                starts: ["2026-03-07T07:30:00Z", "2026-03-08T07:30:00Z", "2026-03-09T06:30:00Z"],
                changeDayWallClock: "03:30"),
            SkippedCase(
                zone: F.sydney, handoff: F.time(2, 30), dayBefore: F.date(2026, 10, 3),
                starts: ["2026-10-02T16:30:00Z", "2026-10-03T16:30:00Z", "2026-10-04T15:30:00Z"],
                changeDayWallClock: "03:30"),
        ])
    func skippedHandoff(_ skipped: SkippedCase) throws {
        let schedule = F.schedule(
            skipped.zone, [F.layer(people: ["ana", "bo", "cy"], handoff: skipped.handoff, start: skipped.dayBefore)])
        let starts = skipped.starts.map(F.utc)
        let changeDay = skipped.dayBefore.adding(days: 1)
        #expect(schedule.instant(on: changeDay, at: skipped.handoff) == starts[1])
        #expect(F.wallClock(starts[1], in: skipped.zone) == skipped.changeDayWallClock)
        #expect(F.localDate(starts[1], in: skipped.zone) == changeDay)
        let shifts = schedule.shifts(from: starts[0], until: starts[2].addingTimeInterval(3600))
        #expect(shifts.map(\.start) == starts)
        #expect(shifts.map(\.person) == ["ana", "bo", "cy"])
        #expect(F.hours(starts[0], starts[1]) == 24)
        #expect(F.hours(starts[1], starts[2]) == 23)
        #expect(F.wallClock(starts[2], in: skipped.zone) == skipped.handoff.description)
        // Just before the pushed handoff the previous turn still holds.
        #expect(schedule.onCall(at: starts[1].addingTimeInterval(-1))?.person == "ana")
        #expect(schedule.onCall(at: starts[1])?.person == "bo")
    }

    /// A handoff at a local time the clocks repeat.
    struct RepeatedCase: Sendable, CustomTestStringConvertible {
        var zone: String
        var handoff: LocalTime
        var dayBefore: LocalDate
        var starts: [String]
        var testDescription: String { zone }
    }

    @Test(
        "a handoff at a repeated local time happens at its first occurrence",
        arguments: [
            RepeatedCase(
                zone: F.london, handoff: F.time(1, 30), dayBefore: F.date(2026, 10, 24),
                starts: ["2026-10-24T00:30:00Z", "2026-10-25T00:30:00Z", "2026-10-26T01:30:00Z"]),
            RepeatedCase(
                zone: F.newYork, handoff: F.time(1, 30), dayBefore: F.date(2026, 10, 31),
                starts: ["2026-10-31T05:30:00Z", "2026-11-01T05:30:00Z", "2026-11-02T06:30:00Z"]),
            RepeatedCase(
                zone: F.sydney, handoff: F.time(2, 30), dayBefore: F.date(2026, 4, 4),
                starts: ["2026-04-03T15:30:00Z", "2026-04-04T15:30:00Z", "2026-04-05T16:30:00Z"]),
        ])
    func repeatedHandoff(_ repeated: RepeatedCase) {
        let schedule = F.schedule(
            repeated.zone, [F.layer(people: ["ana", "bo", "cy"], handoff: repeated.handoff, start: repeated.dayBefore)])
        let starts = repeated.starts.map(F.utc)
        #expect(schedule.instant(on: repeated.dayBefore.adding(days: 1), at: repeated.handoff) == starts[1])
        // The same wall-clock reading comes round again an hour later; the handoff is not there.
        let secondOccurrence = starts[1].addingTimeInterval(3600)
        #expect(F.wallClock(secondOccurrence, in: repeated.zone) == repeated.handoff.description)
        #expect(F.wallClock(starts[1], in: repeated.zone) == repeated.handoff.description)
        let shifts = schedule.shifts(from: starts[0], until: starts[2].addingTimeInterval(3600))
        #expect(shifts.map(\.start) == starts)
        #expect(shifts.map(\.person) == ["ana", "bo", "cy"])
        #expect(F.hours(starts[0], starts[1]) == 24)
        #expect(F.hours(starts[1], starts[2]) == 25)
        #expect(schedule.onCall(at: secondOccurrence)?.person == "bo")
    }

    @Test("restriction windows open and close at local times across a change")
    func restrictionAcrossChange() {
        // Office hours in London over the spring weekend: Friday 27 March in GMT, Monday 30 March in BST.
        let office = F.layer(
            "office", people: ["oz"], start: F.date(2026, 3, 1),
            restrictions: [F.restriction(Weekday.weekdays, F.time(9), F.time(17))])
        let schedule = F.schedule(F.london, [office])
        let shifts = schedule.shifts(from: F.utc("2026-03-27T00:00:00Z"), until: F.utc("2026-03-31T00:00:00Z"))
        #expect(
            shifts.map(\.interval) == [
                DateInterval(start: F.utc("2026-03-27T09:00:00Z"), end: F.utc("2026-03-27T17:00:00Z")),
                DateInterval(start: F.utc("2026-03-30T08:00:00Z"), end: F.utc("2026-03-30T16:00:00Z")),
            ])
    }

    @Test("a night window over the autumn change lasts the extra hour")
    func nightWindowOverAutumnChange() {
        let nights = F.layer(
            "nights", people: ["nia"], start: F.date(2026, 10, 1),
            restrictions: [F.restriction(Weekday.everyDay, F.time(22), F.time(6))])
        let schedule = F.schedule(F.newYork, [nights])
        let shifts = schedule.shifts(from: F.utc("2026-10-31T12:00:00Z"), until: F.utc("2026-11-01T18:00:00Z"))
        #expect(shifts.count == 1)
        #expect(shifts.first?.start == F.utc("2026-11-01T02:00:00Z"))  // 22:00 EDT
        #expect(shifts.first?.end == F.utc("2026-11-01T11:00:00Z"))  // 06:00 EST
        #expect(shifts.first?.duration == TimeInterval(9 * 3600))
    }
}
