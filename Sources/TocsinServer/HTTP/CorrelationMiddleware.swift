import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Synchronization

/// Gives every request a correlation id, puts it in every log line of the request and in the
/// `X-Request-Id` response header, and logs the request's outcome (errors are answers by then:
/// ``ErrorMiddleware`` runs inside it).
struct CorrelationMiddleware: RouterMiddleware {
    typealias Context = TocsinRequestContext

    static let header = HTTPField.Name("X-Request-Id")!

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        var context = context
        let correlationID = Self.acceptable(request.headers[Self.header]) ?? Self.generate()
        context.correlationID = correlationID
        context.logger[metadataKey: "correlation_id"] = .string(correlationID)
        let started = ContinuousClock.now
        var response = try await next(request, context)
        response.headers[Self.header] = correlationID
        let elapsed = ContinuousClock.now - started
        context.logger.log(
            level: response.status.code >= 500 ? .warning : .info,
            "request",
            metadata: [
                "method": .string(request.method.rawValue),
                "path": .string(IngestGate.loggable(request.uri.path)),
                "status": .stringConvertible(response.status.code),
                "duration_ms": .stringConvertible(Double(elapsed.components.attoseconds / 1_000_000_000_000) / 1000
                    + Double(elapsed.components.seconds) * 1000),
            ])
        return response
    }

    /// Accepts a caller's id when it is short and printable; anything else is replaced.
    private static func acceptable(_ value: String?) -> String? {
        guard let value, !value.isEmpty, value.utf8.count <= 128,
            value.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7f })
        else { return nil }
        return value
    }

    /// A new id: this process's random 64-bit prefix and a count, in hex
    /// (`5f0c9e1a2b3c4d5e-000000000000002a`): unique across restarts and instances like a UUID,
    /// without asking the system for randomness on every request.
    static func generate() -> String {
        let count = issued.add(1, ordering: .relaxed).newValue
        var text: [UInt8] = []
        text.reserveCapacity(33)
        appendHex(processPrefix, to: &text)
        text.append(UInt8(ascii: "-"))
        appendHex(count, to: &text)
        return String(decoding: text, as: UTF8.self)
    }

    private static let processPrefix = UInt64.random(in: .min ... .max)
    private static let issued = Atomic<UInt64>(0)

    private static func appendHex(_ value: UInt64, to text: inout [UInt8]) {
        for shift in stride(from: 60, through: 0, by: -4) {
            let digit = UInt8((value >> UInt64(shift)) & 0xF)
            text.append(digit < 10 ? UInt8(ascii: "0") + digit : UInt8(ascii: "a") + digit - 10)
        }
    }
}
