import Foundation
import TocsinCore
import Yams

extension PolicyDirectory {
    /// Turns YAML nodes into configuration values, collecting problems instead of stopping at the first.
    struct Reader {
        var configuration = TocsinConfiguration()
        var problems: [ConfigurationProblem] = []
        private var file = ""

        mutating func read(_ text: String, file: String) {
            self.file = file
            let root: Node?
            do {
                root = try Yams.compose(yaml: text)
            } catch let error as YamlError {
                problems.append(Self.problem(from: error, file: file))
                return
            } catch {
                problems.append(ConfigurationProblem("\(error)", at: SourceLocation(file: file, line: 1, column: 1)))
                return
            }
            guard let root else { return }  // an empty file
            guard let top = mapping(root, "the top level") else { return }
            for (key, value) in top {
                switch key {
                case "people":
                    for node in items(value, "people") { if let person = person(node) { configuration.people.append(person) } }
                case "channels":
                    for node in items(value, "channels") { if let channel = channel(node) { configuration.channels.append(channel) } }
                case "routes":
                    for node in items(value, "routes") { if let route = route(node) { configuration.routes.append(route) } }
                case "policies":
                    for node in items(value, "policies") {
                        if let policy = policy(node) {
                            configuration.policies.append(policy)
                            configuration.policyLocations[policy.name] = location(node)
                        }
                    }
                case "schedules":
                    for node in items(value, "schedules") {
                        if let schedule = schedule(node) {
                            configuration.schedules.append(schedule)
                            configuration.scheduleLocations[schedule.name] = location(node)
                        }
                    }
                case "heartbeats":
                    for node in items(value, "heartbeats") { if let heartbeat = heartbeat(node) { configuration.heartbeats.append(heartbeat) } }
                default:
                    report(
                        "unknown top-level key \"\(key)\" (expected people, channels, routes, policies, schedules or heartbeats)", value)
                }
            }
        }

        // MARK: Entities

        private mutating func person(_ node: Node) -> Person? {
            guard let fields = mapping(node, "a person"), let name = requiredString(fields, "name", node) else { return nil }
            unknownKeys(
                fields, allowed: Self.webhookKeys.union(["name", "email", "webhooks", "webhook", "timezone", "phone", "notify"]),
                in: "person \"\(name)\"")
            var phone: String?
            if let node = fields["phone"], let number = string(node, "phone") {
                if PhoneNumber.isE164(number) {
                    phone = number
                } else {
                    report("phone of \(name) must be an E.164 number such as \"+441632960001\" (a plus, the country code, no spaces), got \"\(number)\"", node)
                }
            }
            var person = Person(
                name: name, email: string(fields["email"], "email"),
                webhooks: strings(fields["webhooks"], "webhooks") + strings(fields["webhook"], "webhook"),
                timezone: string(fields["timezone"], "timezone"), webhook: webhookSettings(fields), location: location(node),
                phone: phone)
            person.notify = notificationRules(fields["notify"], of: person)
            return person
        }

        /// `notify:` of a person: each rule's delay and methods, every method one the person has.
        private mutating func notificationRules(_ node: Node?, of person: Person) -> [NotificationRule] {
            var rules: [NotificationRule] = []
            for item in items(node, "notify") {
                guard let fields = mapping(item, "a rule such as {after: 2m, via: sms}") else { continue }
                unknownKeys(fields, allowed: ["after", "via"], in: "a notification rule of \(person.name)")
                guard let afterNode = fields["after"], let after = duration(afterNode, "after") else {
                    if fields["after"] == nil { report("a notification rule needs \"after\" (0m for at once)", item) }
                    continue
                }
                var media: [Medium] = []
                for (text, at) in stringsWithNodes(fields["via"], "via") {
                    guard let medium = Medium(rawValue: text) else {
                        report("via must name webhook, email, sms or voice, got \"\(text)\"", at)
                        continue
                    }
                    guard person.media.contains(medium) else {
                        let needs = medium == .sms || medium == .voice ? "no phone" : medium == .email ? "no email" : "no webhook"
                        report("\(person.name) has \(needs): a rule cannot reach them by \(medium)", at)
                        continue
                    }
                    media.append(medium)
                }
                if fields["via"] == nil { report("a notification rule needs \"via\" (webhook, email, sms or voice)", item) }
                if !media.isEmpty { rules.append(NotificationRule(after: after, via: media)) }
            }
            return rules.sorted { $0.after < $1.after }
        }

