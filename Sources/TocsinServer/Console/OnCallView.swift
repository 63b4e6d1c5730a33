import Foundation
import TocsinCore
import TocsinStore

/// The on-call page (`/ui/oncall`): who is on call now on each schedule, the next 14 days of
/// shifts in the viewer's time zone and the schedule's own, and the overrides.
struct OnCallView: Sendable {
    struct Shift: Sendable {
        let person: String
        let override: Bool
        let start: ConsoleTime
        let end: ConsoleTime
        let startZoned: String
        let endZoned: String
        let zone: String
    }

    struct Schedule: Sendable {
        let index: Int
        let name: String
        let timeZone: String
        let current: Shift?
        let shifts: [Shift]
    }

    struct Override: Sendable {
        let id: Int64
        let schedule: String
        let person: String
        let start: ConsoleTime
        let end: ConsoleTime
        let createdBy: String
        let note: String?
    }

    let layout: ConsoleLayout
    let schedules: [Schedule]
    let hasSchedules: Bool
    let overrides: [Override]
    let people: [String]
    /// The zones an override's times may be given in: UTC and the schedules' (the script adds the viewer's).
    let zones: [String]

    static let horizon: TimeInterval = 14 * 86_400

    /// Shifts with the person's next shift joined on when it follows at once from the same source
    /// kind (a layer's handovers at 09:00 and 17:00 to the same person read as one stretch).
    static func merged(_ shifts: [OnCallShift]) -> [OnCallShift] {
        var merged: [OnCallShift] = []
        for shift in shifts {
            if var last = merged.last, last.person == shift.person, last.end == shift.start,
                Self.isOverride(last.source) == Self.isOverride(shift.source)
            {
                last.end = shift.end
                merged[merged.count - 1] = last
            } else {
                merged.append(shift)
            }
        }
        return merged
    }

    private static func isOverride(_ source: OnCallSource) -> Bool {
        if case .override = source { return true }
        return false
    }

    init(configuration: TocsinConfiguration, overrides stored: [StoredOverride], layout: ConsoleLayout, now: Date) {
        self.layout = layout
        let overrides = stored.map(\.override)
        schedules = configuration.schedules.enumerated().map { index, schedule in
            let zone = TimeZone(identifier: schedule.timeZone) ?? .gmt
            func shift(_ shift: OnCallShift) -> Shift {
                return Shift(
                    person: shift.person, override: Self.isOverride(shift.source), start: ConsoleTime(shift.start),
                    end: ConsoleTime(shift.end), startZoned: ReadableTime.format(shift.start, in: zone, zoneName: false),
                    endZoned: ReadableTime.format(shift.end, in: zone, zoneName: false), zone: schedule.timeZone)
            }
            return Schedule(
                index: index, name: schedule.name, timeZone: schedule.timeZone,
                current: schedule.onCall(at: now, overrides: overrides).map(shift),
                shifts: Self.merged(schedule.shifts(from: now, until: now.addingTimeInterval(Self.horizon), overrides: overrides))
                    .map(shift))
        }
        hasSchedules = !schedules.isEmpty
        self.overrides = stored.map { override in
            Override(
                id: override.id ?? 0, schedule: override.schedule, person: override.person, start: ConsoleTime(override.startsAt),
                end: ConsoleTime(override.endsAt), createdBy: override.createdBy, note: override.note)
        }
        people = configuration.people.filter { !$0.contacts.isEmpty }.map(\.name)
        var zones = ["UTC"]
        for schedule in configuration.schedules where !zones.contains(schedule.timeZone) {
            zones.append(schedule.timeZone)
        }
        self.zones = zones
    }
}
