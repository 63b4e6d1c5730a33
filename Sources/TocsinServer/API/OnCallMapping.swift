import Foundation
import TocsinAPI
import TocsinCore

extension ShiftResource {
    /// A person's shift, or turn, with its source as `layer NAME` or `override #ID`.
    init(_ shift: OnCallShift) {
        self.init(person: shift.person, source: Self.source(shift.source), start: shift.start, end: shift.end)
    }

    /// A stretch with nobody on call.
    init(gap: DateInterval) {
        self.init(person: nil, source: "gap", start: gap.start, end: gap.end)
    }

    static func source(_ source: OnCallSource) -> String {
        switch source {
        case .layer(let name): "layer \(name)"
        case .override(let id): "override #\(id ?? 0)"
        }
    }
}

extension OnCallResource {
    /// `schedule` at `at`: `oncall` and `next` as `schedule.onCall(at:overrides:)` and
    /// `schedule.nextOnCall(at:overrides:)` answer.
    init(_ schedule: OnCallSchedule, at: Date, oncall: OnCallAssignment?, next: OnCallAssignment?) {
        self.init(
            schedule: schedule.name, timezone: schedule.timeZone, at: at, oncall: oncall.map(ShiftResource.init),
            next: next.map(ShiftResource.init))
    }
}

extension OnCallTimelineResource {
    /// The schedule's shifts with its gaps filled in as shifts of nobody, ordered by start.
    init(_ schedule: OnCallSchedule, shifts: [OnCallShift], gaps: [DateInterval]) {
        let all = shifts.map(ShiftResource.init) + gaps.map(ShiftResource.init(gap:))
        self.init(schedule: schedule.name, timezone: schedule.timeZone, shifts: all.sorted { $0.start < $1.start })
    }

    /// The timeline of `schedule` over `[from, until)`.
    init(_ schedule: OnCallSchedule, from: Date, until: Date, overrides: [ScheduleOverride]) {
        self.init(
            schedule, shifts: schedule.shifts(from: from, until: until, overrides: overrides),
            gaps: schedule.gaps(from: from, until: until, overrides: overrides))
    }
}
