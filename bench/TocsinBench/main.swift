// tocsin-bench: benchmarks of the escalation engine that need no network, and the HTTP floor.
//
//   swift run -c release tocsin-bench escalation [--incidents 10000] [--durability full|normal] [--lead 2] [--deliver [--workers 8] [--per-destination 2] [--lane 16]]
//     (--deliver: see BurstDelivery.swift)
//   swift run -c release tocsin-bench escalation --postgres URL [--instances 2] [--incidents 10000]   (SharedEscalation.swift)
//   swift run -c release tocsin-bench ingest-writer [--alerts 100] [--mode distinct|repeated]   (IngestWriter.swift)
//   swift run -c release tocsin-bench decode [--alerts 100] [--count 20000]   (WebhookDecode.swift)
//   swift run -c release tocsin-bench http-floor [PORT]   (see HTTPFloor.swift)
//
// Opens 10,000 incidents that all start escalating at the same instant, then runs the real
// engine (TocsinStore.runDueEscalations, as the escalator service does: from `lead` seconds
// before the due time, preparing steps due within `lead`) and reports, for every step, how long
// after its due time its transaction committed (0 when it committed before).
import Foundation
import TocsinCore
import TocsinDelivery
import TocsinStore

struct Options {
    var incidents = 10_000
    var durability = TocsinStore.Durability.full
    var chunk = 500
    var lead: TimeInterval = 2
    var deliver = false
    /// With --deliver: the dispatcher's workers, its limit of deliveries in flight to one
    /// destination, and how many pages a worker claims at once for one destination.
    var workers = 8
    var perDestination = 2
    var lane = DeliverySettings(publicURL: "").laneLength
    /// An empty PostgreSQL database to run on instead of a SQLite file, and how many instances
    /// share it (SharedEscalation.swift).
    var postgres: String?
    var instances = 1

    init(_ arguments: [String]) {
        var iterator = arguments.makeIterator()
        while let argument = iterator.next() {
            switch argument {
            case "--incidents": incidents = iterator.next().flatMap(Int.init) ?? incidents
            case "--durability": durability = iterator.next().flatMap(TocsinStore.Durability.init(rawValue:)) ?? durability
            case "--chunk": chunk = iterator.next().flatMap(Int.init) ?? chunk
            case "--lead": lead = iterator.next().flatMap(Double.init) ?? lead
            case "--deliver": deliver = true
            case "--workers": workers = iterator.next().flatMap(Int.init) ?? workers
            case "--per-destination": perDestination = iterator.next().flatMap(Int.init) ?? perDestination
            case "--lane": lane = iterator.next().flatMap(Int.init) ?? lane
            case "--postgres": postgres = iterator.next()
            case "--instances": instances = iterator.next().flatMap(Int.init) ?? instances
            default: break
            }
        }
    }
}

/// A store on a fresh database in a new temporary directory (the caller removes the directory).
func temporaryStore(durability: TocsinStore.Durability = .full) throws -> (store: TocsinStore, directory: URL) {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tocsin-bench-\(UUID().uuidString)")
    let store = try TocsinStore(
        path: directory.appendingPathComponent("bench.sqlite").path, configuration: .init(durability: durability))
    return (store, directory)
}

/// CPU time used by this process so far (user + system), in seconds.
func processCPUSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
    return seconds(usage.ru_utime) + seconds(usage.ru_stime)
}

func percentile(_ sorted: [Double], _ p: Double) -> Double {
    guard !sorted.isEmpty else { return 0 }
    let index = min(sorted.count - 1, Int((p / 100 * Double(sorted.count)).rounded(.up)) - 1)
    return sorted[max(index, 0)]
}

