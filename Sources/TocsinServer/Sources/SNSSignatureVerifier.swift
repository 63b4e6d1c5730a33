import Crypto
import Foundation
import TocsinCore
import X509
import _CryptoExtras

/// Checks Amazon SNS message signatures with the public key of one signing certificate.
///
/// Pure: it is built from the certificate's PEM bytes (fetched and cached by the caller, from a URL
/// that ``SNSMessage/signingCertificateURLProblem(trust:)`` accepted) and does no I/O, so one
/// verifier can be kept per certificate URL and shared between requests.
///
/// `SignatureVersion` `1` is SHA1withRSA and `2` SHA256withRSA, both RSASSA-PKCS1-v1_5 over
/// ``SNSMessage/stringToSign``.
///
/// ```swift
/// let verifier = try SNSSignatureVerifier(certificatePEM: pemBytes)
/// try verifier.verify(message, at: clock.now)   // throws SNSSignatureVerifier.Failure → 403
/// ```
public struct SNSSignatureVerifier: Sendable {
    /// Why a signature was not accepted.
    public enum Failure: Error, Equatable, Sendable, CustomStringConvertible {
        /// The bytes are not one PEM-encoded X.509 certificate (the parser's reason).
        case badCertificate(String)
        /// The certificate's key is not an RSA key (its kind, e.g. `P256.PublicKey`).
        case notRSA(String)
        /// The certificate is not valid yet at the time checked.
        case certificateNotYetValid(notValidBefore: Date)
        /// The certificate has expired at the time checked.
        case certificateExpired(notValidAfter: Date)
        /// `SignatureVersion` is neither `1` nor `2`.
        case unknownVersion(String)
        /// `Signature` is not base64, or empty.
        case badSignatureEncoding
        /// The signature does not match the message: altered, or signed with another key.
        case signatureMismatch

        public var description: String {
            switch self {
            case .badCertificate(let reason): "the signing certificate could not be read: \(reason)"
            case .notRSA(let kind): "the signing certificate's key is not an RSA key (\(kind))"
            case .certificateNotYetValid(let date): "the signing certificate is not valid before \(RFC3339.format(date))"
            case .certificateExpired(let date): "the signing certificate expired at \(RFC3339.format(date))"
            case .unknownVersion(let version): "unknown SignatureVersion \"\(version)\"; expected \"1\" or \"2\""
            case .badSignatureEncoding: "the Signature is not base64"
            case .signatureMismatch: "the signature does not match the message"
            }
        }
    }

    /// The start of the certificate's validity.
    public let notValidBefore: Date
    /// The end of the certificate's validity.
    public let notValidAfter: Date
    private let key: _RSA.Signing.PublicKey

    /// Reads the signing certificate (PEM text, as served at `SigningCertURL`) and keeps its RSA key.
    public init(certificatePEM: some Collection<UInt8>) throws(Failure) {
        try self.init(certificatePEM: String(decoding: certificatePEM, as: UTF8.self))
    }

    /// Reads the signing certificate (PEM text, as served at `SigningCertURL`) and keeps its RSA key.
    public init(certificatePEM: String) throws(Failure) {
        let certificate: Certificate
        do {
            certificate = try Certificate(pemEncoded: certificatePEM)
        } catch {
            throw .badCertificate(String(describing: error))
        }
        guard let key = _RSA.Signing.PublicKey(certificate.publicKey) else {
            throw .notRSA(String(describing: certificate.publicKey))
        }
        self.key = key
        self.notValidBefore = certificate.notValidBefore
        self.notValidAfter = certificate.notValidAfter
    }

    /// Checks `message`'s signature over its ``SNSMessage/stringToSign``; with `now`, also that
    /// the certificate is valid at that time.
    public func verify(_ message: SNSMessage, at now: Date? = nil) throws(Failure) {
        try verify(message.stringToSign, signatureVersion: message.signatureVersion, signature: message.signature, at: now)
    }

    /// Checks that `signature` (base64) is this certificate's key's signature of `stringToSign`
    /// under `signatureVersion`; with `now`, also that the certificate is valid at that time.
    ///
    /// Checked in this order: the version, the certificate's dates, the base64, the signature.
    public func verify(
        _ stringToSign: [UInt8], signatureVersion: String, signature: String, at now: Date? = nil
    ) throws(Failure) {
        guard signatureVersion == "1" || signatureVersion == "2" else { throw .unknownVersion(signatureVersion) }
        if let now {
            guard now >= notValidBefore else { throw .certificateNotYetValid(notValidBefore: notValidBefore) }
            guard now <= notValidAfter else { throw .certificateExpired(notValidAfter: notValidAfter) }
        }
        guard let raw = Data(base64Encoded: signature), !raw.isEmpty else { throw .badSignatureEncoding }
        let rsaSignature = _RSA.Signing.RSASignature(rawRepresentation: raw)
        let isValid: Bool
        if signatureVersion == "1" {
            isValid = key.isValidSignature(rsaSignature, for: Insecure.SHA1.hash(data: stringToSign), padding: .insecurePKCS1v1_5)
        } else {
            isValid = key.isValidSignature(rsaSignature, for: SHA256.hash(data: stringToSign), padding: .insecurePKCS1v1_5)
        }
        guard isValid else { throw .signatureMismatch }
    }
}
