import Foundation
import Testing
import TocsinStore

@Suite("Wake signal")
struct WakeSignalTests {
    @Test("a wait says whether a signal or its timeout ended it; a signal sent while nobody waits is kept once")
    func signaledOrTimedOut() async {
        let signal = WakeSignal()
        #expect(await signal.wait(timeout: .milliseconds(10)) == false)
        signal.signal()
        #expect(await signal.wait(timeout: .seconds(30)) == true, "the signal sent before the wait ends it at once")
        #expect(await signal.wait(timeout: .milliseconds(10)) == false, "a signal is kept once, not twice")
        // Waiting already or not yet, the waiter returns on this one signal, long before its timeout.
        let waiter = Task { await signal.wait(timeout: .seconds(30)) }
        signal.signal()
        #expect(await waiter.value == true)
    }
}
