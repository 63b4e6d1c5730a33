import Crypto
import Foundation
import TocsinCore

/// `X-Twilio-Signature`: base64 of HMAC-SHA1, keyed with the account's Auth Token, over
/// ``TwilioSignature/signedText(url:parameters:)`` (the full URL, then every POST parameter's
/// name and value in name order).
///
/// Tocsin checks it on every request Twilio makes to it (a reply to a text, a call's voice URL and
/// `<Gather>` action, status callbacks), and its tests sign the requests their fake Twilio makes.
public enum TwilioSigner {
    /// The signature Twilio sends with a form POST to `url` carrying `parameters` (decoded names
    /// and values, in any order, repeats kept), under `authToken`: 28 characters of base64.
    public static func signature(url: String, parameters: [(String, String)], authToken: String) -> String {
        let text = TwilioSignature.signedText(url: url, parameters: parameters)
        let key = SymmetricKey(data: Array(authToken.utf8))
        let code = HMAC<Insecure.SHA1>.authenticationCode(for: Array(text.utf8), using: key)
        return Data(Array(code)).base64EncodedString()
    }

    /// Whether `signature` (the header's value, as received) is the one Twilio would send for a
    /// form POST to `url` with `parameters` under `authToken`.
    ///
    /// The comparison takes the same time wherever the first difference is: every byte of the
    /// expected signature is XORed with the received one and the differences are ORed together.
    /// Only a length mismatch is known early, and the expected length (28) is no secret.
    /// `url` must be the URL exactly as Twilio requested it (see
    /// ``TwilioSignature/signedText(url:parameters:)``).
    public static func isValid(signature: String, url: String, parameters: [(String, String)], authToken: String) -> Bool {
        let expected = Array(Self.signature(url: url, parameters: parameters, authToken: authToken).utf8)
        return constantTimeEqual(Array(signature.utf8), expected)
    }

    /// Whether `received` equals `expected`, looking at every byte of `expected` whatever differs.
    static func constantTimeEqual(_ received: [UInt8], _ expected: [UInt8]) -> Bool {
        var difference: UInt8 = received.count == expected.count ? 0 : 1
        for index in expected.indices {
            let byte = index < received.count ? received[index] : 0
            difference |= byte ^ expected[index]
        }
        return difference == 0
    }
}
