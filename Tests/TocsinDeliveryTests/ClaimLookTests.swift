import Foundation
import Testing
import TocsinCore
import TocsinStore

@testable import TocsinDelivery

/// When a turn of the dispatcher's loop may record without looking for work to claim: only while
/// the last short look's answer holds.
@Suite("Claim look: a turn looks for work only when the last answer may have changed")
struct ClaimLookTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)
    let receiver = "https://hooks.example.com/page"
    let other = "https://other.example.com/page"

    private func attempt(to url: String, outcome: DeliveryPolicy.Outcome = .sent) -> CompletedAttempt {
        let entry = OutboxEntry(
            NotificationDraft(
                incidentID: 42, idempotencyKey: "42-step-1-person:alice", event: .triggered, target: "person:alice",
                contact: .webhook(url), urgent: true, subject: "[CRITICAL] #42", body: "Incident #42", step: nil),
            now: t0)
        return CompletedAttempt(
            entry: entry, startedAt: t0, finishedAt: t0, statusCode: 200, error: nil, outcome: outcome, rendered: "{}")
    }

    /// Two lanes to `receiver` in flight, its limit: it has no room; `other` has.
    private var saturated: DestinationLimit {
        DestinationLimit(
            perDestination: 2, inFlight: [DeliveryDestination.of(medium: .webhook, address: receiver): 2], pagesPerLane: 16)
    }

    /// A look made at t0 that claimed less than it asked for, the next due time a minute away.
    private var afterShortLook: ClaimLook {
        var look = ClaimLook(longestHold: 30)
        look.looked(short: true, nextDue: t0.addingTimeInterval(60), at: t0)
        return look
    }

    @Test("the first turn looks")
    func firstTurnLooks() {
        #expect(ClaimLook().mustLook(now: t0, finished: [], released: [], destinationLimit: saturated))
    }

    @Test("after a short look, pages sent to a destination at its limit are recorded without looking")
    func saturatedDestinationDoesNotLook() {
        let finished = [attempt(to: receiver), attempt(to: receiver, outcome: .dead(reason: "refused"))]
        #expect(!afterShortLook.mustLook(now: t0.addingTimeInterval(1), finished: finished, released: [], destinationLimit: saturated))
    }

    @Test("a page finished to a destination with room looks: one waiting behind it may go now")
    func destinationWithRoomLooks() {
        let finished = [attempt(to: receiver), attempt(to: other)]
        #expect(afterShortLook.mustLook(now: t0.addingTimeInterval(1), finished: finished, released: [], destinationLimit: saturated))
    }

    @Test("an attempt to be retried looks: its new due time is not the one found")
    func retryLooks() {
        let finished = [attempt(to: receiver, outcome: .retry(at: t0.addingTimeInterval(5), reason: "HTTP 503"))]
        #expect(afterShortLook.mustLook(now: t0.addingTimeInterval(1), finished: finished, released: [], destinationLimit: saturated))
    }

    @Test("claims given back look")
    func releasedLooks() {
        let released = [attempt(to: receiver).entry]
        #expect(afterShortLook.mustLook(now: t0.addingTimeInterval(1), finished: [], released: released, destinationLimit: saturated))
    }

    @Test("the time reaching the next due time looks, and not before")
    func nextDueLooks() {
        var look = ClaimLook(longestHold: 120)
        look.looked(short: true, nextDue: t0.addingTimeInterval(60), at: t0)
        #expect(!look.mustLook(now: t0.addingTimeInterval(59.9), finished: [], released: [], destinationLimit: saturated))
        #expect(look.mustLook(now: t0.addingTimeInterval(60), finished: [], released: [], destinationLimit: saturated))
    }

    @Test("an answer is kept no longer than its longest hold, even with nothing due: an idle loop looks every time it wakes")
    func holdEnds() {
        var look = ClaimLook(longestHold: 1)
        look.looked(short: true, nextDue: nil, at: t0)
        #expect(!look.mustLook(now: t0.addingTimeInterval(0.9), finished: [], released: [], destinationLimit: saturated))
        #expect(look.mustLook(now: t0.addingTimeInterval(1), finished: [], released: [], destinationLimit: saturated))
        #expect(look.mustLook(now: t0.addingTimeInterval(60), finished: [], released: [], destinationLimit: saturated))
    }

    @Test("new work or a lane's end looks again")
    func invalidatedLooks() {
        var look = afterShortLook
        look.invalidate()
        #expect(look.mustLook(now: t0.addingTimeInterval(1), finished: [attempt(to: receiver)], released: [], destinationLimit: saturated))
    }

    @Test("a look that took every lane it asked for is not kept: the next turn looks")
    func fullLookIsNotKept() {
        var look = ClaimLook()
        look.looked(short: false, nextDue: nil, at: t0)
        #expect(look.mustLook(now: t0, finished: [attempt(to: receiver)], released: [], destinationLimit: saturated))
    }
}
