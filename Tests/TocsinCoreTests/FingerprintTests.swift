import Foundation
import Testing
import TocsinCore
import TocsinTestSupport

@Suite("Fingerprint")
struct FingerprintTests {
    @Test("equals Alertmanager's fingerprint for every alert in every captured payload")
    func matchesEveryCapturedFingerprint() throws {
        var checked = 0
        for (name, object) in try Fixtures.allWebhookObjects() {
            let alerts = try #require(object["alerts"] as? [[String: Any]], "\(name) has no alerts")
            for alert in alerts {
                let labels = try #require(alert["labels"] as? [String: String])
                let expected = try #require(alert["fingerprint"] as? String)
                #expect(Fingerprint(labels: labels).description == expected, "\(name): \(labels)")
                checked += 1
            }
        }
        #expect(checked == 23, "every alert of the 16 captured bodies is checked")
    }

    @Test("equals the fingerprints Alertmanager's API reports")
    func matchesAPIFingerprints() throws {
        let data = try Fixtures.data("api-v2-alerts-GET")
        let alerts = try #require(try JSONSerialization.jsonObject(with: data) as? [[String: Any]])
        #expect(!alerts.isEmpty)
        for alert in alerts {
            let labels = try #require(alert["labels"] as? [String: String])
            #expect(Fingerprint(labels: labels).description == alert["fingerprint"] as? String)
        }
    }

    @Test("the empty label set hashes to the FNV-1a offset basis")
    func emptyLabelSet() {
        #expect(Fingerprint(labels: [:]).description == "cbf29ce484222325")
    }

    @Test("annotations do not count, label order does not matter, any value change does")
    func identityRules() {
        let a = Fingerprint(labels: ["alertname": "A", "instance": "x"])
        let b = Fingerprint(labels: ["instance": "x", "alertname": "A"])
        let c = Fingerprint(labels: ["alertname": "A", "instance": "y"])
        #expect(a == b)
        #expect(a != c)
    }

    @Test("hashes a label's UTF-8 bytes: names and values beyond ASCII, and an empty value")
    func hashesUTF8Bytes() {
        // FNV-1a over the UTF-8 of `alertname 0xFF Über 0xFF team 0xFF ops-東京 0xFF z 0xFF 0xFF`,
        // worked out apart from this code.
        #expect(Fingerprint(labels: ["team": "ops-東京", "alertname": "Über", "z": ""]).description == "f1b814582eb2fe56")
    }

    @Test("label names follow Prometheus: [a-zA-Z_][a-zA-Z0-9_]*", arguments: [
        ("alertname", true), ("_private", true), ("Z9_z", true), ("a", true),
        ("", false), ("9lives", false), ("my-label", false), ("é", false), ("a b", false), ("a\u{0}", false),
    ])
    func labelNames(name: String, valid: Bool) {
        #expect(LabelRules.isValidName(name) == valid)
    }

    @Test("parses and prints 16 hex digits, keeping leading zeros")
    func hexRoundTrip() throws {
        let parsed = try #require(Fingerprint(hex: "00000000000000ff"))
        #expect(parsed.value == 255)
        #expect(parsed.description == "00000000000000ff")
        #expect(Fingerprint(hex: "ff") == nil)
        #expect(Fingerprint(hex: "zzzzzzzzzzzzzzzz") == nil)
    }
}
