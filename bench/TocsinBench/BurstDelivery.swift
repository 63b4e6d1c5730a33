import Foundation
import Hummingbird
import Logging
import TocsinCore
import TocsinDelivery
import TocsinStore
import Synchronization

// `tocsin-bench escalation --deliver`: after the escalation pass, the production dispatcher
// (curl transport, 8 workers, at most 2 in flight to one destination, as `tocsin serve` has
// by default; `--workers`, `--per-destination` and `--lane` change them) delivers every page of the burst to a webhook receiver on
// 127.0.0.1, and the benchmark reports when each page arrived, measured from the due time. This
// is what a person on the receiving end sees of a burst; escalation lateness alone stops at the
// commit.

/// Arrival times at the benchmark's webhook receiver.
final class ArrivalLog: Sendable {
    private let times = Mutex<[Date]>([])

    func record(_ time: Date) {
        times.withLock { $0.append(time) }
    }

    var count: Int { times.withLock { $0.count } }
    var all: [Date] { times.withLock { $0 } }
}

/// A logger that only speaks of errors, for the benchmark's own servers and dispatcher.
func quietLogger(_ label: String) -> Logger {
    var logger = Logger(label: label)
    logger.logLevel = .error
    return logger
}

/// Starts a webhook receiver on 127.0.0.1 that answers 200 to `POST /hook` and logs each arrival;
/// returns its port.
func startReceiver(logging arrivals: ArrivalLog) async -> Int {
    let router = Router()
    router.post("/hook") { request, _ -> Response in
        _ = try await request.body.collect(upTo: 1 << 20)
        arrivals.record(Date())
        return Response(status: .ok)
    }
    let (ports, continuation) = AsyncStream<Int>.makeStream()
    let app = Application(
        router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0), serverName: "bench-receiver"),
        onServerRunning: { channel in
            continuation.yield(channel.localAddress?.port ?? 0)
            continuation.finish()
        },
        logger: quietLogger("bench-receiver"))
    Task { try await app.runService() }
    for await port in ports {
        return port
    }
    return 0
}

/// Starts the production dispatcher, waits until `expected` pages reached the receiver (at most
/// two minutes) and returns each arrival in milliseconds after `due`, sorted, and the CPU time the
/// process spent meanwhile (dispatcher and receiver both).
func deliverBurst(
    store: TocsinStore, arrivals: ArrivalLog, expected: Int, due: Date, workers: Int, perDestination: Int, lane: Int
) async throws -> (arrivals: [Double], cpuSeconds: Double) {
    let cpuBefore = processCPUSeconds()
    let dispatcher = Dispatcher(
        store: store, clock: WallClock(),
        settings: DeliverySettings(
            publicURL: "http://127.0.0.1:9797", workers: workers, perDestination: perDestination, laneLength: lane),
        linkKey: Array("bench-link-key".utf8), webhookSettings: { _ in WebhookSettings() }, logger: quietLogger("bench"))
    // Left running (idle) until the benchmark exits.
    Task { try await dispatcher.run() }
    let deadline = Date().addingTimeInterval(120)
    while arrivals.count < expected, Date() < deadline {
        try await Task.sleep(for: .milliseconds(20))
    }
    let cpu = processCPUSeconds() - cpuBefore
    // The last attempts are recorded before the database closes.
    while try await !store.deliveries(states: [.pending, .sending], limit: 1).isEmpty, Date() < deadline {
        try await Task.sleep(for: .milliseconds(20))
    }
    return (arrivals.all.map { $0.timeIntervalSince(due) * 1000 }.sorted(), cpu)
}
