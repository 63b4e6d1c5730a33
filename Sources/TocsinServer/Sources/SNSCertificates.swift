import Foundation
import Synchronization
import TocsinCore
import TocsinDelivery

/// The signing certificates of SNS messages, fetched once per `SigningCertURL` and kept until
/// they expire (SNS signs every message with one of a handful of certificates).
final class SNSCertificates: Sendable {
    /// Why a certificate could not be had.
    enum Failure: Error, CustomStringConvertible {
        /// The URL could not be fetched (SNS should retry: a 503).
        case unreachable(String)
        /// What it served is not a usable certificate (a 403).
        case unusable(SNSSignatureVerifier.Failure)

        var description: String {
            switch self {
            case .unreachable(let reason): "the signing certificate could not be fetched: \(reason)"
            case .unusable(let failure): "the signing certificate is unusable: \(failure)"
            }
        }
    }

    /// At most this many certificates are kept; the cache starts afresh beyond.
    static let capacity = 32
    /// A PEM certificate is a few KiB; anything far larger is not one.
    static let maxBytes = 64 * 1024
    private let verifiers = Mutex<[String: SNSSignatureVerifier]>([:])

    /// The verifier for the certificate at `url` (already checked against the trusted hosts).
    func verifier(for url: String, now: Date) async throws(Failure) -> SNSSignatureVerifier {
        if let cached = verifiers.withLock({ $0[url] }), cached.notValidAfter > now {
            return cached
        }
        let response: HTTPTransferResponse
        do {
            response = try await HTTPTransfer.performOffPool(HTTPTransferRequest(
                method: "GET", url: url, connectTimeout: 3, totalTimeout: 5, maxResponseBytes: Self.maxBytes))
        } catch {
            throw .unreachable("\(error)")
        }
        // A server error may pass (SNS retries a 503); a refusal will not.
        if (500...599).contains(response.status) { throw .unreachable("HTTP \(response.status) from \(url)") }
        guard response.status == 200 else { throw .unusable(.badCertificate("HTTP \(response.status) from \(url)")) }
        let verifier: SNSSignatureVerifier
        do {
            verifier = try SNSSignatureVerifier(certificatePEM: response.body)
        } catch {
            throw .unusable(error)
        }
        verifiers.withLock { cache in
            if cache.count >= Self.capacity { cache.removeAll() }
            cache[url] = verifier
        }
        return verifier
    }
}
