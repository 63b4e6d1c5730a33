import Crypto
import Foundation
import TocsinCore
import X509
import _CryptoExtras

/// Signs SNS messages as Amazon SNS does, with an RSA key and a self-signed certificate made at
/// test time (valid from a day before `now` for a year), so tests can serve the certificate from
/// 127.0.0.1 and sign their own messages.
public struct SNSTestSigner: Sendable {
    public let key: _RSA.Signing.PrivateKey
    public let certificatePEM: String

    public init(now: Date = Date()) throws {
        let privateKey = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        let name = try DistinguishedName { CommonName("sns.amazonaws.com") }
        let certificate = try Certificate(
            version: .v3,
            serialNumber: Certificate.SerialNumber(),
            publicKey: Certificate.PublicKey(privateKey.publicKey),
            notValidBefore: now.addingTimeInterval(-86_400),
            notValidAfter: now.addingTimeInterval(365 * 86_400),
            issuer: name,
            subject: name,
            extensions: Certificate.Extensions(),
            issuerPrivateKey: Certificate.PrivateKey(privateKey)
        )
        key = privateKey
        certificatePEM = try certificate.serializeAsPEM().pemString
    }

    /// The base64 signature SNS would send for `bytes` under `version` (1: SHA1withRSA, 2: SHA256withRSA).
    public func sign(_ bytes: [UInt8], version: String) throws -> String {
        let signature: _RSA.Signing.RSASignature
        if version == "1" {
            signature = try key.signature(for: Insecure.SHA1.hash(data: bytes), padding: .insecurePKCS1v1_5)
        } else {
            signature = try key.signature(for: SHA256.hash(data: bytes), padding: .insecurePKCS1v1_5)
        }
        return signature.rawRepresentation.base64EncodedString()
    }

    /// `message` signed under `version`.
    public func signed(_ message: SNSMessage, version: String) throws -> SNSMessage {
        var message = message
        message.signatureVersion = version
        message.signature = try sign(message.stringToSign, version: version)
        return message
    }

    /// `message` as the JSON body SNS posts.
    public static func body(_ message: SNSMessage) throws -> [UInt8] {
        var fields: [String: String] = [
            "Type": message.type.rawValue, "MessageId": message.messageId, "TopicArn": message.topicArn,
            "Message": message.message, "Timestamp": message.timestamp, "SignatureVersion": message.signatureVersion,
            "Signature": message.signature, "SigningCertURL": message.signingCertURL,
        ]
        fields["Subject"] = message.subject
        fields["SubscribeURL"] = message.subscribeURL
        fields["Token"] = message.token
        fields["UnsubscribeURL"] = message.unsubscribeURL
        return Array(try JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys]))
    }
}
