import Foundation
import TocsinAPI
import TocsinCore
import TocsinDelivery

/// A client of Tocsin's HTTP API: the CLI's commands and live drills call the server through it,
/// and decode its answers as the API's own types. Requests run off the concurrency pool (libcurl
/// blocks its thread).
public struct TocsinClient: Sendable {
    /// The server, e.g. `http://127.0.0.1:9797`.
    public var baseURL: String
    /// The bearer token sent with every request (nil: none).
    public var token: String?
    /// `tocsin-cli/0.1.0`, `tocsin-drill/0.1.0`.
    public var userAgent: String

    public init(baseURL: String, token: String?, userAgent: String) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.token = token
        self.userAgent = userAgent
    }

    /// Why a call did not give an answer.
    public struct Failure: Error, CustomStringConvertible, Sendable {
        public enum Kind: Sendable, Equatable {
            /// The server could not be reached.
            case unreachable
            /// The server answered with this status (401 and 403: the token was refused).
            case refused(status: Int)
            /// The server answered something that is not the API's.
            case unexpectedAnswer
        }

        public var kind: Kind
        /// The server's own message (its JSON error), or what went wrong on the way.
        public var message: String
        public var description: String { message }

        public init(kind: Kind, message: String) {
            self.kind = kind
            self.message = message
        }
    }

    /// A status and the body that came with it.
    public struct Answer: Sendable {
        public var status: Int
        public var body: [UInt8]
    }

    /// Sends `method path` with `body` as JSON, and the token (or `bearer`, when given: the ingest
    /// token). A status outside 2xx is a ``Failure/Kind/refused(status:)`` unless it is in `accepting`.
    public func send(
        _ method: String, _ path: String, body: (some Encodable & Sendable)? = String?.none, bearer: String? = nil,
        accepting: Set<Int> = []
    ) async throws(Failure) -> Answer {
        var headers: [(name: String, value: String)] = [("Accept", "application/json"), ("User-Agent", userAgent)]
        if let bearer = bearer ?? token {
            headers.append(("Authorization", "Bearer \(bearer)"))
        }
        var bytes: [UInt8]?
        if let body {
            headers.append(("Content-Type", "application/json"))
            do {
                bytes = Array(try TocsinJSON.encoder().encode(body))
            } catch {
                throw Failure(kind: .unexpectedAnswer, message: "cannot encode the request: \(error)")
            }
        }
        let request = HTTPTransferRequest(
            method: method, url: baseURL + path, headers: headers, body: bytes, connectTimeout: 5, totalTimeout: 30)
        let response: HTTPTransferResponse
        do {
            response = try await HTTPTransfer.performOffPool(request)
        } catch {
            throw Failure(kind: .unreachable, message: "cannot reach the Tocsin server at \(baseURL): \(error.message)")
        }
        guard (200..<300).contains(response.status) || accepting.contains(response.status) else {
            let message = (try? TocsinJSON.decoder().decode(ErrorResource.self, from: Data(response.body)))?.error.message
                ?? "HTTP \(response.status) from \(baseURL)"
            throw Failure(kind: .refused(status: response.status), message: message)
        }
        return Answer(status: response.status, body: response.body)
    }

    /// The answer's body as `type`.
    public func decode<T: Decodable>(_ type: T.Type, from answer: Answer) throws(Failure) -> T {
        do {
            return try TocsinJSON.decoder().decode(T.self, from: Data(answer.body))
        } catch {
            throw Failure(kind: .unexpectedAnswer, message: "unexpected answer from \(baseURL): \(error)")
        }
    }

    /// `GET path`, decoded as `type`.
    public func get<T: Decodable>(_ path: String, as type: T.Type) async throws(Failure) -> T {
        try decode(T.self, from: try await send("GET", path))
    }

    /// `POST path` with `body`, decoded as `type`.
    public func post<T: Decodable>(_ path: String, body: some Encodable & Sendable, as type: T.Type) async throws(Failure) -> T {
        try decode(T.self, from: try await send("POST", path, body: body))
    }

    /// `DELETE path`, decoded as `type`.
    public func delete<T: Decodable>(_ path: String, as type: T.Type) async throws(Failure) -> T {
        try decode(T.self, from: try await send("DELETE", path))
    }
}
