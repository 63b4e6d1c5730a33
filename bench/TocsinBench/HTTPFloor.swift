import Hummingbird

/// The floor under every ingest number: a Hummingbird server, built like Tocsin's, whose ingest
/// route reads the body and answers at once, with no middleware, no decoding and no database.
///
/// `bench/ingest.py --floor` drives it with the same wrk script and settings as Tocsin, so the
/// gap between this and Tocsin is what Tocsin's own work costs, and this server's rate is the
/// most any Hummingbird service could answer on the same machine.
func serveHTTPFloor(port: Int) async throws {
    let router = Router()
    router.post("/api/v1/ingest/alertmanager") { request, _ -> Response in
        _ = try await request.body.collect(upTo: 16 << 20)
        return Response(
            status: .ok, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(string: #"{"status":"ok"}"#)))
    }
    let app = Application(
        router: router,
        configuration: .init(address: .hostname("127.0.0.1", port: port), serverName: "tocsin-http-floor"),
        onServerRunning: { channel in print("listening on \(channel.localAddress?.port ?? 0)") })
    try await app.runService()
}
