import Foundation
import Testing
import TocsinCore

private typealias F = ScheduleFixture

/// Rotations, layers, restrictions, overrides, next person, resolved timeline and gaps. The
/// schedules live in Europe/London in January (GMT), so local times read the same as UTC here;
/// daylight saving has its own file. 2026-01-05 is a Monday.
@Suite("On-call schedule")
struct OnCallScheduleTests {
    static let monday = F.date(2026, 1, 5)
    static let trio = F.layer("primary", people: ["ana", "bo", "cy"], start: monday)

    // MARK: Rotation

    @Test("a daily rotation hands over at the handoff time, in order, wrapping round")
    func dailyRotation() throws {
        let schedule = F.schedule([Self.trio])
        let first = try #require(schedule.onCall(at: F.utc("2026-01-05T09:00:00Z")))
        #expect(
            first
                == OnCallAssignment(
                    person: "ana", source: .layer("primary"),
                    start: F.utc("2026-01-05T09:00:00Z"), end: F.utc("2026-01-06T09:00:00Z")))
        #expect(schedule.onCall(at: F.utc("2026-01-06T08:59:59Z"))?.person == "ana")
        #expect(schedule.onCall(at: F.utc("2026-01-06T09:00:00Z"))?.person == "bo")
        #expect(schedule.onCall(at: F.utc("2026-01-07T23:00:00Z"))?.person == "cy")
        #expect(schedule.onCall(at: F.utc("2026-01-08T10:00:00Z"))?.person == "ana")
    }

    @Test("nobody is on call before a layer's first handoff")
    func beforeStart() {
        let schedule = F.schedule([Self.trio])
        #expect(schedule.onCall(at: F.utc("2026-01-05T08:59:59Z")) == nil)
        #expect(schedule.onCall(at: F.utc("2025-06-01T12:00:00Z")) == nil)
    }

    @Test("a weekly rotation hands over on the start date's weekday")
    func weeklyRotation() throws {
        let layer = F.layer(people: ["ana", "bo", "cy"], shift: .weekly, start: Self.monday)
        let schedule = F.schedule([layer])
        let third = try #require(schedule.onCall(at: F.utc("2026-01-21T12:00:00Z")))
        #expect(third.person == "cy")
        #expect(third.start == F.utc("2026-01-19T09:00:00Z"))
        #expect(third.end == F.utc("2026-01-26T09:00:00Z"))
        #expect(schedule.onCall(at: F.utc("2026-01-26T09:00:00Z"))?.person == "ana")
    }

    @Test("a duration rotation counts elapsed time from the first handoff")
    func durationRotation() throws {
        let layer = F.layer(people: ["ana", "bo"], shift: .duration(12 * 3600), start: Self.monday)
        let schedule = F.schedule([layer])
        let second = try #require(schedule.onCall(at: F.utc("2026-01-06T08:00:00Z")))
        #expect(second.person == "bo")
        #expect(second.start == F.utc("2026-01-05T21:00:00Z"))
        #expect(second.end == F.utc("2026-01-06T09:00:00Z"))
        #expect(schedule.onCall(at: F.utc("2026-01-06T09:00:00Z"))?.person == "ana")
    }

    @Test("a person named twice in the rotation takes two turns")
    func repeatedPerson() {
        let layer = F.layer(people: ["ana", "ana", "bo"], start: Self.monday)
        let schedule = F.schedule([layer])
        let people = (0..<6).map { day in
            schedule.onCall(at: F.utc("2026-01-05T12:00:00Z").addingTimeInterval(Double(day) * 86_400))?.person
        }
        #expect(people == ["ana", "ana", "bo", "ana", "ana", "bo"])
    }

    // MARK: Layers and restrictions

    @Test("a later layer covers the earlier ones once it has started")
    func layersCover() {
        let cover = F.layer("cover", people: ["zed"], shift: .weekly, start: F.date(2026, 1, 12))
        let schedule = F.schedule([Self.trio, cover])
        #expect(schedule.onCall(at: F.utc("2026-01-12T08:59:00Z"))?.source == .layer("primary"))
        #expect(
            schedule.onCall(at: F.utc("2026-01-12T09:00:00Z"))
                == OnCallAssignment(
                    person: "zed", source: .layer("cover"),
                    start: F.utc("2026-01-12T09:00:00Z"), end: F.utc("2026-01-19T09:00:00Z")))
    }

    @Test("a restricted layer covers only inside its windows; lower layers show through outside them")
    func officeHours() {
        let office = F.layer(
            "office", people: ["oz"], start: Self.monday,
            restrictions: [F.restriction(Weekday.weekdays, F.time(9), F.time(17))])
        let base = F.layer("base", people: ["ana"], start: Self.monday)
        let schedule = F.schedule([base, office])
        #expect(schedule.onCall(at: F.utc("2026-01-05T09:00:00Z"))?.person == "oz")
        #expect(schedule.onCall(at: F.utc("2026-01-05T16:59:59Z"))?.person == "oz")
        #expect(schedule.onCall(at: F.utc("2026-01-05T17:00:00Z"))?.person == "ana")
        #expect(schedule.onCall(at: F.utc("2026-01-06T08:59:59Z"))?.person == "ana")
        #expect(schedule.onCall(at: F.utc("2026-01-09T12:00:00Z"))?.person == "oz")
        #expect(schedule.onCall(at: F.utc("2026-01-10T12:00:00Z"))?.person == "ana")
        #expect(schedule.onCall(at: F.utc("2026-01-11T12:00:00Z"))?.person == "ana")
    }

    @Test("a restriction ending before it starts wraps past midnight")
    func nightsWrap() {
        let nights = F.layer(
            "nights", people: ["nia"], start: Self.monday,
            restrictions: [F.restriction(Weekday.everyDay, F.time(17), F.time(9))])
        let base = F.layer("base", people: ["ana"], start: Self.monday)
        let schedule = F.schedule([base, nights])
        #expect(schedule.onCall(at: F.utc("2026-01-06T20:00:00Z"))?.person == "nia")
        #expect(schedule.onCall(at: F.utc("2026-01-07T03:00:00Z"))?.person == "nia")
        #expect(schedule.onCall(at: F.utc("2026-01-07T08:59:59Z"))?.person == "nia")
        #expect(schedule.onCall(at: F.utc("2026-01-07T09:00:00Z"))?.person == "ana")
        #expect(schedule.onCall(at: F.utc("2026-01-07T16:59:59Z"))?.person == "ana")
        #expect(schedule.onCall(at: F.utc("2026-01-07T17:00:00Z"))?.person == "nia")
    }

    @Test("a wrapping window belongs to the day it opens")
    func fridayNight() {
        let weekendCover = F.layer(
            "friday-night", people: ["nia"], start: Self.monday,
            restrictions: [F.restriction([.friday], F.time(17), F.time(9))])
        let base = F.layer("base", people: ["ana"], start: Self.monday)
        let schedule = F.schedule([base, weekendCover])
        #expect(schedule.onCall(at: F.utc("2026-01-08T20:00:00Z"))?.person == "ana")  // Thursday night
        #expect(schedule.onCall(at: F.utc("2026-01-09T17:00:00Z"))?.person == "nia")  // Friday 17:00
        #expect(schedule.onCall(at: F.utc("2026-01-10T08:00:00Z"))?.person == "nia")  // Saturday morning
        #expect(schedule.onCall(at: F.utc("2026-01-10T09:00:00Z"))?.person == "ana")
        #expect(schedule.onCall(at: F.utc("2026-01-10T20:00:00Z"))?.person == "ana")  // Saturday night
    }

    @Test("a restricted layer keeps rotating outside its windows")
    func restrictedRotationKeepsTurning() {
        let office = F.layer(
            "office", people: ["oz", "pim"], start: Self.monday,
            restrictions: [F.restriction(Weekday.weekdays, F.time(9), F.time(17))])
        let schedule = F.schedule([office])
        #expect(schedule.onCall(at: F.utc("2026-01-09T12:00:00Z"))?.person == "oz")  // Friday: turn 4
        #expect(schedule.onCall(at: F.utc("2026-01-10T12:00:00Z")) == nil)  // Saturday: turn 5, restricted
        #expect(schedule.onCall(at: F.utc("2026-01-12T12:00:00Z"))?.person == "pim")  // Monday: turn 7
    }

    // MARK: Overrides

    @Test("an override wins over every layer for [from, until)")
    func overrideWins() throws {
        let schedule = F.schedule([Self.trio])
        let override = ScheduleOverride(
            id: 7, scheduleName: "ops", person: "ovi",
            from: F.utc("2026-01-06T12:00:00Z"), until: F.utc("2026-01-06T15:00:00Z"))
        #expect(schedule.onCall(at: F.utc("2026-01-06T11:59:59Z"), overrides: [override])?.person == "bo")
        let covered = try #require(schedule.onCall(at: F.utc("2026-01-06T12:00:00Z"), overrides: [override]))
        #expect(
            covered
                == OnCallAssignment(
                    person: "ovi", source: .override(id: 7), start: override.from, end: override.until))
        #expect(schedule.onCall(at: F.utc("2026-01-06T15:00:00Z"), overrides: [override])?.person == "bo")
    }

    @Test("an override of another schedule, or of no length, changes nothing")
    func foreignOverride() {
        let schedule = F.schedule([Self.trio])
        let elsewhere = ScheduleOverride(
            id: 1, scheduleName: "db", person: "ovi",
            from: F.utc("2026-01-06T00:00:00Z"), until: F.utc("2026-01-07T00:00:00Z"))
        let backwards = ScheduleOverride(
            id: 2, scheduleName: "ops", person: "ovi",
            from: F.utc("2026-01-07T00:00:00Z"), until: F.utc("2026-01-06T00:00:00Z"))
        #expect(schedule.onCall(at: F.utc("2026-01-06T12:00:00Z"), overrides: [elsewhere, backwards])?.person == "bo")
    }

    @Test("of overlapping overrides the latest start wins, then the later one in the list", arguments: [
        ("2026-01-06T10:30:00Z", "tim"), ("2026-01-06T11:30:00Z", "lou"), ("2026-01-06T13:00:00Z", "sam"),
        ("2026-01-06T15:00:00Z", "lou"),
    ])
    func overlappingOverrides(at time: String, onCall person: String) {
        let schedule = F.schedule([Self.trio])
        let long = ScheduleOverride(
            id: 1, scheduleName: "ops", person: "lou",
            from: F.utc("2026-01-06T10:00:00Z"), until: F.utc("2026-01-06T18:00:00Z"))
        let short = ScheduleOverride(
            id: 2, scheduleName: "ops", person: "sam",
            from: F.utc("2026-01-06T12:00:00Z"), until: F.utc("2026-01-06T14:00:00Z"))
        let twin = ScheduleOverride(
            id: 3, scheduleName: "ops", person: "tim",
            from: F.utc("2026-01-06T10:00:00Z"), until: F.utc("2026-01-06T11:00:00Z"))
        #expect(schedule.onCall(at: F.utc(time), overrides: [short, long, twin])?.person == person)
    }

    @Test("an override puts someone on call where no layer does")
    func overrideFillsGap() {
        let schedule = F.schedule([Self.trio])
        let override = ScheduleOverride(
            scheduleName: "ops", person: "ovi", from: F.utc("2026-01-01T00:00:00Z"),
            until: F.utc("2026-01-02T00:00:00Z"))
        #expect(
            schedule.onCall(at: F.utc("2026-01-01T12:00:00Z"), overrides: [override])
                == OnCallAssignment(
                    person: "ovi", source: .override(id: nil), start: override.from, end: override.until))
    }

    // MARK: Next person

    @Test("next is the following turn of the same layer, wrapping round the rotation")
    func nextInRotation() {
        let schedule = F.schedule([Self.trio])
        #expect(
            schedule.nextOnCall(at: F.utc("2026-01-06T12:00:00Z"))
                == OnCallAssignment(
                    person: "cy", source: .layer("primary"),
                    start: F.utc("2026-01-07T09:00:00Z"), end: F.utc("2026-01-08T09:00:00Z")))
        #expect(schedule.nextOnCall(at: F.utc("2026-01-07T12:00:00Z"))?.person == "ana")
    }

    @Test("next follows the topmost layer on call, not the layers below it")
    func nextFollowsTopmostLayer() {
        let cover = F.layer("cover", people: ["zed", "yan"], shift: .weekly, start: Self.monday)
        let schedule = F.schedule([Self.trio, cover])
        #expect(
            schedule.nextOnCall(at: F.utc("2026-01-06T12:00:00Z"))
                == OnCallAssignment(
                    person: "yan", source: .layer("cover"),
                    start: F.utc("2026-01-12T09:00:00Z"), end: F.utc("2026-01-19T09:00:00Z")))
    }

    @Test("next is an override in force when the next turn begins, and ignores one that ends before")
    func nextWithOverrides() {
        let schedule = F.schedule([Self.trio])
        let atHandoff = ScheduleOverride(
            id: 9, scheduleName: "ops", person: "ovi",
            from: F.utc("2026-01-07T08:00:00Z"), until: F.utc("2026-01-07T10:00:00Z"))
        let now = ScheduleOverride(
            id: 10, scheduleName: "ops", person: "now",
            from: F.utc("2026-01-06T11:00:00Z"), until: F.utc("2026-01-06T13:00:00Z"))
        #expect(
            schedule.nextOnCall(at: F.utc("2026-01-06T12:00:00Z"), overrides: [atHandoff])
                == OnCallAssignment(
                    person: "ovi", source: .override(id: 9), start: atHandoff.from, end: atHandoff.until))
        #expect(schedule.nextOnCall(at: F.utc("2026-01-06T12:00:00Z"), overrides: [now])?.person == "cy")
    }

    @Test("next is nil where no layer is on call, and the same person in a one-person rotation")
    func nextEdgeCases() {
        let solo = F.schedule([F.layer(people: ["ana"], shift: .weekly, start: Self.monday)])
        #expect(solo.nextOnCall(at: F.utc("2026-01-04T12:00:00Z")) == nil)
        #expect(
            solo.nextOnCall(at: F.utc("2026-01-06T12:00:00Z"))
                == OnCallAssignment(
                    person: "ana", source: .layer("primary"),
                    start: F.utc("2026-01-12T09:00:00Z"), end: F.utc("2026-01-19T09:00:00Z")))
    }

    // MARK: Timeline

    @Test("the timeline merges adjacent turns of the same person and clips to the range")
    func timelineMerges() {
        let layer = F.layer(people: ["ana", "ana", "bo"], start: Self.monday)
        let schedule = F.schedule([layer])
        let shifts = schedule.shifts(from: F.utc("2026-01-05T12:00:00Z"), until: F.utc("2026-01-10T12:00:00Z"))
        let expected: [(String, String, String)] = [
            ("ana", "2026-01-05T12:00:00Z", "2026-01-07T09:00:00Z"),
            ("bo", "2026-01-07T09:00:00Z", "2026-01-08T09:00:00Z"),
            ("ana", "2026-01-08T09:00:00Z", "2026-01-10T09:00:00Z"),
            ("bo", "2026-01-10T09:00:00Z", "2026-01-10T12:00:00Z"),
        ]
        #expect(
            shifts
                == expected.map {
                    OnCallShift(person: $0.0, source: .layer("primary"), start: F.utc($0.1), end: F.utc($0.2))
                })
    }

    @Test("one person alone makes one segment over fourteen days")
    func timelineOnePerson() {
        let schedule = F.schedule([F.layer(people: ["ana"], start: Self.monday)])
        let from = F.utc("2026-01-06T00:00:00Z")
        let until = from.addingTimeInterval(14 * 86_400)
        #expect(
            schedule.shifts(from: from, until: until)
                == [OnCallShift(person: "ana", source: .layer("primary"), start: from, end: until)])
    }

    @Test("the timeline shows overrides and restriction windows, and starts at the first handoff")
    func timelineWithOverridesAndRestrictions() {
        let office = F.layer(
            "office", people: ["oz"], start: Self.monday,
            restrictions: [F.restriction(Weekday.weekdays, F.time(9), F.time(17))])
        let base = F.layer("base", people: ["ana"], start: Self.monday)
        let schedule = F.schedule([base, office])
        let override = ScheduleOverride(
            id: 4, scheduleName: "ops", person: "ovi",
            from: F.utc("2026-01-06T20:00:00Z"), until: F.utc("2026-01-06T22:00:00Z"))
        let shifts = schedule.shifts(
            from: F.utc("2026-01-04T00:00:00Z"), until: F.utc("2026-01-07T09:00:00Z"), overrides: [override])
        let expected: [(String, OnCallSource, String, String)] = [
            ("oz", .layer("office"), "2026-01-05T09:00:00Z", "2026-01-05T17:00:00Z"),
            ("ana", .layer("base"), "2026-01-05T17:00:00Z", "2026-01-06T09:00:00Z"),
            ("oz", .layer("office"), "2026-01-06T09:00:00Z", "2026-01-06T17:00:00Z"),
            ("ana", .layer("base"), "2026-01-06T17:00:00Z", "2026-01-06T20:00:00Z"),
            ("ovi", .override(id: 4), "2026-01-06T20:00:00Z", "2026-01-06T22:00:00Z"),
            ("ana", .layer("base"), "2026-01-06T22:00:00Z", "2026-01-07T09:00:00Z"),
        ]
        #expect(
            shifts == expected.map { OnCallShift(person: $0.0, source: $0.1, start: F.utc($0.2), end: F.utc($0.3)) })
    }

    @Test("an empty or backwards range has no shifts and no gaps")
    func emptyRange() {
        let schedule = F.schedule([Self.trio])
        let instant = F.utc("2026-01-06T00:00:00Z")
        #expect(schedule.shifts(from: instant, until: instant).isEmpty)
        #expect(schedule.gaps(from: instant, until: instant.addingTimeInterval(-1)).isEmpty)
    }

    // MARK: Gaps

    @Test("gaps are the stretches with nobody on call, each as long as possible")
    func gapsOfOfficeHours() {
        let office = F.layer(
            "office", people: ["oz", "pim"], start: Self.monday,
            restrictions: [F.restriction(Weekday.weekdays, F.time(9), F.time(17))])
        let schedule = F.schedule([office])
        let gaps = schedule.gaps(from: F.utc("2026-01-09T00:00:00Z"), until: F.utc("2026-01-13T00:00:00Z"))
        #expect(
            gaps == [
                DateInterval(start: F.utc("2026-01-09T00:00:00Z"), end: F.utc("2026-01-09T09:00:00Z")),
                DateInterval(start: F.utc("2026-01-09T17:00:00Z"), end: F.utc("2026-01-12T09:00:00Z")),
                DateInterval(start: F.utc("2026-01-12T17:00:00Z"), end: F.utc("2026-01-13T00:00:00Z")),
            ])
    }

    @Test("an override splits a gap; an unrestricted rotation has none for thirty days")
    func gapsWithOverride() {
        let office = F.layer(
            "office", people: ["oz"], start: Self.monday,
            restrictions: [F.restriction(Weekday.weekdays, F.time(9), F.time(17))])
        let override = ScheduleOverride(
            scheduleName: "ops", person: "ovi", from: F.utc("2026-01-10T10:00:00Z"),
            until: F.utc("2026-01-10T12:00:00Z"))
        let gaps = F.schedule([office]).gaps(
            from: F.utc("2026-01-10T00:00:00Z"), until: F.utc("2026-01-11T00:00:00Z"), overrides: [override])
        #expect(
            gaps == [
                DateInterval(start: F.utc("2026-01-10T00:00:00Z"), end: F.utc("2026-01-10T10:00:00Z")),
                DateInterval(start: F.utc("2026-01-10T12:00:00Z"), end: F.utc("2026-01-11T00:00:00Z")),
            ])
        let from = F.utc("2026-02-01T00:00:00Z")
        #expect(F.schedule([Self.trio]).gaps(from: from, until: from.addingTimeInterval(30 * 86_400)).isEmpty)
    }

    @Test("the time before a schedule starts is a gap")
    func gapBeforeStart() {
        let gaps = F.schedule([Self.trio]).gaps(
            from: F.utc("2026-01-04T00:00:00Z"), until: F.utc("2026-01-06T00:00:00Z"))
        #expect(gaps == [DateInterval(start: F.utc("2026-01-04T00:00:00Z"), end: F.utc("2026-01-05T09:00:00Z"))])
    }

    // MARK: Validation

    @Test("a schedule rejects an unknown time zone, an empty name and duplicate layer names")
    func scheduleValidation() {
        #expect(throws: ScheduleError.unknownTimeZone("Europe/Lndon")) {
            try OnCallSchedule(name: "ops", timeZone: "Europe/Lndon", layers: [])
        }
        #expect(throws: ScheduleError.unknownTimeZone("")) { try OnCallSchedule(name: "ops", timeZone: "", layers: []) }
        #expect(throws: ScheduleError.emptyScheduleName) {
            try OnCallSchedule(name: "", timeZone: F.london, layers: [])
        }
        #expect(throws: ScheduleError.duplicateLayerName("primary")) {
            try OnCallSchedule(name: "ops", timeZone: F.london, layers: [Self.trio, Self.trio])
        }
        #expect(throws: Never.self) { try OnCallSchedule(name: "ops", timeZone: F.sydney, layers: [Self.trio]) }
    }

    @Test("a layer rejects an empty rotation, empty names and unusable durations")
    func layerValidation() {
        func make(_ people: [String], _ shift: ShiftLength = .daily, name: String = "l") throws(ScheduleError) {
            _ = try ScheduleLayer(name: name, people: people, shift: shift, handoff: F.time(9), start: Self.monday)
        }
        #expect(throws: ScheduleError.noPeople(layer: "l")) { try make([]) }
        #expect(throws: ScheduleError.emptyPersonName(layer: "l")) { try make(["ana", ""]) }
        #expect(throws: ScheduleError.emptyLayerName) { try make(["ana"], name: "") }
        #expect(throws: ScheduleError.invalidShiftDuration(0)) { try make(["ana"], .duration(0)) }
        #expect(throws: ScheduleError.invalidShiftDuration(30)) { try make(["ana"], .duration(30)) }
        #expect(throws: ScheduleError.invalidShiftDuration(.infinity)) { try make(["ana"], .duration(.infinity)) }
        #expect(throws: (any Error).self) { try make(["ana"], .duration(.nan)) }
        #expect(throws: Never.self) { try make(["ana"], .duration(60)) }
    }

    @Test("times, dates and restrictions reject values that do not exist")
    func valueValidation() {
        #expect(throws: ScheduleError.invalidTime(hour: 24, minute: 0)) { try LocalTime(hour: 24) }
        #expect(throws: ScheduleError.invalidTime(hour: 9, minute: 60)) { try LocalTime(hour: 9, minute: 60) }
        #expect(throws: ScheduleError.invalidTime(hour: -1, minute: 0)) { try LocalTime(hour: -1) }
        #expect(throws: ScheduleError.invalidDate(year: 2026, month: 2, day: 29)) {
            try LocalDate(year: 2026, month: 2, day: 29)
        }
        #expect(throws: ScheduleError.invalidDate(year: 2026, month: 13, day: 1)) {
            try LocalDate(year: 2026, month: 13, day: 1)
        }
        #expect(throws: Never.self) { try LocalDate(year: 2024, month: 2, day: 29) }
        #expect(throws: Never.self) { try LocalDate(year: 2000, month: 2, day: 29) }
        #expect(throws: ScheduleError.invalidDate(year: 1900, month: 2, day: 29)) {
            try LocalDate(year: 1900, month: 2, day: 29)
        }
        #expect(throws: ScheduleError.noRestrictionDays) {
            try ScheduleRestriction(days: [], from: F.time(9), until: F.time(17))
        }
    }

    @Test("errors read as a sentence naming the value at fault")
    func errorDescriptions() {
        #expect(ScheduleError.unknownTimeZone("Mars/Olympus").description.contains("Mars/Olympus"))
        #expect(ScheduleError.noPeople(layer: "primary").description == "layer \"primary\" has nobody in its rotation")
    }

    @Test("local dates count civil days and know their weekday")
    func localDates() {
        #expect(Self.monday.weekday == .monday)
        #expect(F.date(1970, 1, 1).weekday == .thursday)
        #expect(F.date(1969, 12, 31).weekday == .wednesday)
        #expect(F.date(2024, 2, 28).adding(days: 1) == F.date(2024, 2, 29))
        #expect(F.date(2026, 12, 31).adding(days: 1) == F.date(2027, 1, 1))
        #expect(F.date(2026, 3, 1).days(since: F.date(2026, 2, 1)) == 28)
        #expect(F.date(2000, 3, 1).days(since: F.date(1600, 3, 1)) == 146_097)
        #expect(F.date(7, 3, 9).description == "0007-03-09")
    }
}