func escalationLateness(_ options: Options) async throws {
    let (store, directory) = try temporaryStore(durability: options.durability)
    defer { try? FileManager.default.removeItem(at: directory) }
    // With --deliver, the person's one contact is a webhook at the benchmark's own receiver.
    let arrivals = ArrivalLog()
    let person =
        options.deliver
        ? Person(name: "primary", webhooks: ["http://127.0.0.1:\(await startReceiver(logging: arrivals))/hook"])
        : Person(name: "primary", email: "primary@example.com", webhooks: ["http://127.0.0.1:9/hook"])
    let configuration = TocsinConfiguration(
        people: [person],
        routes: [Route(matchers: [], policy: "page")],
        policies: [EscalationPolicy(name: "page", steps: [.init(after: 60, notify: [.person("primary")])])])

    // Every incident opens at the same instant, t0 - 60 s, so its one step (after 60 s) falls due
    // for all of them at t0, a little in the future.
    let prepareStarted = Date()
    let t0 = prepareStarted.addingTimeInterval(Double(options.incidents) / 400 + 10)
    for index in 0..<options.incidents {
        let labels = ["alertname": "Bench", "instance": "host-\(index)", "severity": "critical"]
        let batch = AlertBatch(
            receiver: "bench", groupKey: "{}:{instance=\"host-\(index)\"}", status: .firing, groupLabels: labels,
            commonLabels: labels, alerts: [Alert(status: .firing, labels: labels, startsAt: t0)])
        _ = try await store.ingest(batch, configuration: configuration, now: t0.addingTimeInterval(-60))
    }
    let prepared = Date().timeIntervalSince(prepareStarted)
    guard Date() < t0 else {
        print("preparation took longer than planned (\(prepared)s); rerun with fewer incidents")
        return
    }
    try await Task.sleep(for: .seconds(t0.timeIntervalSinceNow - options.lead))

    // The escalator's pass, chunk by chunk, timing each commit.
    let cpuBefore = processCPUSeconds()
    var lateness: [Double] = []
    var lastCommit = 0.0
    var queued = 0
    while true {
        let now = Date()
        let tick = try await store.runDueEscalations(
            now: now, preparingUntil: now.addingTimeInterval(options.lead), limit: options.chunk)
        let committed = Date().timeIntervalSince(t0) * 1000
        lateness += Array(repeating: max(committed, 0), count: tick.processed)
        lastCommit = committed
        queued += tick.queued
        if tick.processed < options.chunk { break }
    }
    let cpu = processCPUSeconds() - cpuBefore
    lateness.sort()
    let (arrived, deliveryCPU) =
        options.deliver
        ? try await deliverBurst(
            store: store, arrivals: arrivals, expected: queued, due: t0, workers: options.workers, perDestination: options.perDestination, lane: options.lane)
        : ([], 0)
    try store.close()
    print(
        """
        escalation lateness: \(options.incidents) incidents due at the same instant, durability=\(options.durability.rawValue), \
        \(options.chunk) per transaction, prepared up to \(options.lead) s ahead
          steps run: \(lateness.count), notifications queued: \(queued)
          last commit \(String(format: "%.1f", lastCommit)) ms after the due time (negative: before it)
          CPU of the pass: \(String(format: "%.0f", cpu * 1000)) ms, \(String(format: "%.1f", cpu * 1e6 / Double(max(options.incidents, 1)))) µs per step
          lateness ms (due → committed): p50 \(String(format: "%.1f", percentile(lateness, 50))), \
        p99 \(String(format: "%.1f", percentile(lateness, 99))), max \(String(format: "%.1f", lateness.last ?? 0))
          (setup: \(options.incidents) incidents ingested in \(String(format: "%.1f", prepared)) s)
        """)
    if options.deliver {
        print(
            """
              pages delivered to the receiver (\(options.workers) workers, \(options.perDestination) in flight to one destination, lanes of \(options.lane)): \
            \(arrived.count) of \(queued); ms after the due time: \
            first \(String(format: "%.1f", arrived.first ?? 0)), p50 \(String(format: "%.1f", percentile(arrived, 50))), \
            p99 \(String(format: "%.1f", percentile(arrived, 99))), last \(String(format: "%.1f", arrived.last ?? 0))
              CPU while delivering (dispatcher and receiver): \(String(format: "%.1f", deliveryCPU)) s, \
            \(String(format: "%.0f", deliveryCPU * 1e6 / Double(max(arrived.count, 1)))) µs per page
            """)
    }
}

let arguments = Array(CommandLine.arguments.dropFirst())
switch arguments.first {
case "escalation":
    let options = Options(Array(arguments.dropFirst()))
    if let url = options.postgres {
        try await sharedEscalationLateness(options, url: url, instances: options.instances)
    } else {
        try await escalationLateness(options)
    }
case "ingest-writer":
    try await ingestWriterCost(Array(arguments.dropFirst()))
case "decode":
    try webhookDecodeCost(Array(arguments.dropFirst()))
case "http-floor":
    try await serveHTTPFloor(port: arguments.dropFirst().first.flatMap(Int.init) ?? 0)
default:
    print("usage: tocsin-bench escalation [--incidents N] [--durability full|normal] [--chunk N] [--lead SECONDS] [--deliver [--workers N] [--per-destination N] [--lane N]]")
    print("       tocsin-bench escalation --postgres URL [--instances N] [--incidents N] [--chunk N] [--lead SECONDS]")
    print("       tocsin-bench ingest-writer [--alerts 100] [--batches 2000] [--mode distinct|repeated]")
    print("       tocsin-bench decode [--alerts 100] [--count 20000]")
    print("       tocsin-bench http-floor [PORT]")
    exit(2)
}
