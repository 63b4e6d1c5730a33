import Foundation

extension OnCallSchedule {
    /// Who is on call at `instant`, or nil when nobody is.
    ///
    /// An override of this schedule in force at `instant` wins (overlapping overrides: the latest
    /// `from` wins, then the later one in `overrides`); otherwise the topmost layer on call at
    /// `instant` (started, and inside a restriction window if it has any). The assignment's bounds
    /// are the override's, or the layer turn's (see ``OnCallAssignment``).
    public func onCall(at instant: Date, overrides: [ScheduleOverride] = []) -> OnCallAssignment? {
        if let override = winningOverride(at: instant, among: overrides) {
            return OnCallAssignment(
                person: override.person, source: .override(id: override.id), start: override.from, end: override.until)
        }
        guard let (layer, turn) = topmostTurn(at: instant) else { return nil }
        return OnCallAssignment(person: turn.person, source: .layer(layer.name), start: turn.start, end: turn.end)
    }

    /// Who takes over at the next handoff of the rotation on call at `instant`, or nil when no
    /// layer is on call at `instant`.
    ///
    /// The rule: take the topmost layer on call at `instant` (overrides do not choose the layer)
    /// and the turn that follows its current one. If an override of this schedule is in force at
    /// the instant that next turn begins, the answer is that override (its person, id and bounds);
    /// otherwise it is the next person in the layer's rotation with the next turn's bounds. A
    /// one-person rotation hands over to the same person. The next turn may begin outside the
    /// layer's restriction windows: it is still the next person's turn.
    public func nextOnCall(at instant: Date, overrides: [ScheduleOverride] = []) -> OnCallAssignment? {
        guard let (layer, current) = topmostTurn(at: instant) else { return nil }
        let next = layer.turn(current.index + 1, in: calendar)
        if let override = winningOverride(at: next.start, among: overrides) {
            return OnCallAssignment(
                person: override.person, source: .override(id: override.id), start: override.from, end: override.until)
        }
        return OnCallAssignment(person: next.person, source: .layer(layer.name), start: next.start, end: next.end)
    }

    /// The topmost layer on call at `instant`, with its turn there.
    func topmostTurn(at instant: Date) -> (ScheduleLayer, LayerTurn)? {
        for layer in layers.reversed() where layer.isOnCall(at: instant, in: calendar) {
            if let turn = layer.turn(containing: instant, in: calendar) { return (layer, turn) }
        }
        return nil
    }

    /// The override of this schedule that wins at `instant`: among those in force, the latest
    /// `from`, then the later in the array.
    func winningOverride(at instant: Date, among overrides: [ScheduleOverride]) -> ScheduleOverride? {
        var winner: ScheduleOverride?
        for override in overrides where override.scheduleName == name && override.covers(instant) {
            if let current = winner, current.from > override.from { continue }
            winner = override
        }
        return winner
    }
}