        private mutating func channel(_ node: Node) -> Channel? {
            guard let fields = mapping(node, "a channel"), let name = requiredString(fields, "name", node) else { return nil }
            unknownKeys(
                fields, allowed: Self.webhookKeys.union(["name", "webhook", "webhooks", "email", "emails"]),
                in: "channel \"\(name)\"")
            return Channel(
                name: name, webhooks: strings(fields["webhook"], "webhook") + strings(fields["webhooks"], "webhooks"),
                emails: strings(fields["email"], "email") + strings(fields["emails"], "emails"),
                webhook: webhookSettings(fields), location: location(node))
        }

        /// Keys that describe how webhooks are written and signed.
        static let webhookKeys: Set<String> = ["format", "secret", "secrets", "secret_env", "secrets_env"]

        /// `format: slack`, and signing secrets given inline (`secret`, `secrets`) or, better, by the
        /// names of environment variables holding them (`secret_env`, `secrets_env`).
        private mutating func webhookSettings(_ fields: [(String, Node)]) -> WebhookSettings {
            var settings = WebhookSettings()
            if let node = fields["format"], let text = string(node, "format") {
                if let format = WebhookSettings.Format(rawValue: text) {
                    settings.format = format
                } else {
                    report("format must be tocsin or slack, got \"\(text)\"", node)
                }
            }
            settings.secrets = strings(fields["secret"], "secret") + strings(fields["secrets"], "secrets")
            for (variable, node) in stringsWithNodes(fields["secret_env"], "secret_env")
                + stringsWithNodes(fields["secrets_env"], "secrets_env")
            {
                if let value = ProcessInfo.processInfo.environment[variable], !value.isEmpty {
                    settings.secrets.append(value)
                } else {
                    report("environment variable \(variable) (a webhook secret) is not set", node)
                }
            }
            return settings
        }

        private mutating func route(_ node: Node) -> Route? {
            guard let fields = mapping(node, "a route"), let policy = requiredString(fields, "policy", node) else { return nil }
            unknownKeys(fields, allowed: ["matchers", "policy", "continue"], in: "route to \"\(policy)\"")
            var matchers: [Matcher] = []
            for (text, at) in stringsWithNodes(fields["matchers"], "matchers") {
                do {
                    matchers.append(try Matcher(parsing: text))
                } catch {
                    // Point at the character itself: past the opening quote of a quoted scalar.
                    var location = location(at)
                    if let column = error.column {
                        let quote = [.singleQuoted, .doubleQuoted].contains(at.scalar?.style) ? 1 : 0
                        location.column += column - 1 + quote
                    }
                    problems.append(ConfigurationProblem(error.description, at: location))
                }
            }
            let goOn = fields["continue"].flatMap { bool($0, "continue") } ?? false
            return Route(matchers: matchers, policy: policy, continue: goOn, location: location(node))
        }

        private mutating func policy(_ node: Node) -> EscalationPolicy? {
            guard let fields = mapping(node, "a policy"), let name = requiredString(fields, "name", node) else { return nil }
            unknownKeys(
                fields, allowed: ["name", "description", "steps", "repeat", "repeat_after", "ack_timeout", "reminders"],
                in: "policy \"\(name)\"")
            var steps: [EscalationPolicy.Step] = []
            // Each step keeps its place in its list, so messages name it as the file does even
            // when the steps are sorted by time (or one has a bad duration).
            for (index, node) in items(fields["steps"], "steps").enumerated() {
                if var step = step(node, defaultKind: .page) {
                    step.origin = .init(label: "step \(index + 1)", location: location(node))
                    steps.append(step)
                }
            }
            for (index, node) in items(fields["reminders"], "reminders").enumerated() {
                if var step = step(node, defaultKind: .reminder) {
                    step.origin = .init(label: "reminder \(index + 1)", location: location(node))
                    steps.append(step)
                }
            }
            let repeatCount = fields["repeat"].flatMap { integer($0, "repeat") } ?? 0
            return EscalationPolicy(
                name: name, description: string(fields["description"], "description"), steps: steps, repeat: repeatCount,
                repeatAfter: fields["repeat_after"].flatMap { duration($0, "repeat_after") },
                ackTimeout: fields["ack_timeout"].flatMap { duration($0, "ack_timeout") })
        }

