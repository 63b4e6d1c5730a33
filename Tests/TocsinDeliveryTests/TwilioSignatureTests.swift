import Foundation
import Testing
import TocsinCore
@testable import TocsinDelivery
import TocsinTestSupport

/// `X-Twilio-Signature` against Twilio's published example (Tests/Fixtures/twilio), every way a
/// check must fail, and the form bodies and phone numbers Twilio's requests carry.
@Suite("Twilio signatures")
struct TwilioSignatureTests {
    /// One signed request of `signature-example.json`.
    struct Example: Decodable {
        var authToken: String
        var url: String
        var parameters: [[String]]
        var formBody: String
        var signedText: String
        var expectedSignature: String

        /// The `[name, value]` entries as pairs, in the file's order.
        var pairs: [(String, String)] {
            parameters.compactMap { entry -> (String, String)? in entry.count == 2 ? (entry[0], entry[1]) : nil }
        }
    }

    /// The whole fixture: the worked example (its top-level members) and the repeated-name vector.
    struct Fixture: Decodable {
        var example: Example
        var repeatedNames: Example

        private enum CodingKeys: String, CodingKey { case repeatedNames }

        init(from decoder: any Decoder) throws {
            example = try Example(from: decoder)
            repeatedNames = try decoder.container(keyedBy: CodingKeys.self).decode(Example.self, forKey: .repeatedNames)
        }
    }

    static func fixture() throws -> Fixture {
        let file = Fixtures.repositoryRoot.appendingPathComponent("Tests/Fixtures/twilio/signature-example.json")
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(Fixture.self, from: Data(contentsOf: file))
    }

