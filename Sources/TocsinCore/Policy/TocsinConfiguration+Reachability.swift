import Foundation

extension NotifyTarget {
    /// Whether the target is resolved through a schedule when its step runs.
    public var isOnCall: Bool {
        if case .oncall = self { return true }
        return false
    }
}

extension TocsinConfiguration {
    /// Proves every step of every policy reaches someone at every instant from `now` for `days`
    /// days: a step whose targets include on-call schedules is unreachable while each of its
    /// targets resolves to nobody (a gap in the schedule) or to someone without a contact method.
    /// Each unreachable stretch is reported with its times (UTC) and why. Overrides are not
    /// considered: they come and go, the reviewed files must hold on their own.
    public func reachabilityProblems(from now: Date, days: Int = 30) -> [ConfigurationProblem] {
        let end = now.addingTimeInterval(Double(days) * 86_400)
        let directory = OnCallDirectory(configuration: self, overrides: [])
        var problems: [ConfigurationProblem] = []
        for policy in policies {
            for (index, step) in policy.steps.enumerated() where step.notify.contains(where: \.isOnCall) {
                let schedules = step.notify.compactMap { target -> OnCallSchedule? in
                    if case .oncall(let name, _) = target { return schedule(name) }
                    return nil
                }
                guard schedules.count == step.notify.filter(\.isOnCall).count else { continue }  // unknown: reported elsewhere
                let label = step.label(in: policy.name, index: index)
                // Who a step reaches only changes at shift boundaries, so checking each stretch
                // between boundaries once is exhaustive.
                var boundaries = Set([now, end])
                for schedule in schedules {
                    for shift in schedule.shifts(from: now, until: end) {
                        boundaries.insert(max(shift.start, now))
                        boundaries.insert(min(shift.end, end))
                    }
                    for gap in schedule.gaps(from: now, until: end) {
                        boundaries.insert(max(gap.start, now))
                        boundaries.insert(min(gap.end, end))
                    }
                }
                let instants = boundaries.sorted()
                var stretches: [(start: Date, end: Date, why: String)] = []
                for (start, stop) in zip(instants, instants.dropFirst()) where start < stop {
                    guard let why = unreachable(step, at: start, directory: directory) else { continue }
                    if let last = stretches.last, last.end == start, last.why == why {
                        stretches[stretches.count - 1].end = stop
                    } else {
                        stretches.append((start, stop, why))
                    }
                }
                for stretch in stretches.prefix(5) {
                    problems.append(.init(
                        "\(label) reaches nobody from \(RFC3339.format(stretch.start)) to \(RFC3339.format(stretch.end)): \(stretch.why)",
                        at: policyLocations[policy.name]))
                }
                if stretches.count > 5 {
                    problems.append(.init("\(label): \(stretches.count - 5) more unreachable stretches in the next \(days) days",
                                          at: policyLocations[policy.name]))
                }
            }
        }
        return problems
    }

    /// Why `step` reaches nobody at `instant`, or nil when someone can be reached.
    private func unreachable(_ step: EscalationPolicy.Step, at instant: Date, directory: OnCallDirectory) -> String? {
        var reasons: [String] = []
        for target in step.notify {
            guard case .oncall(let schedule, let next) = target else {
                if !contacts(for: target).isEmpty { return nil }
                reasons.append("\(target.key) has no contact method")
                continue
            }
            guard let assignment = directory.resolve(schedule: schedule, next: next, at: instant) else {
                reasons.append("nobody is on call for \(schedule)")
                continue
            }
            if directory.contacts[assignment.person]?.isEmpty == false { return nil }
            reasons.append("\(assignment.person), on call for \(schedule), has no contact method")
        }
        return reasons.joined(separator: "; ")
    }
}
