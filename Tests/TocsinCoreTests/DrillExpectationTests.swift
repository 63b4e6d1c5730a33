import Testing
import TocsinCore

@Suite("Drill expectations")
struct DrillExpectationTests {
    let deliveries = [
        DrillDelivery(offset: 0.2, incidentID: 1, target: "person:alice", medium: .email, event: .triggered),
        DrillDelivery(offset: 0.2, incidentID: 1, target: "person:alice", medium: .webhook, event: .triggered),
        DrillDelivery(offset: 300, incidentID: 1, target: "person:bob", medium: .email, event: .escalated),
        DrillDelivery(offset: 420, incidentID: 1, target: "person:alice", medium: .email, event: .resolved),
    ]

    @Test("notified: by when, not before, by which medium, how many")
    func notified() {
        #expect(DrillExpectation.notified(target: "alice", via: nil, event: .triggered, notBefore: 0, within: 60, count: nil).evaluate(deliveries).met)
        #expect(!DrillExpectation.notified(target: "bob", via: nil, event: nil, notBefore: 0, within: 299, count: nil).evaluate(deliveries).met)
        #expect(DrillExpectation.notified(target: "bob", via: .email, event: .escalated, notBefore: 300, within: 330, count: 1).evaluate(deliveries).met)
        #expect(!DrillExpectation.notified(target: "bob", via: .webhook, event: nil, notBefore: 0, within: nil, count: nil).evaluate(deliveries).met)
        #expect(DrillExpectation.notified(target: "alice", via: nil, event: .triggered, notBefore: 0, within: 1, count: 1).evaluate(deliveries).met)
        #expect(!DrillExpectation.notified(target: "alice", via: nil, event: nil, notBefore: 0, within: 1, count: 1).evaluate(deliveries).met)
    }

    @Test("not paged, and resolved notices to everyone paged")
    func others() {
        #expect(DrillExpectation.notPaged(target: "carol", after: 0).evaluate(deliveries).met)
        #expect(!DrillExpectation.notPaged(target: "bob", after: 0).evaluate(deliveries).met)
        #expect(DrillExpectation.notPaged(target: "bob", after: 300).evaluate(deliveries).met)
        let result = DrillExpectation.resolvedNoticeToEveryonePaged.evaluate(deliveries)
        #expect(!result.met)
        #expect(result.actual.contains("person:alice by webhook") && result.actual.contains("person:bob by email"))
    }
}
