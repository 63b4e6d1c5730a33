import CCurl
import Foundation
import NIOPosix

/// An outbound HTTP request, as libcurl will send it.
public struct HTTPTransferRequest: Sendable {
    public var method: String
    public var url: String
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]?
    /// Seconds allowed to establish the connection.
    public var connectTimeout: TimeInterval
    /// Seconds allowed for the whole exchange.
    public var totalTimeout: TimeInterval
    /// At most this much of the response body is read; the transfer then stops (the status and
    /// headers are kept). Nil: read it all.
    public var maxResponseBytes: Int?

    public init(
        method: String, url: String, headers: [(name: String, value: String)] = [], body: [UInt8]? = nil,
        connectTimeout: TimeInterval = 5, totalTimeout: TimeInterval = 30, maxResponseBytes: Int? = nil
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.connectTimeout = connectTimeout
        self.totalTimeout = totalTimeout
        self.maxResponseBytes = maxResponseBytes
    }
}

/// The answer to an ``HTTPTransferRequest``.
public struct HTTPTransferResponse: Sendable {
    public var status: Int
    /// Response headers, names lower-cased.
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    /// The first header named `name` (case-insensitive).
    public func header(_ name: String) -> String? {
        let lowered = name.lowercased()
        return headers.first { $0.name == lowered }?.value
    }
}

/// Blocking HTTP transfers through libcurl's easy interface (see ``CurlEasy`` for where to call it).
public enum HTTPTransfer {
    /// Performs `request` and returns the response, whatever its status code.
    public static func perform(_ request: HTTPTransferRequest) throws(TransferError) -> HTTPTransferResponse {
        let easy = try CurlEasy(
            url: request.url, connectTimeout: request.connectTimeout, totalTimeout: request.totalTimeout, reusingConnections: true)
        easy.set(CURLOPT_FOLLOWLOCATION, 0)
        // Webhooks are HTTP(S) only: no file://, gopher:// or any other scheme, even by redirect.
        easy.set(CURLOPT_PROTOCOLS_STR, "http,https")
        easy.set(CURLOPT_REDIR_PROTOCOLS_STR, "http,https")
        easy.sink.limit = request.maxResponseBytes
        easy.set(CURLOPT_CUSTOMREQUEST, request.method)
        // Without "Expect:", curl adds `Expect: 100-continue` to larger bodies and waits for it.
        easy.set(CURLOPT_HTTPHEADER, list: request.headers.map { "\($0.name): \($0.value)" } + ["Expect:"])
        if let body = request.body {
            easy.set(CURLOPT_POSTFIELDSIZE, body.count)
            easy.set(CURLOPT_COPYPOSTFIELDS, String(decoding: body, as: UTF8.self))
        } else if request.method == "GET" {
            easy.set(CURLOPT_HTTPGET, 1)
        }
        try easy.perform()
        return HTTPTransferResponse(status: easy.responseCode, headers: easy.sink.headers, body: easy.sink.body)
    }

    /// Performs `request` on NIO's shared pool for blocking work, so that an async caller never
    /// blocks the concurrency pool or an event loop.
    public static func performOffPool(_ request: HTTPTransferRequest) async throws(TransferError) -> HTTPTransferResponse {
        let outcome: Result<HTTPTransferResponse, TransferError>
        do {
            outcome = try await NIOThreadPool.singleton.runIfActive {
                Result { () throws(TransferError) in try perform(request) }
            }
        } catch {
            throw TransferError(kind: .other, curlCode: 0, message: "the blocking-I/O pool is shut down", url: request.url)
        }
        return try outcome.get()
    }
}
