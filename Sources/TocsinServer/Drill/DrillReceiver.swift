import Foundation
import Hummingbird
import Logging
import TocsinCore

/// The capture receiver of a live drill: an HTTP server on 127.0.0.1 that takes the drill's
/// pages (`POST /<medium>/<target>`, Tocsin's webhook payload), records when each arrived, and answers
/// 503 while the drill has the receiver "down".
final class DrillReceiver: @unchecked Sendable {
    let outages = ReceiverOutages()
    private let lock = NSLock()
    private var captured: [DrillDelivery] = []
    private var origin = Date()
    private var task: Task<Void, any Error>?

    /// The deliveries so far, with offsets from ``begin(at:)``.
    var deliveries: [DrillDelivery] { lock.withLock { captured } }

    /// Starts listening on an ephemeral loopback port and returns the receiver's base URL.
    func start() async throws -> String {
        let router = Router()
        router.post("/{medium}/{target}") { [self] request, context in
            let medium = context.parameters.get("medium") ?? "webhook"
            let arrived = Date()
            if outages.isDown(medium: medium, at: arrived) {
                return Response(status: .serviceUnavailable)
            }
            let body = try await request.body.collect(upTo: 4 << 20)
            guard let payload = try? TocsinJSON.decoder().decode(WebhookPayload.self, from: Data(body.readableBytesView)) else {
                return Response(status: .badRequest)
            }
            record(payload, medium: medium, at: arrived)
            return Response(status: .ok)
        }
        var logger = Logger(label: "tocsin-drill-receiver")
        logger.logLevel = .critical
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let application = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0), serverName: "tocsin-drill"),
            onServerRunning: { channel in continuation.yield(channel.localAddress?.port ?? 0) }, logger: logger)
        task = Task {
            // If the server cannot start (no port to bind), ending the stream lets start() say so.
            defer { continuation.finish() }
            try await application.runService(gracefulShutdownSignals: [])
        }
        for await port in ports {
            return "http://127.0.0.1:\(port)"
        }
        try await task?.value  // the server's own error, when it could not start
        throw CancellationError()  // it stopped before it listened, without an error of its own
    }

    /// Offsets of deliveries count from `origin`: the moment the drill fired its alerts.
    func begin(at origin: Date) {
        lock.withLock { self.origin = origin }
    }

    func stop() {
        task?.cancel()
    }

    private func record(_ payload: WebhookPayload, medium: String, at arrived: Date) {
        lock.withLock {
            captured.append(DrillDelivery(
                offset: arrived.timeIntervalSince(origin), incidentID: payload.incident.id, target: payload.target,
                medium: medium, event: payload.event))
        }
    }
}
