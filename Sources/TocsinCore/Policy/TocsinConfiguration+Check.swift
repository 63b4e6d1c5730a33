extension TocsinConfiguration {
    /// Every problem `tocsin policy check` reports: references to unknown people, channels and
    /// policies, steps that reach nobody, routes that can never match because an earlier route
    /// takes everything they would, duplicate names and impossible timings.
    public func problems() -> [ConfigurationProblem] {
        var problems: [ConfigurationProblem] = []
        problems += duplicates(people.map { ($0.name, $0.location) }, kind: "person")
        problems += duplicates(channels.map { ($0.name, $0.location) }, kind: "channel")
        problems += duplicates(policies.map { ($0.name, policyLocations[$0.name]) }, kind: "policy")
        problems += duplicates(schedules.map { ($0.name, scheduleLocations[$0.name]) }, kind: "schedule")
        for schedule in schedules {
            for layer in schedule.layers {
                for name in layer.people where person(name) == nil {
                    problems.append(.init(
                        "schedule \"\(schedule.name)\", layer \"\(layer.name)\" names unknown person \"\(name)\"",
                        at: scheduleLocations[schedule.name]))
                }
            }
        }

        for person in people where person.contacts.isEmpty {
            problems.append(.init("person \"\(person.name)\" has no email, no webhook and no phone: nobody can reach them",
                                  at: person.location))
        }
        // A reply to a text acts as the person whose phone sent it: one phone, one person.
        var phones: [String: String] = [:]
        for person in people {
            guard let phone = person.phone else { continue }
            if let first = phones[phone] {
                problems.append(.init(
                    "person \"\(person.name)\" has the same phone as \"\(first)\": a reply could not tell who sent it",
                    at: person.location))
            } else {
                phones[phone] = person.name
            }
        }
        for channel in channels where channel.contacts.isEmpty {
            problems.append(.init("channel \"\(channel.name)\" has no webhook and no email", at: channel.location))
        }
        // Webhooks go out over HTTP(S) only (the sender refuses anything else), so say so now.
        let webhooks = people.flatMap { person in person.webhooks.map { ("person \"\(person.name)\"", $0, person.location) } }
            + channels.flatMap { channel in channel.webhooks.map { ("channel \"\(channel.name)\"", $0, channel.location) } }
        for (owner, url, location) in webhooks where !Self.isWebhookURL(url) {
            problems.append(.init("\(owner): webhook \"\(url)\" must be an http:// or https:// URL with a host", at: location))
        }
        for policy in policies {
            problems += check(policy)
        }
        problems += checkRoutes()
        problems += duplicates(heartbeats.map { ($0.name, $0.location) }, kind: "heartbeat")
        problems += heartbeats.flatMap(check)
        return problems
    }

    /// Whether `url` is `http://` or `https://` followed by a host.
    static func isWebhookURL(_ url: String) -> Bool {
        let lowered = url.lowercased()
        for scheme in ["https://", "http://"] where lowered.hasPrefix(scheme) {
            let host = lowered.dropFirst(scheme.count).prefix { $0 != "/" && $0 != "?" && $0 != "#" }
            return !host.isEmpty && !host.contains(" ")
        }
        return false
    }

    private func check(_ policy: EscalationPolicy) -> [ConfigurationProblem] {
        let location = policyLocations[policy.name]
        var problems: [ConfigurationProblem] = []
        let name = "policy \"\(policy.name)\""
        if policy.steps.isEmpty {
            problems.append(.init("\(name) has no steps", at: location))
        }
        if !policy.steps.contains(where: { $0.kind == .page }) {
            problems.append(.init("\(name) never pages anyone (every step is notify or reminder)", at: location))
        }
        for (index, step) in policy.steps.enumerated() {
            let label = step.label(in: policy.name, index: index)
            let location = step.origin?.location ?? location
            if step.notify.isEmpty {
                problems.append(.init("\(label) notifies nobody", at: location))
            }
            for target in step.notify {
                switch target {
                case .person(let person) where self.person(person) == nil:
                    problems.append(.init("\(label) names unknown person \"\(person)\"", at: location))
                case .channel(let channel) where self.channel(channel) == nil:
                    problems.append(.init("\(label) names unknown channel \"\(channel)\"", at: location))
                case .oncall(let schedule, _) where self.schedule(schedule) == nil:
                    problems.append(.init("\(label) names unknown schedule \"\(schedule)\"", at: location))
                default:
                    break
                }
            }
            // On-call targets are checked over time by reachabilityProblems(from:days:).
            if !step.notify.isEmpty, !step.notify.contains(where: { !contacts(for: $0).isEmpty || $0.isOnCall }) {
                problems.append(.init("\(label) is unreachable: none of its targets has a contact method", at: location))
            }
            if step.after < 0 {
                problems.append(.init("\(label) has a negative delay", at: location))
            }
        }
        if policy.repeat < 0 {
            problems.append(.init("\(name): repeat must not be negative", at: location))
        }
        if let repeatAfter = policy.repeatAfter, let last = policy.steps.last, repeatAfter <= last.after {
            problems.append(.init(
                "\(name): repeat_after (\(PolicyDuration.format(repeatAfter))) must be longer than the last step's delay (\(PolicyDuration.format(last.after)))",
                at: location))
        }
        if let ackTimeout = policy.ackTimeout, ackTimeout <= 0 {
            problems.append(.init("\(name): ack_timeout must be positive", at: location))
        }
        return problems
    }

    private func checkRoutes() -> [ConfigurationProblem] {
        var problems: [ConfigurationProblem] = []
        if routes.isEmpty {
            problems.append(.init("no routes: no incident would follow any policy"))
        }
        for (index, route) in routes.enumerated() {
            if policy(route.policy) == nil {
                problems.append(.init("route \(index + 1) names unknown policy \"\(route.policy)\"", at: route.location))
            }
            if let shadow = routes[..<index].firstIndex(where: { earlier in
                !earlier.continue && earlier.matchers.allSatisfy { route.matchers.contains($0) }
            }) {
                problems.append(.init(
                    "route \(index + 1) (\(route.matcherDescription)) is shadowed by route \(shadow + 1) (\(routes[shadow].matcherDescription)), which matches everything it would",
                    at: route.location))
            }
        }
        if !routes.isEmpty, !routes.contains(where: { $0.matchers.isEmpty }) {
            problems.append(.init("no default route (a route without matchers): some alerts would page nobody"))
        }
        return problems
    }

    /// A heartbeat needs a name fit for a URL, a positive interval, valid labels, and a route to
    /// a policy: a missed heartbeat that pages nobody is a silence nobody hears.
    private func check(_ heartbeat: Heartbeat) -> [ConfigurationProblem] {
        var problems: [ConfigurationProblem] = []
        let owner = "heartbeat \"\(heartbeat.name)\""
        if !Heartbeat.isValidName(heartbeat.name) {
            problems.append(.init(
                "\(owner): the name must be 1 to \(Heartbeat.maxNameBytes) letters, digits, '.', '_' or '-' (it is a URL path segment)",
                at: heartbeat.location))
        }
        if heartbeat.interval <= 0 {
            problems.append(.init("\(owner): interval must be more than 0s", at: heartbeat.location))
        }
        for (name, value) in heartbeat.labels.sorted(by: { $0.key < $1.key }) {
            if !LabelRules.isValidName(name) {
                problems.append(.init("\(owner): label \"\(name)\" is not a valid label name ([a-zA-Z_][a-zA-Z0-9_]*)", at: heartbeat.location))
            } else if value.utf8.count > LabelRules.maxLabelValueBytes {
                problems.append(.init("\(owner): label \"\(name)\" is longer than \(LabelRules.maxLabelValueBytes) bytes", at: heartbeat.location))
            }
        }
        let routed = Route.policies(for: heartbeat.alertLabels, in: routes).filter { policy($0) != nil }
        if !routes.isEmpty, routed.isEmpty {
            problems.append(.init(
                "\(owner): its HeartbeatMissed alert (\(heartbeat.alertLabels.sorted { $0.key < $1.key }.map { "\($0.key)=\"\($0.value)\"" }.joined(separator: ", "))) routes to no policy: a missed beat would page nobody",
                at: heartbeat.location))
        }
        return problems
    }

    private func duplicates(_ entries: [(String, SourceLocation?)], kind: String) -> [ConfigurationProblem] {
        var seen: Set<String> = []
        return entries.compactMap { name, location in
            seen.insert(name).inserted ? nil : ConfigurationProblem("\(kind) \"\(name)\" is defined more than once", at: location)
        }
    }
}
