import Foundation
import Testing
import TocsinCore
import TocsinDelivery
import TocsinTestSupport

@Suite("SMTP through libcurl, against a real SMTP server")
struct MailTransferTests {
    @Test("a message arrives byte for byte: CRLF endings, and lines starting with dots survive (curl stuffs them)")
    func dotStuffing() throws {
        let directory = try TemporaryDirectory("tocsin-smtp")
        defer { directory.remove() }
        let smtp = try PeerProcess(script: "smtp_sink.py", arguments: [], logPath: directory.path("mail.jsonl"))
        defer { smtp.stop() }
        let message = [
            "From: Tocsin <tocsin@example.com>", "To: alice@example.com", "Subject: dots", "", "first line", ".", ".leading dot",
            "..two dots", "last line", "",
        ].joined(separator: "\r\n")
        let code = try MailTransfer.send(
            message, to: ["alice@example.com"], settings: SMTPSettings(url: "smtp://127.0.0.1:\(smtp.port)", from: "Tocsin <tocsin@example.com>"),
            connectTimeout: 5, totalTimeout: 10)
        #expect(code == 250)
        let record = try #require(smtp.waitForRecords(1, seconds: 10).first)
        let raw = try #require(record["raw"] as? String)
        #expect(raw.replacingOccurrences(of: "\r\n", with: "\n") == message.replacingOccurrences(of: "\r\n", with: "\n"))
        #expect(record["mail_from"] as? String == "tocsin@example.com")
    }

    @Test("no server listening is a connection failure, reported as such")
    func refused() throws {
        let port = try freeLoopbackPort()
        #expect {
            try MailTransfer.send(
                "Subject: x\r\n\r\nx\r\n", to: ["a@example.com"], settings: SMTPSettings(url: "smtp://127.0.0.1:\(port)", from: "t@example.com"),
                connectTimeout: 2, totalTimeout: 5)
        } throws: { error in
            (error as? TransferError)?.kind == .couldNotConnect
        }
    }
}
