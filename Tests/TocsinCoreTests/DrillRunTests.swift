import Foundation
import Testing
import TocsinCore

@Suite("Drill runs")
struct DrillRunCaptureTests {
    func run(receiver: String?, realTargets: Bool = false) -> DrillRun {
        DrillRun(
            id: "r1", name: "n", receiverURL: receiver, realTargets: realTargets, startedBy: "admin",
            startedAt: Date(timeIntervalSince1970: 1_795_800_000))
    }

    @Test("only the receiver a run registered is its capture receiver, not any loopback port")
    func captureIsTheRegisteredPort() {
        let registered = run(receiver: "http://127.0.0.1:5000")
        #expect(registered.isCapture("http://127.0.0.1:5000/webhook/person:alice"))
        #expect(run(receiver: "http://127.0.0.1:5000/").isCapture("http://127.0.0.1:5000/email/person:alice"))
        #expect(!registered.isCapture("http://127.0.0.1:5001/webhook/person:alice"), "another loopback port")
        #expect(!registered.isCapture("http://127.0.0.1:50000/webhook/person:alice"), "a port that starts the same")
        #expect(!registered.isCapture("http://localhost:5000/webhook/person:alice"))
        #expect(!run(receiver: "http://127.0.0.1:5000", realTargets: true).isCapture("http://127.0.0.1:5000/webhook/x"))
        #expect(!run(receiver: nil).isCapture("http://127.0.0.1:5000/webhook/x"))
    }
}
