import Foundation
import TocsinCore
import TocsinStore

/// The store's side of ingestion without HTTP: `--batches` Alertmanager batches of `--alerts`
/// alerts, stored one after another (each one transaction, committed), distinct label sets or the
/// same payload again. Reports the wall time per batch, which on one thread is the database
/// writer's cost: the part of ingestion that cannot run in parallel, and the process's CPU time per
/// batch (steadier on a shared host; it leaves out the wait for each commit's fsync).
func ingestWriterCost(_ arguments: [String]) async throws {
    var alerts = 100
    var batches = 2000
    var mode = "distinct"
    var iterator = arguments.makeIterator()
    while let argument = iterator.next() {
        switch argument {
        case "--alerts": alerts = iterator.next().flatMap(Int.init) ?? alerts
        case "--batches": batches = iterator.next().flatMap(Int.init) ?? batches
        case "--mode": mode = iterator.next() ?? mode
        default: break
        }
    }
    let (store, directory) = try temporaryStore()
    defer { try? FileManager.default.removeItem(at: directory) }
    let configuration = TocsinConfiguration(
        people: [Person(name: "nobody", email: "nobody@example.com")],
        routes: [Route(matchers: [], policy: "in-a-year")],
        policies: [EscalationPolicy(name: "in-a-year", steps: [.init(after: 365 * 86_400, notify: [.person("nobody")])])])
    let start = Date()
    func batch(_ group: Int) -> AlertBatch {
        let alertList = (0..<alerts).map { index in
            Alert(
                status: .firing,
                labels: ["alertname": "BenchAlert", "cluster": "eu1", "instance": "\(group)-\(index):9100", "job": "node", "severity": "critical"],
                annotations: ["summary": "bench alert \(index)"], startsAt: start,
                generatorURL: "http://prometheus.example.test:9090/graph")
        }
        return AlertBatch(
            receiver: "bench", groupKey: "{}:{group=\"\(group)\"}", status: .firing, groupLabels: ["group": "\(group)"],
            commonLabels: ["alertname": "BenchAlert", "cluster": "eu1", "job": "node", "severity": "critical"], alerts: alertList)
    }
    let repeated = batch(-1)
    let clock = ContinuousClock()
    let cpuBefore = processCPUSeconds()
    let elapsed = try await clock.measure {
        for index in 0..<batches {
            let now = start.addingTimeInterval(Double(index) / 1000)
            _ = try await store.ingest(mode == "repeated" ? repeated : batch(index), configuration: configuration, now: now)
        }
    }
    let cpuPerBatch = (processCPUSeconds() - cpuBefore) / Double(batches)
    try store.close()
    let perBatch = elapsed / batches
    print(
        "ingest writer: \(batches) \(mode) batches of \(alerts) alerts, one after another: "
            + "\(Int(perBatch / .microseconds(1))) µs per batch (\(Int(Double(batches) / (elapsed / .seconds(1)))) batches/s), "
            + "\(Int(cpuPerBatch * 1_000_000)) µs of CPU per batch")
}
