import Foundation
import Testing
import TocsinCore
import TocsinTestSupport

/// The hand-written webhook reader against Foundation's `JSONDecoder` as the reference: same batch
/// for every captured payload and for tricky but valid JSON, and clear errors for broken JSON.
@Suite("Alertmanager webhook reader")
struct WebhookReaderTests {
    let now = Date(timeIntervalSince1970: 1_795_800_000)

    private func reference(_ body: [UInt8]) throws -> AlertBatch {
        try JSONDecoder().decode(AlertmanagerWebhook.self, from: Data(body)).validated(receivedAt: now)
    }

    @Test("every captured webhook reads as Foundation's decoder reads it", arguments: Fixtures.webhookNames)
    func matchesFoundationOnCaptures(name: String) throws {
        let body = Array(try Fixtures.data(name))
        #expect(try AlertmanagerWebhook.decode(body, receivedAt: now) == reference(body))
    }

    static let validBodies: [String] = [
        // escapes, surrogate pairs, a byte order mark, whitespace everywhere, nulls for optional fields
        "\u{FEFF}" + #" { "version" : "4" , "status":"firing","receiver":"r\"\\\/\b\f\n\r\t","groupKey":"{}:{a=\"\u00e9\"}","#
            + #""externalURL":null,"truncatedAlerts":2.0,"alerts":[ {"status":"firing","labels":{"a":"\ud83d\ude00 x","b":""},"annotations":null} ] } "#
            + "\r\n\t",
        // unknown fields of every kind are passed over
        #"{"version":"4","status":"firing","receiver":"r","groupKey":"k","x":[1,-2.5e+3,true,false,null,{"y":[[]]},"s"],"alerts":[{"status":"firing","labels":{"a":"b"},"z":{}}]}"#,
        // a repeated key keeps its first value, as Foundation's decoder does
        #"{"version":"4","status":"firing","receiver":"first","receiver":"second","groupKey":"k","alerts":[{"status":"firing","labels":{"a":"1","a":"2"}}]}"#,
        // integers written as exact decimals
        #"{"version":"4","status":"firing","receiver":"r","groupKey":"k","truncatedAlerts":1e2,"alerts":[]}"#,
    ]

    @Test("tricky valid JSON reads as Foundation's decoder reads it", arguments: validBodies)
    func matchesFoundationOnValidJSON(body: String) throws {
        let bytes = Array(body.utf8)
        #expect(try AlertmanagerWebhook.decode(bytes, receivedAt: now) == reference(bytes))
    }

    @Test("a repeated key keeps its first value")
    func firstKeyWins() throws {
        let batch = try AlertmanagerWebhook.decode(Array(Self.validBodies[2].utf8), receivedAt: now)
        #expect(batch.receiver == "first")
        #expect(batch.alerts[0].labels == ["a": "1"])
    }

    static let broken: [(body: [UInt8], field: String, fragment: String)] = [
        (Array(#"{"version":"4""#.utf8), "", "at byte 14"),
        (Array(#"{"version":"4",}"#.utf8), "", "quoted object key"),
        (Array(#"{"version":"4"} x"#.utf8), "", "after the JSON value"),
        (Array(#"{"version":"\x"}"#.utf8), "", "invalid escape"),
        (Array(#"{"version":"\ud800"}"#.utf8), "", "unpaired surrogate"),
        (Array("{\"version\":\"a\tb\"}".utf8), "", "control character"),
        ([0x7B, 0x22, 0x76, 0x22, 0x3A, 0x22, 0xFF, 0x22, 0x7D], "", "not valid UTF-8"),
        (Array(#"{"version":"4","x":01}"#.utf8), "", "leading zero"),
        (Array(#"{"version":"4","x":tru}"#.utf8), "", "invalid literal"),
        (Array(("{\"x\":" + String(repeating: "[", count: 100) + String(repeating: "]", count: 100) + "}").utf8), "", "levels deep"),
        (Array(#"{"version":4}"#.utf8), "version", "expected a string"),
        (Array(#"{"truncatedAlerts":1.5}"#.utf8), "truncatedAlerts", "expected an integer"),
        (Array(#"{"alerts":{}}"#.utf8), "alerts", "expected an array"),
        (Array(#"{"alerts":[1]}"#.utf8), "alerts[0]", "expected an object"),
        (Array(#"{"groupLabels":[]}"#.utf8), "groupLabels", "expected an object of string values"),
        (Array(#"{"alerts":[{"labels":{"a":null}}]}"#.utf8), "alerts[0].labels.a", "got null"),
        (Array("[]".utf8), "", "expected an object"),
        ([], "", "expected a value"),
    ]

    @Test("broken bodies are rejected with the field or the byte offset", arguments: broken)
    func rejects(_ testCase: (body: [UInt8], field: String, fragment: String)) {
        #expect {
            try AlertmanagerWebhook.decode(testCase.body, receivedAt: now)
        } throws: { error in
            guard let error = error as? IngestValidationError else { return false }
            return error.field == testCase.field && error.description.contains(testCase.fragment)
        }
    }
}
