import Crypto
import Foundation
import Testing
import TocsinCore
import TocsinTestSupport
import X509
import _CryptoExtras

@testable import TocsinServer

/// SNS signatures checked against a key and self-signed certificate made at test time: SHA1withRSA
/// (version 1) and SHA256withRSA (version 2) over the string to sign of each fixture, and every
/// way a check can fail.
@Suite("SNS signatures")
struct SNSSignatureTests {
    static let now = Date(timeIntervalSince1970: 1_795_800_000)

    typealias Signer = SNSTestSigner

    /// Made once: an RSA key takes a moment to generate.
    static let signer = Result { try Signer(now: now) }
    static let otherSigner = Result { try Signer(now: now) }

    static func fixture(_ name: String) throws -> SNSMessage {
        let url = Fixtures.repositoryRoot.appendingPathComponent("Tests/Fixtures/cloudwatch/\(name).json")
        return try SNSMessage.decode(Array(try Data(contentsOf: url)))
    }

    static let fixtureNames = ["sns-subscription-confirmation", "sns-notification-alarm", "sns-notification-ok"]

    @Test("a message signed with the certificate's key verifies, with SHA1 (1) and SHA256 (2)", arguments: ["1", "2"], fixtureNames)
    func verifies(version: String, fixture: String) throws {
        let signer = try Self.signer.get()
        let message = try signer.signed(Self.fixture(fixture), version: version)
        let verifier = try SNSSignatureVerifier(certificatePEM: signer.certificatePEM)
        try verifier.verify(message, at: Self.now)
        // The same check from the PEM's bytes, and without a time.
        try SNSSignatureVerifier(certificatePEM: Array(signer.certificatePEM.utf8)).verify(message)
    }

    @Test("a tampered message fails: Message, Subject, Token, SubscribeURL, Timestamp or Type changed", arguments: ["1", "2"])
    func tamperedFails(version: String) throws {
        let signer = try Self.signer.get()
        let verifier = try SNSSignatureVerifier(certificatePEM: signer.certificatePEM)
        let notification = try signer.signed(Self.fixture("sns-notification-alarm"), version: version)
        let confirmation = try signer.signed(Self.fixture("sns-subscription-confirmation"), version: version)
        var tampered: [SNSMessage] = []
        var changed = notification
        changed.message = changed.message.replacingOccurrences(of: "\"ALARM\"", with: "\"OK\"")
        tampered.append(changed)
        changed = notification
        changed.subject = nil
        tampered.append(changed)
        changed = notification
        changed.timestamp = "2026-11-27T17:20:03.478Z"
        tampered.append(changed)
        changed = confirmation
        changed.token = (changed.token ?? "") + "0"
        tampered.append(changed)
        changed = confirmation
        changed.subscribeURL = "https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&Token=other"
        tampered.append(changed)
        changed = confirmation
        changed.type = .unsubscribeConfirmation
        tampered.append(changed)
        for message in tampered {
            #expect(throws: SNSSignatureVerifier.Failure.signatureMismatch) {
                try verifier.verify(message, at: Self.now)
            }
        }
        // Fields outside the string to sign may change (UnsubscribeURL is not signed).
        changed = notification
        changed.unsubscribeURL = "https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=other"
        try verifier.verify(changed, at: Self.now)
    }

    @Test("a signature made under one version does not pass as the other")
    func versionsDoNotMix() throws {
        let signer = try Self.signer.get()
        let verifier = try SNSSignatureVerifier(certificatePEM: signer.certificatePEM)
        var message = try signer.signed(Self.fixture("sns-notification-alarm"), version: "1")
        message.signatureVersion = "2"
        #expect(throws: SNSSignatureVerifier.Failure.signatureMismatch) { try verifier.verify(message) }
    }

    @Test("a message signed by another key fails")
    func otherKeyFails() throws {
        let message = try Self.otherSigner.get().signed(Self.fixture("sns-notification-alarm"), version: "2")
        let verifier = try SNSSignatureVerifier(certificatePEM: try Self.signer.get().certificatePEM)
        #expect(throws: SNSSignatureVerifier.Failure.signatureMismatch) { try verifier.verify(message, at: Self.now) }
    }

    @Test("an unknown SignatureVersion and a Signature that is not base64 are named")
    func badVersionAndEncoding() throws {
        let signer = try Self.signer.get()
        let verifier = try SNSSignatureVerifier(certificatePEM: signer.certificatePEM)
        let bytes = Array("Message\nm\n".utf8)
        let signature = try signer.sign(bytes, version: "2")
        #expect(throws: SNSSignatureVerifier.Failure.unknownVersion("3")) {
            try verifier.verify(bytes, signatureVersion: "3", signature: signature)
        }
        #expect(throws: SNSSignatureVerifier.Failure.badSignatureEncoding) {
            try verifier.verify(bytes, signatureVersion: "2", signature: "not base64!")
        }
        #expect(throws: SNSSignatureVerifier.Failure.badSignatureEncoding) {
            try verifier.verify(bytes, signatureVersion: "2", signature: "")
        }
        try verifier.verify(bytes, signatureVersion: "2", signature: signature)
    }

    @Test("the certificate's dates are checked when a time is given")
    func validityDates() throws {
        let signer = try Self.signer.get()
        let verifier = try SNSSignatureVerifier(certificatePEM: signer.certificatePEM)
        let message = try signer.signed(Self.fixture("sns-notification-alarm"), version: "2")
        let before = Self.now.addingTimeInterval(-2 * 86_400)
        let after = Self.now.addingTimeInterval(366 * 86_400)
        #expect(throws: SNSSignatureVerifier.Failure.certificateNotYetValid(notValidBefore: verifier.notValidBefore)) {
            try verifier.verify(message, at: before)
        }
        #expect(throws: SNSSignatureVerifier.Failure.certificateExpired(notValidAfter: verifier.notValidAfter)) {
            try verifier.verify(message, at: after)
        }
        #expect(abs(verifier.notValidAfter.timeIntervalSince(Self.now.addingTimeInterval(365 * 86_400))) < 1)
    }

    @Test("bytes that are not a PEM certificate are named", arguments: [
        "", "hello", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
    ])
    func badCertificate(pem: String) {
        let error = #expect(throws: SNSSignatureVerifier.Failure.self) {
            try SNSSignatureVerifier(certificatePEM: pem)
        }
        guard case .badCertificate? = error else {
            Issue.record("expected badCertificate, got \(String(describing: error))")
            return
        }
    }

    @Test("a certificate whose key is not RSA is named")
    func notRSA() throws {
        let key = P256.Signing.PrivateKey()
        let name = try DistinguishedName { CommonName("not-rsa.example.test") }
        let certificate = try Certificate(
            version: .v3,
            serialNumber: Certificate.SerialNumber(),
            publicKey: Certificate.PublicKey(key.publicKey),
            notValidBefore: Self.now.addingTimeInterval(-86_400),
            notValidAfter: Self.now.addingTimeInterval(86_400),
            issuer: name,
            subject: name,
            extensions: Certificate.Extensions(),
            issuerPrivateKey: Certificate.PrivateKey(key)
        )
        let pem = try certificate.serializeAsPEM().pemString
        let error = #expect(throws: SNSSignatureVerifier.Failure.self) {
            try SNSSignatureVerifier(certificatePEM: pem)
        }
        guard case .notRSA? = error else {
            Issue.record("expected notRSA, got \(String(describing: error))")
            return
        }
        #expect(error?.description.contains("not an RSA key") == true)
    }
}