    @Test("Twilio's worked example: the string to sign and the signature are reproduced")
    func documentedExample() throws {
        let example = try Self.fixture().example
        #expect(example.pairs.count == 5)
        #expect(TwilioSignature.signedText(url: example.url, parameters: example.pairs) == example.signedText)
        let signature = TwilioSigner.signature(url: example.url, parameters: example.pairs, authToken: example.authToken)
        #expect(signature == example.expectedSignature)
        #expect(TwilioSigner.isValid(signature: example.expectedSignature, url: example.url,
                                     parameters: example.pairs, authToken: example.authToken))
        // The order the parameters come in does not matter.
        #expect(TwilioSigner.isValid(signature: example.expectedSignature, url: example.url,
                                     parameters: Array(example.pairs.reversed()), authToken: example.authToken))
    }

    @Test("the example's form body, parsed, signs to the same signature")
    func documentedExampleFromForm() throws {
        let example = try Self.fixture().example
        let parsed = TwilioSignature.parseForm(example.formBody)
        #expect(parsed.map { $0.0 } == example.pairs.map { $0.0 })
        #expect(parsed.map { $0.1 } == example.pairs.map { $0.1 })
        #expect(TwilioSigner.isValid(signature: example.expectedSignature, url: example.url,
                                     parameters: parsed, authToken: example.authToken))
    }

    @Test("a name sent twice keeps both values, sorted by value (Twilio's repeated-name vector)")
    func repeatedNames() throws {
        let example = try Self.fixture().repeatedNames
        #expect(TwilioSignature.signedText(url: example.url, parameters: example.pairs) == example.signedText)
        #expect(TwilioSigner.signature(url: example.url, parameters: example.pairs, authToken: example.authToken)
            == example.expectedSignature)
        let parsed = TwilioSignature.parseForm(example.formBody)
        #expect(parsed.count == 4)
        #expect(TwilioSigner.signature(url: example.url, parameters: parsed, authToken: example.authToken)
            == example.expectedSignature)
    }

    @Test("a changed parameter, a changed URL, a missing parameter, an added one and a wrong token each fail")
    func refusals() throws {
        let example = try Self.fixture().example
        let signature = example.expectedSignature
        func valid(url: String? = nil, parameters: [(String, String)]? = nil, token: String? = nil) -> Bool {
            TwilioSigner.isValid(signature: signature, url: url ?? example.url,
                                 parameters: parameters ?? example.pairs, authToken: token ?? example.authToken)
        }
        #expect(valid())
        let changed: [(String, String)] = example.pairs.map { $0.0 == "Digits" ? ($0.0, "1235") : $0 }
        #expect(!valid(parameters: changed))
        let renamed: [(String, String)] = example.pairs.map { $0.0 == "Digits" ? ("digits", $0.1) : $0 }
        #expect(!valid(parameters: renamed))
        #expect(!valid(url: "https://mycompany.com/myapp.php?foo=1&bar=3"))
        #expect(!valid(url: "http://mycompany.com/myapp.php?foo=1&bar=2"))
        #expect(!valid(url: "https://mycompany.com/myapp.php"))
        let missing = example.pairs.filter { $0.0 != "Caller" }
        #expect(!valid(parameters: missing))
        #expect(!valid(parameters: example.pairs + [("Body", "")]))
        #expect(!valid(token: "12346"))
        #expect(!valid(token: ""))
    }

    @Test("a damaged, truncated, lengthened or empty signature fails")
    func damagedSignatures() throws {
        let example = try Self.fixture().example
        func valid(_ signature: String) -> Bool {
            TwilioSigner.isValid(signature: signature, url: example.url, parameters: example.pairs, authToken: example.authToken)
        }
        var flipped = Array(example.expectedSignature)
        flipped[0] = flipped[0] == "A" ? "B" : "A"
        #expect(!valid(String(flipped)))
        var last = Array(example.expectedSignature)
        last[last.count - 2] = last[last.count - 2] == "A" ? "B" : "A"
        #expect(!valid(String(last)))
        #expect(!valid(String(example.expectedSignature.dropLast())))
        #expect(!valid(example.expectedSignature + "="))
        #expect(!valid(" " + example.expectedSignature))
        #expect(!valid(""))
        #expect(TwilioSigner.constantTimeEqual(Array("abc".utf8), Array("abc".utf8)))
        #expect(!TwilioSigner.constantTimeEqual(Array("abd".utf8), Array("abc".utf8)))
        #expect(!TwilioSigner.constantTimeEqual(Array("ab".utf8), Array("abc".utf8)))
        #expect(!TwilioSigner.constantTimeEqual(Array("abc\u{0}".utf8), Array("abc".utf8)))
        #expect(!TwilioSigner.constantTimeEqual([], Array("abc".utf8)))
    }

    @Test("names sort by bytes, case-sensitively: upper case before lower case")
    func byteOrder() {
        let text = TwilioSignature.signedText(url: "https://example.com/x", parameters: [("b", "2"), ("B", "1"), ("a", "3"), ("Ab", "")])
        #expect(text == "https://example.com/xAbB1a3b2")
    }

    @Test("form bodies: + is a space, %2B a plus, %20 a space; repeats and order are kept")
    func parseForm() {
        let fields = TwilioSignature.parseForm("Body=42A+now&From=%2B441632960001&Note=a%20b&Body=second&Empty=&Flag")
        #expect(fields.map { $0.0 } == ["Body", "From", "Note", "Body", "Empty", "Flag"])
        #expect(fields.map { $0.1 } == ["42A now", "+441632960001", "a b", "second", "", ""])
        #expect(TwilioSignature.parseForm("").isEmpty)
        #expect(TwilioSignature.parseForm("a=1&&b=2").map { $0.0 } == ["a", "b"])
        // Only the first `=` separates; a later one is part of the value.
        #expect(TwilioSignature.parseForm("a=b=c").map { $0.1 } == ["b=c"])
        // Names are decoded too, and UTF-8 is read from the decoded bytes.
        let accented = TwilioSignature.parseForm("N%61me=caf%C3%A9+%E2%9C%93")
        #expect(accented.map { $0.0 } == ["Name"])
        #expect(accented.map { $0.1 } == ["café ✓"])
        // A stray `%` is kept as it is, not an error.
        #expect(TwilioSignature.parseForm("a=100%&b=%zz&c=%4").map { $0.1 } == ["100%", "%zz", "%4"])
    }

    @Test("phone numbers: E.164 only, + then 2 to 15 digits, not starting with 0")
    func e164() {
        for number in ["+441632960001", "+15005550006", "+12", "+123456789012345"] {
            #expect(PhoneNumber.isE164(number), "\(number)")
        }
        for number in ["441632960001", "+0441632960001", "+44 1632 960001", "+1234567890123456", "", "+", "+1",
                       "+44-1632-960001", "0044163296001", "+4416329600O1", "++441632960001", "+٤٤١٦٣٢٩٦٠٠٠١"]
        {
            #expect(!PhoneNumber.isE164(number), "\(number)")
        }
    }
}
