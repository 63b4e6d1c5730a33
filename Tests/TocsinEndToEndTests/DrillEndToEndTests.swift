import Foundation
import Testing
import TocsinTestSupport

@Suite("tocsin drill run, end to end")
struct DrillEndToEndTests {
    static let root = Fixtures.repositoryRoot
    static let shippedDrills: [String] = {
        let directory = root.appendingPathComponent("drills").path
        return ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [])
            .filter { $0.hasSuffix(".yaml") }.sorted().map { "\(directory)/\($0)" }
    }()

    @Test("every shipped drill passes against the shipped policies")
    func shippedDrillsPass() throws {
        #expect(Self.shippedDrills.count >= 7)
        let outcome = try TocsinBinary.run(
            ["drill", "run", "--virtual", "--config", Self.root.appendingPathComponent("escalation-policies").path] + Self.shippedDrills)
        #expect(outcome.status == 0, "\(outcome.stdout)\(outcome.stderr)")
        #expect(outcome.stdout.components(separatedBy: "PASSED").count - 1 == Self.shippedDrills.count)
        #expect(!outcome.stdout.contains("MISSED"))
    }

    @Test("a missed expectation is reported, exits 1, and the JSON report says so; runs are deterministic")
    func missedExpectation() throws {
        let directory = try TemporaryDirectory("tocsin-drill")
        defer { directory.remove() }
        try """
            name: carol is paged at once (she is not)
            duration: 10m
            alerts:
              - labels: {alertname: DiskFull, severity: critical}
            expect:
              - {notified: alice, within: 60s}
              - {notified: carol, within: 60s}
            """.write(toFile: directory.path("wrong.yaml"), atomically: true, encoding: .utf8)
        let arguments = [
            "drill", "run", directory.path("wrong.yaml"), "--config", Self.root.appendingPathComponent("escalation-policies").path,
            "--report", directory.path("report.json"),
        ]
        let outcome = try TocsinBinary.run(arguments)
        #expect(outcome.status == 1)
        #expect(outcome.stdout.contains("MISSED  a notification to carol within +1m: none arrived"))
        #expect(outcome.stdout.contains("met     a notification to alice within +1m"))
        #expect(outcome.stderr.contains("1 of 1 drill missed an expectation"))
        let first = try Data(contentsOf: directory.url.appendingPathComponent("report.json"))
        let reports = try JSONSerialization.jsonObject(with: first) as? [[String: Any]]
        #expect(reports?.first?["passed"] as? Bool == false)
        _ = try TocsinBinary.run(arguments)
        #expect(try Data(contentsOf: directory.url.appendingPathComponent("report.json")) == first, "the same drill gives the same report")
    }

    @Test("a drill file with a mistake is refused with its file and line")
    func badFile() throws {
        let directory = try TemporaryDirectory("tocsin-drill")
        defer { directory.remove() }
        try "name: x\nalerts:\n  - labels: {a: b}\nexpect:\n  - {notified: alice, within: soon}\n"
            .write(toFile: directory.path("bad.yaml"), atomically: true, encoding: .utf8)
        let outcome = try TocsinBinary.run(["drill", "run", directory.path("bad.yaml")])
        #expect(outcome.status != 0)
        #expect(outcome.stderr.contains("bad.yaml:5: \"within\" must be a duration"))

        try "name: x\npayload: missing.json\nexpect:\n  - {notified: alice}\n"
            .write(toFile: directory.path("payload.yaml"), atomically: true, encoding: .utf8)
        let missing = try TocsinBinary.run(["drill", "run", directory.path("payload.yaml")])
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("payload.yaml:2: cannot read the payload file missing.json"), "\(missing.stderr)")
    }
}
