import Foundation
import TocsinCore
import Yams

/// Reads a drill from YAML:
///
/// ```yaml
/// name: critical-immediate reaches the primary at once and escalates at 5m
/// duration: 30m
/// alerts:                        # or: payload: webhook.json (a captured Alertmanager webhook)
///   - labels: {alertname: DiskFull, severity: critical, instance: "db1:9100"}
///     annotations: {summary: Disk almost full on db1}
/// actions:                       # each at an offset from the start
///   - {at: 7m, ack: bob}         # also: resolve: NAME, fire: true, clear: true,
///                                #       receiver_down: webhook|email|all, until: 3m,
///                                #       restart: tocsin
/// expect:
///   - {notified: alice, within: 60s}
///   - {notified: bob, event: escalated, not_before: 5m, within: 6m, via: email, count: 1}
///   - {not_paged: carol, after: 0s}
///   - resolved_notice_to_everyone_paged
/// ```
public enum DrillFile {
    /// A drill file that cannot be used, with where and why.
    public struct Problem: Error, CustomStringConvertible, Sendable {
        public var file: String
        public var line: Int
        public var message: String
        public var description: String { "\(file):\(line): \(message)" }
    }

    public static func load(_ path: String) throws(Problem) -> Drill {
        let name = URL(fileURLWithPath: path).lastPathComponent
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw Problem(file: name, line: 0, message: "cannot read the file")
        }
        let root: Node
        do {
            guard let composed = try Yams.compose(yaml: text) else { throw Problem(file: name, line: 1, message: "the file is empty") }
            root = composed
        } catch let problem as Problem {
            throw problem
        } catch {
            throw Problem(file: name, line: 1, message: "YAML error: \(error)")
        }
        return try Parser(file: name, directory: URL(fileURLWithPath: path).deletingLastPathComponent()).drill(root)
    }

    struct Parser {
        let file: String
        /// Where the drill file is: `payload:` paths are relative to it.
        let directory: URL

        func medium(_ node: Node, _ key: String, orAll: Bool) throws(Problem) -> Medium {
            guard let text = node.string, let medium = Medium(rawValue: text) else {
                let choices = Medium.allCases.map(\.rawValue) + (orAll ? ["all"] : [])
                throw fail("\(key) must be " + choices.dropLast().joined(separator: ", ") + " or " + (choices.last ?? ""), node)
            }
            return medium
        }

        func fail(_ message: String, _ node: Node?) -> Problem {
            Problem(file: file, line: node?.mark?.line ?? 1, message: message)
        }

        func drill(_ root: Node) throws(Problem) -> Drill {
            guard let top = root.mapping else { throw fail("expected a mapping with name, alerts, actions, expect", root) }
            guard let name = top["name"]?.string, !name.isEmpty else { throw fail("missing \"name\"", root) }
            let duration = try top["duration"].map { node throws(Problem) in try self.duration(node, "duration") } ?? 3600
            var alerts: [Drill.DrillAlert] = []
            if let payload = top["payload"] {
                alerts = try payloadAlerts(payload)
            } else {
                guard let alertNodes = top["alerts"]?.sequence, !alertNodes.isEmpty else {
                    throw fail("\"alerts\" must list at least one alert (or give \"payload\": an Alertmanager webhook file)", top["alerts"] ?? root)
                }
                for node in alertNodes {
                    guard let labels = strings(node.mapping?["labels"]), !labels.isEmpty else {
                        throw fail("an alert needs \"labels\" (a mapping of label names to values)", node)
                    }
                    let at = try node.mapping?["at"].map { node throws(Problem) in try self.duration(node, "at") } ?? 0
                    alerts.append(Drill.DrillAlert(labels: labels, annotations: strings(node.mapping?["annotations"]) ?? [:], at: at))
                }
            }
            var actions: [Drill.TimedAction] = []
            for node in top["actions"]?.sequence.map(Array.init) ?? [] {
                actions.append(try action(node))
            }
            var expectations: [DrillExpectation] = []
            for node in top["expect"]?.sequence.map(Array.init) ?? [] {
                expectations.append(try expectation(node))
            }
            guard !expectations.isEmpty else { throw fail("\"expect\" must list at least one expectation", root) }
            return Drill(name: name, alerts: alerts, actions: actions, expectations: expectations, duration: duration)
        }

        /// The alerts of an Alertmanager webhook body (a captured payload), by path from the drill file.
        func payloadAlerts(_ node: Node) throws(Problem) -> [Drill.DrillAlert] {
            guard let path = node.string, !path.isEmpty else { throw fail("\"payload\" must be a file path", node) }
            let url = path.hasPrefix("/") ? URL(fileURLWithPath: path) : directory.appendingPathComponent(path)
            guard let data = try? Data(contentsOf: url) else { throw fail("cannot read the payload file \(path)", node) }
            let batch: AlertBatch
            do {
                batch = try AlertmanagerWebhook.decode(Array(data), receivedAt: Date(timeIntervalSince1970: 0))
            } catch {
                throw fail("the payload file \(path) is not an Alertmanager webhook: \(error)", node)
            }
            let firing = batch.alerts.filter { $0.status == .firing }
            return (firing.isEmpty ? batch.alerts : firing).map { Drill.DrillAlert(labels: $0.labels, annotations: $0.annotations) }
        }

        func action(_ node: Node) throws(Problem) -> Drill.TimedAction {
            guard let fields = node.mapping, let atNode = fields["at"] else { throw fail("an action needs \"at\"", node) }
            let at = try duration(atNode, "at")
            if let who = fields["ack"]?.string { return .init(at: at, action: .acknowledge(by: who)) }
            if let who = fields["resolve"]?.string { return .init(at: at, action: .resolve(by: who)) }
            if fields["fire"]?.bool == true { return .init(at: at, action: .fire) }
            if fields["clear"]?.bool == true { return .init(at: at, action: .clear) }
            if fields["restart"]?.string == "tocsin" { return .init(at: at, action: .restart) }
            if let escalate = fields["escalate"] {
                if escalate.bool == true { return .init(at: at, action: .escalate(toStep: nil)) }
                guard let step = escalate.int, step >= 1 else { throw fail("escalate is true, or the step to run (1 or more)", escalate) }
                return .init(at: at, action: .escalate(toStep: step))
            }
            if let noteNode = fields["note"] {
                guard let text = noteNode.string, !text.isEmpty else { throw fail("note must be some text", noteNode) }
                return .init(at: at, action: .note(text))
            }
            if let windowNode = fields["maintenance"] {
                guard let window = windowNode.mapping, let untilNode = window["until"] else {
                    throw fail("maintenance is {matchers: [\"label=\\\"value\\\"\"], until: DURATION}", windowNode)
                }
                var matchers: [Matcher] = []
                for item in window["matchers"]?.sequence ?? [] {
                    do {
                        matchers.append(try Matcher(parsing: item.string ?? ""))
                    } catch {
                        throw fail("maintenance matcher: \(error)", item)
                    }
                }
                guard !matchers.isEmpty, !matchers.allSatisfy({ $0.matches([:]) }) else {
                    throw fail("maintenance needs a matcher that selects what is under maintenance, such as cluster=\"eu1\"", windowNode)
                }
                return .init(at: at, action: .maintenance(matchers: matchers, until: try duration(untilNode, "until")))
            }
            if let downNode = fields["receiver_down"] {
                let medium = downNode.string == "all" ? nil : try self.medium(downNode, "receiver_down", orAll: true)
                guard let untilNode = fields["until"] else { throw fail("receiver_down needs \"until\"", node) }
                return .init(at: at, action: .receiverDown(medium: medium, until: try duration(untilNode, "until")))
            }
            throw fail(
                "an action is one of ack: NAME, resolve: NAME, fire: true, clear: true, receiver_down: MEDIUM, restart: tocsin, "
                    + "escalate: true|STEP, note: TEXT, maintenance: {matchers: [...], until: DURATION}", node)
        }

        func expectation(_ node: Node) throws(Problem) -> DrillExpectation {
            if node.string == "resolved_notice_to_everyone_paged" { return .resolvedNoticeToEveryonePaged }
            guard let fields = node.mapping else { throw fail("an expectation is a mapping, or resolved_notice_to_everyone_paged", node) }
            if let target = fields["notified"]?.string {
                var event: NotificationEvent?
                if let text = fields["event"]?.string {
                    guard let parsed = NotificationEvent(rawValue: text) else {
                        throw fail("event must be triggered, escalated, reminder, acknowledged or resolved", fields["event"])
                    }
                    event = parsed
                }
                return .notified(
                    target: target, via: try fields["via"].map { node throws(Problem) in try medium(node, "via", orAll: false) }, event: event,
                    notBefore: try fields["not_before"].map { node throws(Problem) in try duration(node, "not_before") } ?? 0,
                    within: try fields["within"].map { node throws(Problem) in try duration(node, "within") },
                    count: fields["count"]?.int)
            }
            if let target = fields["not_paged"]?.string {
                return .notPaged(target: target, after: try fields["after"].map { node throws(Problem) in try duration(node, "after") } ?? 0)
            }
            throw fail("an expectation is notified: NAME, not_paged: NAME, or resolved_notice_to_everyone_paged", node)
        }

        func duration(_ node: Node, _ key: String) throws(Problem) -> TimeInterval {
            let text = (node.string ?? "").trimmingCharacters(in: CharacterSet(charactersIn: "+ "))
            guard let seconds = PolicyDuration.parse(text) else {
                throw fail("\"\(key)\" must be a duration such as 30s, 5m or 24h", node)
            }
            return seconds
        }

        func strings(_ node: Node?) -> [String: String]? {
            guard let mapping = node?.mapping else { return nil }
            var result: [String: String] = [:]
            for (key, value) in mapping {
                guard let name = key.string, let text = value.string else { return nil }
                result[name] = text
            }
            return result
        }
    }
}
