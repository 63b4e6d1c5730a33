import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import Synchronization
import TocsinCore

/// The capture receiver of a live drill: an HTTP server on 127.0.0.1 that takes the drill's
/// pages (`POST /<medium>/<target>`, Tocsin's webhook payload), records when each arrived, and answers
/// 503 while the drill has the receiver "down".
final class DrillReceiver: Sendable {
    private struct State {
        var captured: [DrillDelivery] = []
        var origin = Date()
        var task: Task<Void, any Error>?
        var group: ServiceGroup?
    }

    let outages = ReceiverOutages()
    private let state = Mutex(State())

    /// The deliveries so far, with offsets from ``begin(at:)``.
    var deliveries: [DrillDelivery] { state.withLock { $0.captured } }

    /// Starts listening on an ephemeral loopback port and returns the receiver's base URL.
    func start() async throws -> String {
        let router = Router()
        router.post("/{medium}/{target}") { [self] request, context in
            let medium = try context.parameters.require("medium", as: Medium.self)
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
        let group = ServiceGroup(configuration: .init(services: [application], gracefulShutdownSignals: [], logger: logger))
        let task = Task {
            // If the server cannot start (no port to bind), ending the stream lets start() say so.
            defer { continuation.finish() }
            try await group.run()
        }
        state.withLock { state in
            state.task = task
            state.group = group
        }
        for await port in ports {
            return "http://127.0.0.1:\(port)"
        }
        try await task.value  // the server's own error, when it could not start
        throw CancellationError()  // it stopped before it listened, without an error of its own
    }

    /// Offsets of deliveries count from `origin`: the moment the drill fired its alerts.
    func begin(at origin: Date) {
        state.withLock { $0.origin = origin }
    }

    /// Shuts the server down gracefully and waits until it has: connections Tocsin keeps open to
    /// it are closed first. (Cancelling the server's task instead could end the process in a crash
    /// while a kept connection was still open, before the drill's report was printed.)
    func stop() async {
        let (task, group) = state.withLock { ($0.task, $0.group) }
        await group?.triggerGracefulShutdown()
        _ = try? await task?.value
    }

    private func record(_ payload: WebhookPayload, medium: Medium, at arrived: Date) {
        state.withLock { state in
            state.captured.append(DrillDelivery(
                offset: arrived.timeIntervalSince(state.origin), incidentID: payload.incident.id, target: payload.target,
                medium: medium, event: payload.event))
        }
    }
}
