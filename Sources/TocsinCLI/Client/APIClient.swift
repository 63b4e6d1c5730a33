import Foundation
import TocsinCore
import TocsinDelivery
import TocsinStore

/// Talks to a running Tocsin server's incident API with a bearer token.
struct APIClient {
    let baseURL: String
    let token: String

    /// What the server answered, raw and decoded.
    struct Answer {
        var status: Int
        var body: [UInt8]
    }

    func get(_ path: String) throws(CLIError) -> Answer {
        try send("GET", path, body: nil)
    }

    func post(_ path: String, json: some Encodable) throws(CLIError) -> Answer {
        let body: [UInt8]
        do {
            body = Array(try TocsinJSON.encoder().encode(json))
        } catch {
            throw CLIError("cannot encode request: \(error)")
        }
        return try send("POST", path, body: body)
    }

    func delete(_ path: String) throws(CLIError) -> Answer {
        try send("DELETE", path, body: nil)
    }

    /// Decodes a successful answer.
    func decode<T: Decodable>(_ type: T.Type, from answer: Answer) throws(CLIError) -> T {
        do {
            return try TocsinJSON.decoder().decode(T.self, from: Data(answer.body))
        } catch {
            throw CLIError("unexpected answer from \(baseURL): \(error)")
        }
    }

    private func send(_ method: String, _ path: String, body: [UInt8]?) throws(CLIError) -> Answer {
        let base = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        var headers: [(name: String, value: String)] = [
            ("Authorization", "Bearer \(token)"),
            ("Accept", "application/json"),
            ("User-Agent", "tocsin-cli/\(TocsinVersion.current)"),
        ]
        if body != nil {
            headers.append(("Content-Type", "application/json"))
        }
        let request = HTTPTransferRequest(
            method: method, url: base + path, headers: headers, body: body, connectTimeout: 5, totalTimeout: 30)
        let response: HTTPTransferResponse
        do {
            response = try HTTPTransfer.perform(request)
        } catch {
            throw CLIError("cannot reach the Tocsin server at \(baseURL): \(error.message)", exitCode: .unreachable)
        }
        guard (200..<300).contains(response.status) else {
            throw Self.failure(status: response.status, body: response.body, baseURL: baseURL)
        }
        return Answer(status: response.status, body: response.body)
    }

    /// The server's JSON error, reduced to one line and an exit code.
    private static func failure(status: Int, body: [UInt8], baseURL: String) -> CLIError {
        struct ErrorBody: Decodable {
            struct Detail: Decodable { var message: String }
            var error: Detail
        }
        let message = (try? JSONDecoder().decode(ErrorBody.self, from: Data(body)))?.error.message
            ?? "HTTP \(status) from \(baseURL)"
        let code: CLIError.Code =
            switch status {
            case 401, 403: .unauthorized
            case 404: .notFound
            case 409: .conflict
            case 400..<500: .badRequest
            default: .failure
            }
        let prefix = status == 401 ? "unauthorized: " : ""
        return CLIError(prefix + message, exitCode: code)
    }
}
