import Foundation
import TocsinAPI
import TocsinCore
import TocsinStore

extension IngestResultResource {
    /// What storing a batch did, as the sender is told: the incident (if any), its state, the counts.
    init(_ result: IngestResult) {
        self.init(
            incidentIDs: result.incidentID.map { [$0] } ?? [], state: result.state,
            alerts: IngestCountsResource(result.counts))
    }
}

extension IngestCountsResource {
    init(_ counts: IngestPlan.Counts) {
        self.init(new: counts.new, updated: counts.updated, resolved: counts.resolved, ignored: counts.ignored)
    }
}
