import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing
import TocsinCore
import TocsinStore
import TocsinTestSupport

@testable import TocsinServer

/// A bad path or query parameter gets the same 400 on every route, naming the parameter, and
/// changes nothing; every error, whatever threw it, is answered with its own status.
@Suite("Parameter errors and error answers")
struct ParameterErrorTests {
    struct BadRequest: Sendable, CustomTestStringConvertible {
        var method: HTTPRequest.Method
        var path: String
        var field: String
        var testDescription: String { "\(method) \(path)" }
    }

    @Test("a bad parameter is a 400 naming it, on every route", arguments: [
        BadRequest(method: .get, path: "/api/v1/incidents?limit=0", field: "limit"),
        BadRequest(method: .get, path: "/api/v1/incidents?limit=many", field: "limit"),
        BadRequest(method: .get, path: "/api/v1/incidents?before=-3", field: "before"),
        BadRequest(method: .get, path: "/api/v1/incidents?state=sleeping", field: "state"),
        BadRequest(method: .get, path: "/api/v1/incidents/abc", field: "id"),
        BadRequest(method: .get, path: "/api/v1/incidents/0", field: "id"),
        BadRequest(method: .post, path: "/api/v1/incidents/-1/ack", field: "id"),
        BadRequest(method: .get, path: "/api/v1/deliveries?limit=0", field: "limit"),
        BadRequest(method: .get, path: "/api/v1/deliveries?limit=100000", field: "limit"),
        BadRequest(method: .get, path: "/api/v1/deliveries?state=lost", field: "state"),
        BadRequest(method: .post, path: "/api/v1/deliveries/x/retry", field: "id"),
        BadRequest(method: .delete, path: "/api/v1/overrides/x", field: "id"),
        BadRequest(method: .get, path: "/api/v1/oncall?at=yesterday", field: "at"),
        BadRequest(method: .get, path: "/api/v1/oncall/shifts?from=soon", field: "from"),
    ])
    func badParameter(_ request: BadRequest) async throws {
        try await LiveServer.run { server in
            _ = try await server.ingest(try Fixtures.data("webhook-01-firing-critical-single"))
            let before = try await DatabaseSnapshot.takeExceptAudit(server.store)
            let answer = try await server.api(request.method, request.path)
            #expect(answer.status == .badRequest)
            let error = try answer.apiError()
            #expect(error.field == request.field)
            #expect(error.message.contains(request.field))
            #expect(try await DatabaseSnapshot.takeExceptAudit(server.store) == before)
        }
    }

    @Test("a link's form that does not decode is a link without a token: the page any bad link gets, never a 500")
    func mangledLinkForm() async throws {
        try await LiveServer.run { server in
            _ = try await server.ingest(try Fixtures.data("webhook-01-firing-critical-single"))
            let before = try await DatabaseSnapshot.takeExceptAudit(server.store)
            for body in ["token=%zz", "token=a&token=b", "%"] {
                let answer = try await server.client.execute(
                    uri: "/api/v1/incidents/1/ack/confirm", method: .post,
                    headers: [.contentType: "application/x-www-form-urlencoded"], body: ByteBuffer(string: body))
                #expect(answer.status == .forbidden, "\(body)")
                #expect(String(buffer: answer.body).contains("This link is not valid"), "\(body)")
            }
            #expect(try await DatabaseSnapshot.takeExceptAudit(server.store) == before)
        }
    }

    @Test("every error is answered with the status of what it is", arguments: [
        (StoreError.conflict("taken") as any Error, 409),
        (StoreError.notFound(what: "incident", id: "#9"), 404),
        (StoreError.busy("locked"), 503),
        (APIError(.unprocessableContent, code: "x", message: "no"), 422),
        (NIOTooManyBytesError(maxBytes: 10), 413),
        (CancellationError(), 500),
    ] as [(any Error, Int)])
    func answers(_ error: any Error, _ status: Int) {
        #expect(Int(APIError(answering: error).status.code) == status)
    }
}
