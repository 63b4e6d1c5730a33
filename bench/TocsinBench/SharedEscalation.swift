import Foundation
import Logging
import Synchronization
import TocsinCore
import TocsinStore

// `tocsin-bench escalation --postgres URL [--instances 2]`: the escalation lateness benchmark on
// PostgreSQL, with the escalator's pass run by `--instances` stores at once on one database, as
// that many instances of `tocsin serve` would (each its own connection pool; the steps are shared
// out by `FOR UPDATE SKIP LOCKED`). URL names an empty database the benchmark may fill.
//
// Reports, as the SQLite case does, how long after the common due time each step's transaction
// committed, and how many steps each instance ran.

/// Steps run so far by all instances, and each step's lateness.
final class SharedPass: Sendable {
    private let state = Mutex<(lateness: [Double], byInstance: [Int], lastCommit: Double, queued: Int)>(([], [], 0, 0))

    init(instances: Int) {
        state.withLock { $0.byInstance = Array(repeating: 0, count: instances) }
    }

    /// Records a commit of `steps` steps by `instance`, `committed` ms after the due time; returns
    /// the steps run so far by all.
    func record(instance: Int, steps: Int, queued: Int, committed: Double) -> Int {
        state.withLock { state in
            state.lateness += Array(repeating: max(committed, 0), count: steps)
            state.byInstance[instance] += steps
            state.lastCommit = max(state.lastCommit, committed)
            state.queued += queued
            return state.lateness.count
        }
    }

    var steps: Int { state.withLock { $0.lateness.count } }
    var snapshot: (lateness: [Double], byInstance: [Int], lastCommit: Double, queued: Int) { state.withLock { $0 } }
}

func sharedEscalationLateness(_ options: Options, url: String, instances: Int) async throws {
    guard case .postgres(let location) = try StoreLocation(parsing: url, environment: ProcessInfo.processInfo.environment) else {
        print("--postgres needs a postgres:// URL, got \(url)")
        return
    }
    var stores: [PostgresStore] = []
    do {
        for index in 0..<max(instances, 1) {
            stores.append(try await PostgresStore.open(location, logger: quietLogger("bench-instance-\(index)")))
        }
        try await measureSharedPass(stores, options: options, location: location)
    } catch {
        for store in stores { await store.close() }
        throw error
    }
    for store in stores { await store.close() }
}

/// Fills the database through `stores` and runs the escalator's pass on all of them at once.
func measureSharedPass(_ stores: [PostgresStore], options: Options, location: PostgresLocation) async throws {
    guard try await stores[0].incidents(filter: .all, limit: 1).incidents.isEmpty else {
        print("\(location) already holds incidents: give the benchmark an empty database")
        return
    }
    let configuration = TocsinConfiguration(
        people: [Person(name: "primary", email: "primary@example.com", webhooks: ["http://127.0.0.1:9/hook"])],
        routes: [Route(matchers: [], policy: "page")],
        policies: [EscalationPolicy(name: "page", steps: [.init(after: 60, notify: [.person("primary")])])])

    // Every incident opens at t0 - 60 s, so that its one step falls due for all of them at t0. The
    // incidents are written through every instance, eight at a time.
    let prepareStarted = Date()
    let t0 = prepareStarted.addingTimeInterval(Double(options.incidents) / 100 + 10)
    try await withThrowingTaskGroup(of: Void.self) { group in
        for lane in 0..<8 {
            group.addTask {
                for index in stride(from: lane, to: options.incidents, by: 8) {
                    let labels = ["alertname": "Bench", "instance": "host-\(index)", "severity": "critical"]
                    let batch = AlertBatch(
                        receiver: "bench", groupKey: "{}:{instance=\"host-\(index)\"}", status: .firing, groupLabels: labels,
                        commonLabels: labels, alerts: [Alert(status: .firing, labels: labels, startsAt: t0)])
                    _ = try await stores[index % stores.count].ingest(batch, configuration: configuration, now: t0.addingTimeInterval(-60))
                }
            }
        }
        try await group.waitForAll()
    }
    let prepared = Date().timeIntervalSince(prepareStarted)
    guard Date() < t0 else {
        print("preparation took longer than planned (\(prepared)s); rerun with fewer incidents")
        return
    }
    try await Task.sleep(for: .seconds(t0.timeIntervalSinceNow - options.lead))

    // Every instance runs the escalator's pass at once, chunk by chunk, until every step has run
    // (at most two minutes).
    let pass = SharedPass(instances: stores.count)
    let cpuBefore = processCPUSeconds()
    let deadline = Date().addingTimeInterval(120)
    try await withThrowingTaskGroup(of: Void.self) { group in
        for (instance, store) in stores.enumerated() {
            group.addTask {
                while pass.steps < options.incidents, Date() < deadline {
                    let now = Date()
                    let tick = try await store.runDueEscalations(
                        now: now, preparingUntil: now.addingTimeInterval(options.lead), limit: options.chunk, configuration: configuration)
                    _ = pass.record(instance: instance, steps: tick.processed, queued: tick.queued, committed: Date().timeIntervalSince(t0) * 1000)
                    if tick.processed == 0 { try await Task.sleep(for: .milliseconds(5)) }
                }
            }
        }
        try await group.waitForAll()
    }
    let cpu = processCPUSeconds() - cpuBefore
    let result = pass.snapshot
    let lateness = result.lateness.sorted()
    print(
        """
        escalation lateness on PostgreSQL: \(options.incidents) incidents due at the same instant, \(stores.count) instance(s) on one \
        database, \(options.chunk) per transaction, prepared up to \(options.lead) s ahead
          steps run: \(lateness.count) (by instance: \(result.byInstance.map(String.init).joined(separator: ", "))), \
        notifications queued: \(result.queued)
          last commit \(String(format: "%.1f", result.lastCommit)) ms after the due time (negative: before it)
          CPU of the pass in this process (every instance; PostgreSQL's own not counted): \(String(format: "%.0f", cpu * 1000)) ms
          lateness ms (due → committed): p50 \(String(format: "%.1f", percentile(lateness, 50))), \
        p99 \(String(format: "%.1f", percentile(lateness, 99))), max \(String(format: "%.1f", lateness.last ?? 0))
          (setup: \(options.incidents) incidents ingested in \(String(format: "%.1f", prepared)) s)
        """)
}
