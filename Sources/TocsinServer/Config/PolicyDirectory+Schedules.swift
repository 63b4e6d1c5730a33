import Foundation
import TocsinCore
import Yams

extension PolicyDirectory.Reader {
    /// Reads one on-call schedule:
    ///
    /// ```yaml
    /// schedules:
    ///   - name: primary
    ///     timezone: Europe/London
    ///     layers:                          # a later layer covers an earlier one
    ///       - name: weekly
    ///         people: [alice, bob, carol]  # the rotation, in order
    ///         shift: weekly                # daily, weekly, or a duration such as 12h
    ///         handoff: "09:00"             # local time of the handoff
    ///         start: 2026-01-05            # local date of the first shift (people[0])
    ///         restrictions:                # optional: only covers these windows
    ///           - {days: [mon, tue, wed, thu, fri], from: "09:00", until: "17:00"}
    /// ```
    mutating func schedule(_ node: Node) -> OnCallSchedule? {
        guard let fields = mapping(node, "a schedule"), let name = requiredString(fields, "name", node) else { return nil }
        unknownKeys(fields, allowed: ["name", "description", "timezone", "layers"], in: "schedule \"\(name)\"")
        guard let zone = requiredString(fields, "timezone", node) else { return nil }
        var layers: [ScheduleLayer] = []
        for layerNode in items(fields["layers"], "layers") {
            if let layer = layer(layerNode, schedule: name) { layers.append(layer) }
        }
        guard !layers.isEmpty else {
            report("schedule \"\(name)\" needs at least one layer", fields["layers"] ?? node)
            return nil
        }
        do {
            return try OnCallSchedule(name: name, timeZone: zone, layers: layers)
        } catch {
            report("schedule \"\(name)\": \(error)", fields["timezone"] ?? node)
            return nil
        }
    }

    private mutating func layer(_ node: Node, schedule: String) -> ScheduleLayer? {
        guard let fields = mapping(node, "a layer"), let name = requiredString(fields, "name", node) else { return nil }
        let owner = "layer \"\(name)\" of schedule \"\(schedule)\""
        unknownKeys(fields, allowed: ["name", "people", "shift", "handoff", "start", "restrictions"], in: owner)
        let people = strings(fields["people"], "people")
        guard let shiftText = requiredString(fields, "shift", node), let startText = requiredString(fields, "start", node) else {
            return nil
        }
        guard let shift = ShiftLength.parse(shiftText) else {
            report("\(owner): shift must be daily, weekly or a duration such as 12h, got \"\(shiftText)\"", fields["shift"] ?? node)
            return nil
        }
        guard let start = LocalDate.parse(startText) else {
            report("\(owner): start must be a date such as 2026-01-05, got \"\(startText)\"", fields["start"] ?? node)
            return nil
        }
        let handoffText = string(fields["handoff"], "handoff") ?? "00:00"
        guard let handoff = LocalTime.parse(handoffText) else {
            report("\(owner): handoff must be a local time such as 09:00, got \"\(handoffText)\"", fields["handoff"] ?? node)
            return nil
        }
        var restrictions: [ScheduleRestriction] = []
        for restrictionNode in items(fields["restrictions"], "restrictions") {
            if let restriction = restriction(restrictionNode, owner: owner) { restrictions.append(restriction) }
        }
        do {
            return try ScheduleLayer(
                name: name, people: people, shift: shift, handoff: handoff, start: start, restrictions: restrictions)
        } catch {
            report("\(owner): \(error)", node)
            return nil
        }
    }

    private mutating func restriction(_ node: Node, owner: String) -> ScheduleRestriction? {
        guard let fields = mapping(node, "a restriction such as {days: [mon, fri], from: \"09:00\", until: \"17:00\"}") else {
            return nil
        }
        unknownKeys(fields, allowed: ["days", "from", "until"], in: "a restriction of \(owner)")
        var days: Set<Weekday> = []
        for (text, at) in stringsWithNodes(fields["days"], "days") {
            guard let day = Weekday.parse(text) else {
                report("\(owner): unknown day \"\(text)\" (expected mon, tue, wed, thu, fri, sat or sun)", at)
                return nil
            }
            days.insert(day)
        }
        guard let fromText = requiredString(fields, "from", node), let untilText = requiredString(fields, "until", node) else {
            return nil
        }
        guard let from = LocalTime.parse(fromText), let until = LocalTime.parse(untilText) else {
            report("\(owner): from and until must be local times such as 09:00", node)
            return nil
        }
        do {
            return try ScheduleRestriction(days: days.isEmpty ? Weekday.everyDay : days, from: from, until: until)
        } catch {
            report("\(owner): \(error)", node)
            return nil
        }
    }
}
