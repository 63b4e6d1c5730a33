import Foundation
import TocsinAPI
import TocsinCore

extension DrillRunResource {
    init(_ run: DrillRun) {
        self.init(
            id: run.id, name: run.name, receiverURL: run.receiverURL, realTargets: run.realTargets,
            startedBy: run.startedBy, startedAt: run.startedAt, finishedAt: run.finishedAt)
    }
}

extension DrillListResource {
    init(_ runs: [DrillRun]) {
        self.init(drills: runs.map(DrillRunResource.init))
    }
}