        private mutating func step(_ node: Node, defaultKind: EscalationPolicy.StepKind) -> EscalationPolicy.Step? {
            guard let fields = mapping(node, "a step") else { return nil }
            unknownKeys(fields, allowed: ["after", "notify", "kind"], in: "step")
            guard let afterNode = fields["after"] else {
                report("a step needs \"after\" (a duration such as 0m, 5m, 24h)", node)
                return nil
            }
            let after = duration(afterNode, "after") ?? 0
            var kind = defaultKind
            if let kindNode = fields["kind"], let text = string(kindNode, "kind") {
                if let parsed = EscalationPolicy.StepKind(rawValue: text) {
                    kind = parsed
                } else {
                    report("kind must be page, notify or reminder, got \"\(text)\"", kindNode)
                }
            }
            var targets: [NotifyTarget] = []
            for target in items(fields["notify"], "notify") {
                guard let entry = mapping(target, "a target such as {person: alice}"), entry.count == 1,
                    let (key, value) = entry.first, let name = string(value, key)
                else {
                    report("a notify target is one of person: NAME, channel: NAME, email: ADDRESS, oncall: SCHEDULE", target)
                    continue
                }
                switch key {
                case "person": targets.append(.person(name))
                case "channel": targets.append(.channel(name))
                case "email": targets.append(.email(name))
                case "oncall":
                    let parts = name.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
                    if parts.count == 1 || (parts.count == 2 && parts[1] == "next"), !parts[0].isEmpty {
                        targets.append(.oncall(parts[0], next: parts.count == 2))
                    } else {
                        report("oncall takes a schedule name, or \"NAME, next\" for the next person in rotation", value)
                    }
                default: report("unknown notify target \"\(key)\" (expected person, channel, email or oncall)", target)
                }
            }
            return EscalationPolicy.Step(after: after, notify: targets, kind: kind)
        }

        // MARK: Node helpers

        func location(_ node: Node) -> SourceLocation {
            SourceLocation(file: file, line: node.mark?.line ?? 1, column: node.mark?.column ?? 1)
        }

        mutating func report(_ message: String, _ node: Node) {
            problems.append(ConfigurationProblem(message, at: location(node)))
        }

        mutating func mapping(_ node: Node, _ what: String) -> [(String, Node)]? {
            guard case .mapping(let mapping) = node else {
                report("expected \(what) (a mapping of keys to values)", node)
                return nil
            }
            return mapping.compactMap { key, value in key.string.map { ($0, value) } }
        }

        mutating func items(_ node: Node?, _ key: String) -> [Node] {
            guard let node else { return [] }
            guard case .sequence(let sequence) = node else {
                report("\"\(key)\" must be a list", node)
                return []
            }
            return Array(sequence)
        }

        mutating func requiredString(_ fields: [(String, Node)], _ key: String, _ owner: Node) -> String? {
            guard let node = fields[key] else {
                report("missing \"\(key)\"", owner)
                return nil
            }
            guard let value = string(node, key), !value.isEmpty else { return nil }
            return value
        }

        mutating func string(_ node: Node?, _ key: String) -> String? {
            guard let node else { return nil }
            guard case .scalar(let scalar) = node else {
                report("\"\(key)\" must be a single value", node)
                return nil
            }
            return scalar.string
        }

        mutating func strings(_ node: Node?, _ key: String) -> [String] {
            stringsWithNodes(node, key).map(\.0)
        }

        mutating func stringsWithNodes(_ node: Node?, _ key: String) -> [(String, Node)] {
            guard let node else { return [] }
            switch node {
            case .scalar(let scalar): return [(scalar.string, node)]
            case .sequence(let sequence): return sequence.compactMap { item in string(item, key).map { ($0, item) } }
            default:
                report("\"\(key)\" must be a value or a list of values", node)
                return []
            }
        }

        mutating func bool(_ node: Node, _ key: String) -> Bool? {
            guard let value = node.bool else {
                report("\"\(key)\" must be true or false", node)
                return nil
            }
            return value
        }

        mutating func integer(_ node: Node, _ key: String) -> Int? {
            guard let value = node.int, value >= 0 else {
                report("\"\(key)\" must be a whole number, 0 or more", node)
                return nil
            }
            return value
        }

        mutating func duration(_ node: Node, _ key: String) -> TimeInterval? {
            guard let text = string(node, key), let seconds = PolicyDuration.parse(text) else {
                report("\"\(key)\" must be a duration such as 30s, 5m, 1h30m or 24h", node)
                return nil
            }
            return seconds
        }

        mutating func unknownKeys(_ fields: [(String, Node)], allowed: Set<String>, in owner: String) {
            for (key, node) in fields where !allowed.contains(key) {
                report("unknown key \"\(key)\" in \(owner) (allowed: \(allowed.sorted().joined(separator: ", ")))", node)
            }
        }

        static func problem(from error: YamlError, file: String) -> ConfigurationProblem {
            switch error {
            case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
                .composer(let context, let problem, let mark, _):
                let prefix = context.map { "\($0.text) " } ?? ""
                return ConfigurationProblem(
                    "YAML error: \(prefix)\(problem)", at: SourceLocation(file: file, line: mark.line, column: mark.column))
            default:
                return ConfigurationProblem("YAML error: \(error)", at: SourceLocation(file: file, line: 1, column: 1))
            }
        }
    }
}

extension [(String, Node)] {
    subscript(key: String) -> Node? {
        first { $0.0 == key }?.1
    }
}
