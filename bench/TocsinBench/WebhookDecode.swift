import Foundation
import TocsinCore

/// The cost of reading one webhook body into a batch, alone: `--count` decodes of an Alertmanager
/// body of `--alerts` alerts shaped like `bench/wrk/ingest.lua`'s, on one thread. Reports the CPU
/// time per body; the request's side of ingestion without HTTP, routing or the database.
func webhookDecodeCost(_ arguments: [String]) throws {
    var alerts = 100
    var count = 20_000
    var iterator = arguments.makeIterator()
    while let argument = iterator.next() {
        switch argument {
        case "--alerts": alerts = iterator.next().flatMap(Int.init) ?? alerts
        case "--count": count = iterator.next().flatMap(Int.init) ?? count
        default: break
        }
    }
    // Every alert carries its fingerprint, as Alertmanager's webhook does.
    let alertList = (1...alerts).map { index in
        let labels = ["alertname": "BenchAlert", "cluster": "eu1", "instance": "g-\(index):9100", "job": "node", "severity": "critical"]
        return """
            {"status":"firing","endsAt":"0001-01-01T00:00:00Z","fingerprint":"\(Fingerprint(labels: labels))",\
            "labels":{"alertname":"BenchAlert","cluster":"eu1","instance":"g-\(index):9100","job":"node","severity":"critical"},\
            "annotations":{"summary":"bench alert \(index)"},"startsAt":"2026-11-26T23:32:42.33Z",\
            "generatorURL":"http://prometheus.example.test:9090/graph"}
            """
    }
    let body = Array("""
        {"receiver":"bench","status":"firing","alerts":[\(alertList.joined(separator: ","))],\
        "groupLabels":{"alertname":"BenchAlert","group":"g"},"commonLabels":{"alertname":"BenchAlert","cluster":"eu1","job":"node","severity":"critical"},\
        "commonAnnotations":{},"externalURL":"http://am.example.test","version":"4","groupKey":"{}:{group=\\"g\\"}",\
        "truncatedAlerts":0}
        """.utf8)
    let receivedAt = Date()
    var kept = 0
    let cpuBefore = processCPUSeconds()
    for _ in 0..<count {
        kept += try AlertmanagerWebhook.decode(body, receivedAt: receivedAt).alerts.count
    }
    let cpuPerBody = (processCPUSeconds() - cpuBefore) / Double(count)
    guard kept == alerts * count else { throw DecodeBenchFailure(kept: kept, expected: alerts * count) }
    print("webhook decode: \(count) bodies of \(alerts) alerts (\(body.count) bytes): \(String(format: "%.1f", cpuPerBody * 1e6)) µs of CPU per body")
}

struct DecodeBenchFailure: Error, CustomStringConvertible {
    let kept: Int
    let expected: Int
    var description: String { "decoded \(kept) alerts, expected \(expected)" }
}
