import Foundation
import Testing
@testable import TocsinDelivery
import TocsinStore

/// The phone rate limit's ledger: a decision and its reservation are one step, so the limit holds
/// however many workers text one number at once and however late their attempts are recorded.
@Suite("Phone rate limit ledger")
struct PhoneLedgerTests {
    let t0 = Date(timeIntervalSince1970: 1_795_800_000)
    let phone = "+441632960002"

    @Test("texts up to the limit go, counting what earlier processes sent; then one notice; then held")
    func limitThenNoticeThenHold() {
        let ledger = PhoneLedger()
        let earlier = PhoneUsage(sent: 1, noticeSent: false)
        guard case .send(let first) = ledger.reserve(address: phone, now: t0, limit: 3, earlier: earlier) else {
            Issue.record("the second text of the hour goes")
            return
        }
        #expect(ledger.reserve(address: phone, now: t0, limit: 3, earlier: earlier) == .send(reservation: first + 1))
        #expect(ledger.reserve(address: phone, now: t0, limit: 3, earlier: earlier) == .notice(reservation: first + 2))
        #expect(ledger.reserve(address: phone, now: t0, limit: 3, earlier: earlier) == .hold(used: 3))
        // Another number has its own hour.
        #expect(ledger.reserve(address: "+441632960003", now: t0, limit: 3, earlier: PhoneUsage(sent: 0, noticeSent: false))
            == .send(reservation: first + 4))
        // A text Twilio did not take is given back: the next one may go.
        ledger.cancel(first, address: phone)
        #expect(ledger.reserve(address: phone, now: t0, limit: 3, earlier: earlier) == .send(reservation: first + 5))
        // An hour later, the hour's texts and notice no longer count.
        #expect(ledger.reserve(address: phone, now: t0.addingTimeInterval(3601), limit: 3, earlier: PhoneUsage(sent: 0, noticeSent: false))
            == .send(reservation: first + 6))
    }

    @Test("a notice Twilio did not take is given back; a notice an earlier process sent is not sent again")
    func notice() {
        let ledger = PhoneLedger()
        guard case .notice(let notice) = ledger.reserve(address: phone, now: t0, limit: 1, earlier: PhoneUsage(sent: 1, noticeSent: false)) else {
            Issue.record("the notice goes")
            return
        }
        ledger.cancel(notice, address: phone)
        #expect(ledger.reserve(address: phone, now: t0, limit: 1, earlier: PhoneUsage(sent: 1, noticeSent: false)) == .notice(reservation: notice + 1))
        #expect(PhoneLedger().reserve(address: phone, now: t0, limit: 1, earlier: PhoneUsage(sent: 1, noticeSent: true)) == .hold(used: 1))
    }

    @Test("200 workers texting one number at once: exactly the limit goes, and one notice")
    func concurrentWorkers() async {
        let ledger = PhoneLedger()
        let decisions = await withTaskGroup(of: PhoneLedger.Decision.self) { group in
            for _ in 0..<200 {
                group.addTask { ledger.reserve(address: phone, now: t0, limit: 5, earlier: PhoneUsage(sent: 0, noticeSent: false)) }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(decisions.filter { if case .send = $0 { true } else { false } }.count == 5)
        #expect(decisions.filter { if case .notice = $0 { true } else { false } }.count == 1)
        #expect(decisions.filter { $0 == .hold(used: 5) }.count == 194)
    }
}
