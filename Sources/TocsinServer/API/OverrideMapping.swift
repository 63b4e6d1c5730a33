import Foundation
import TocsinAPI
import TocsinStore

extension OverrideResource {
    /// A stored override (its id is set once stored).
    init(_ stored: StoredOverride) {
        self.init(
            id: stored.id ?? 0, schedule: stored.schedule, person: stored.person, startsAt: stored.startsAt,
            endsAt: stored.endsAt, note: stored.note, createdBy: stored.createdBy, createdAt: stored.createdAt)
    }
}

extension OverrideListResource {
    init(_ overrides: [StoredOverride]) {
        self.init(overrides: overrides.map(OverrideResource.init))
    }
}
