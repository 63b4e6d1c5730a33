import Foundation
import Testing
import TocsinCore
import TocsinDelivery
import TocsinTestSupport

/// What a receiver can make a delivery do: read a few KiB of its answer at most, and speak only
/// HTTP(S) (or SMTP for mail).
@Suite("Outbound transfers are bounded")
struct HTTPTransferLimitTests {
    @Test("a 300 MB answer is cut at the limit: the status is kept, the transfer stops, memory is not spent on it")
    func hugeAnswer() throws {
        let directory = try TemporaryDirectory("tocsin-huge-answer")
        defer { directory.remove() }
        let receiver = try PeerProcess(
            script: "webhook_receiver.py", arguments: ["--body-bytes", "\(300 << 20)"], logPath: directory.path("hooks.jsonl"))
        defer { receiver.stop() }
        let response = try HTTPTransfer.perform(HTTPTransferRequest(
            method: "POST", url: "http://127.0.0.1:\(receiver.port)/hook", body: Array("{}".utf8), maxResponseBytes: 4096))
        #expect(response.status == 200)
        #expect(response.body.count == 4096)
        // The receiver could not push the whole answer: the sender stopped reading.
        // (The receiver writes the count once the connection is gone; the file can exist a moment
        // before the number is in it.)
        let sentPath = directory.path("hooks.jsonl") + ".sent"
        func sentBytes() -> Int? { Int((try? String(contentsOfFile: sentPath, encoding: .utf8)) ?? "") }
        #expect(eventually(within: 10) { sentBytes() != nil })
        let sent = sentBytes() ?? Int.max
        #expect(sent < 300 << 20, "the receiver sent \(sent) bytes")
    }

    @Test("transfers one thread makes one after another share one connection; another thread opens its own")
    func connectionsAreReused() throws {
        let directory = try TemporaryDirectory("tocsin-keep-alive")
        defer { directory.remove() }
        let receiver = try PeerProcess(script: "webhook_receiver.py", arguments: [], logPath: directory.path("hooks.jsonl"))
        defer { receiver.stop() }
        let request = HTTPTransferRequest(method: "POST", url: "http://127.0.0.1:\(receiver.port)/hook", body: Array("{}".utf8))
        @Sendable func postThree() throws {
            for _ in 0..<3 { #expect(try HTTPTransfer.perform(request).status == 200) }
        }
        try postThree()
        let other = Thread { try? postThree() }
        other.start()
        #expect(eventually(within: 10) { receiver.records().count == 6 })
        let ports = receiver.records().compactMap { $0["client_port"] as? Int }
        #expect(ports.count == 6)
        #expect(Set(ports.prefix(3)).count == 1, "one connection for the first thread's three: \(ports)")
        #expect(Set(ports.suffix(3)).count == 1 && Set(ports).count == 2, "the other thread's own: \(ports)")
    }

    @Test("webhooks speak HTTP and HTTPS only", arguments: ["file:///etc/passwd", "gopher://127.0.0.1:1/x", "dict://127.0.0.1:1/x", "smtp://127.0.0.1:1"])
    func onlyHTTP(url: String) {
        #expect {
            try HTTPTransfer.perform(HTTPTransferRequest(method: "POST", url: url, body: Array("{}".utf8)))
        } throws: { error in
            (error as? TransferError)?.kind == .invalidRequest
        }
    }

    @Test("mail goes by SMTP only")
    func onlySMTP() {
        #expect {
            try MailTransfer.send(
                "Subject: x\r\n\r\nx\r\n", to: ["a@example.com"], settings: SMTPSettings(url: "file:///tmp/x", from: "t@example.com"),
                connectTimeout: 2, totalTimeout: 5)
        } throws: { error in
            (error as? TransferError)?.kind == .invalidRequest
        }
    }
}
