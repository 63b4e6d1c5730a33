import Foundation
import Testing
import TocsinCore

private typealias F = ScheduleFixture

/// Schedules that started years ago: the direct turn arithmetic must agree with walking the
/// rotation turn by turn, and must not get slower with the schedule's age.
@Suite("On-call schedule started years ago")
struct OnCallScheduleLongRunningTests {
    static let people = (0..<7).map { "p\($0)" }

    /// Every handoff from the first one until `end`, stepping with Foundation's `Calendar`.
    static func walk(from first: Date, until end: Date, step: (Date) -> Date) -> [Date] {
        var handoffs: [Date] = []
        var handoff = first
        while handoff < end {
            handoffs.append(handoff)
            handoff = step(handoff)
        }
        return handoffs
    }

    @Test("a daily rotation started in 2006 agrees with a walk through twenty years of New York days")
    func dailySinceTwentyYears() throws {
        let schedule = F.schedule(F.newYork, [F.layer(people: Self.people, start: F.date(2006, 1, 2))])
        let calendar = F.calendar(F.newYork)
        let first = try #require(calendar.date(from: DateComponents(year: 2006, month: 1, day: 2, hour: 9)))
        // 09:00 exists once on every New York day, so adding calendar days keeps it.
        let handoffs = Self.walk(from: first, until: F.utc("2027-01-01T00:00:00Z")) {
            calendar.date(byAdding: .day, value: 1, to: $0)!
        }
        #expect(handoffs.count > 7_600)
        for index in stride(from: handoffs.count - 500, to: handoffs.count - 1, by: 7) {
            let expected = OnCallAssignment(
                person: Self.people[index % 7], source: .layer("primary"), start: handoffs[index],
                end: handoffs[index + 1])
            #expect(schedule.onCall(at: handoffs[index]) == expected)
            #expect(schedule.onCall(at: handoffs[index + 1].addingTimeInterval(-1)) == expected)
        }
    }

    @Test("a weekly Sydney rotation started in 2010 and an 8-hour London one started in 2012 agree with walks")
    func weeklyAndDurationSinceYearsAgo() throws {
        let weekly = F.schedule(F.sydney, [F.layer(people: Self.people, shift: .weekly, start: F.date(2010, 3, 1))])
        let sydney = F.calendar(F.sydney)
        let firstWeek = try #require(sydney.date(from: DateComponents(year: 2010, month: 3, day: 1, hour: 9)))
        let weeks = Self.walk(from: firstWeek, until: F.utc("2027-01-01T00:00:00Z")) {
            sydney.date(byAdding: .day, value: 7, to: $0)!
        }
        for index in stride(from: weeks.count - 120, to: weeks.count - 1, by: 3) {
            let turn = weekly.onCall(at: weeks[index].addingTimeInterval(86_400))
            #expect(turn?.person == Self.people[index % 7])
            #expect(turn?.start == weeks[index])
            #expect(turn?.end == weeks[index + 1])
        }

        let eightHours = F.schedule(
            F.london, [F.layer(people: Self.people, shift: .duration(8 * 3600), start: F.date(2012, 7, 1))])
        let firstTurn = F.utc("2012-07-01T08:00:00Z")  // 09:00 BST
        let turns = Self.walk(from: firstTurn, until: F.utc("2027-01-01T00:00:00Z")) { $0.addingTimeInterval(8 * 3600) }
        for index in stride(from: turns.count - 300, to: turns.count - 1, by: 11) {
            let turn = eightHours.onCall(at: turns[index].addingTimeInterval(3600))
            #expect(turn?.person == Self.people[index % 7])
            #expect(turn?.start == turns[index])
        }
    }
}
