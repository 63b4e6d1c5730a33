import Foundation

extension PagerDutyEvent {
    /// Parses `payload.timestamp`: an ISO 8601 date-time with seconds and a time zone.
    ///
    /// Accepts what ``RFC3339/parse(_:)`` does (`2015-07-17T08:42:58Z`, `…58.315+02:00`, 0 to 9
    /// fractional digits) and the other ISO 8601 offsets senders use: `+0000` (as in PagerDuty's
    /// own example, `2015-07-17T08:42:58.315+0000`) and `+02`. A time without a zone (local to
    /// whom?), a comma before the fraction and the basic format (`20150717T084258Z`) are refused.
    public static func timestamp(from text: String) -> Date? {
        if let date = RFC3339.parse(text) { return date }
        var bytes = Array(text.utf8)
        let count = bytes.count
        func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
        func isSign(_ byte: UInt8) -> Bool { byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-") }
        if count >= 6, isSign(bytes[count - 5]), bytes[(count - 4)...].allSatisfy(isDigit), isDigit(bytes[count - 6]) {
            // ±hhmm → ±hh:mm
            bytes.insert(UInt8(ascii: ":"), at: count - 2)
        } else if count >= 4, isSign(bytes[count - 3]), isDigit(bytes[count - 2]), isDigit(bytes[count - 1]),
            isDigit(bytes[count - 4])
        {
            // ±hh → ±hh:00
            bytes.append(contentsOf: Array(":00".utf8))
        } else {
            return nil
        }
        return RFC3339.parse(String(decoding: bytes, as: UTF8.self))
    }
}

extension PagerDutyEvent.Wire {
    /// Checks every rule of the Events API v2 and returns the event, or every problem found.
    ///
    /// - `routing_key`: required, exactly 32 characters.
    /// - `event_action`: required, `trigger`, `acknowledge` or `resolve`.
    /// - `dedup_key`: at most 255 characters; required for `acknowledge` and `resolve`; on a
    ///   `trigger`, an empty or blank one counts as absent.
    /// - `payload`: required for `trigger`, with `summary` (1 to 1024 characters, not blank),
    ///   `source` (not blank) and `severity` (`critical`, `error`, `warning` or `info`);
    ///   `timestamp` optional (see ``PagerDutyEvent/timestamp(from:)``); `component`, `group` and
    ///   `class` optional, empty ones absent. `source`, `component`, `group` and `class` become
    ///   labels, so each holds at most ``LabelRules/maxLabelValueBytes`` bytes. On `acknowledge`
    ///   and `resolve` the payload's content is not checked: it is kept when valid, dropped if not.
    /// - `links[]` each need an `href`, `images[]` each a `src`.
    /// - No text Tocsin keeps may hold a NUL byte.
    ///
    /// Characters are counted as Unicode scalars.
    func validated(receivedAt: Date) throws(PagerDutyEvent.Invalid) -> PagerDutyEvent {
        var checks = PagerDutyEvent.Checks(problems: problems)
        let key = checks.routingKey(self.routingKey)
        let action = checks.action(eventAction)
        let dedup = checks.dedupKey(self.dedupKey, action: action)
        var eventPayload: PagerDutyEvent.Payload?
        switch (action, self.payload) {
        case (.trigger?, let payload?):
            eventPayload = payload.validated(receivedAt: receivedAt, checks: &checks)
        case (.trigger?, .none):
            checks.require(nil, "payload", problem: "is required when event_action is \"trigger\"")
        case (_?, let payload?):
            // Ignored by PagerDuty on acknowledge and resolve; kept only when it is complete.
            var quiet = PagerDutyEvent.Checks(problems: [])
            let validated = payload.validated(receivedAt: receivedAt, checks: &quiet)
            eventPayload = quiet.problems.isEmpty ? validated : nil
        default:
            // No action to check the payload against (reported already), or no payload.
            break
        }
        let eventLinks = checks.links(self.links)
        let eventImages = checks.images(self.images)
        let eventClient = checks.optionalText(self.client, "client")
        let eventClientURL = checks.optionalText(self.clientURL, "client_url")
        guard checks.problems.isEmpty, let key, let action else {
            throw PagerDutyEvent.Invalid(errors: checks.problems)
        }
        return PagerDutyEvent(
            action: action, routingKey: key, dedupKey: dedup, payload: eventPayload, links: eventLinks,
            images: eventImages, client: eventClient, clientURL: eventClientURL)
    }
}

extension PagerDutyEvent.Wire.Payload {
    /// The payload when every rule holds; nil (with the problems added to `checks`) otherwise.
    func validated(receivedAt: Date, checks: inout PagerDutyEvent.Checks) -> PagerDutyEvent.Payload? {
        let before = checks.problems.count
        let checkedSummary = checks.summary(self.summary)
        let checkedSource = checks.labelText(self.source, "payload.source", required: true)
        let checkedSeverity = checks.severity(self.severity)
        let checkedTimestamp = checks.timestamp(self.timestamp)
        let checkedComponent = checks.labelText(self.component, "payload.component")
        let checkedGroup = checks.labelText(self.group, "payload.group")
        let checkedClass = checks.labelText(self.eventClass, "payload.class")
        guard checks.problems.count == before, let checkedSummary, let checkedSource, let checkedSeverity else {
            return nil
        }
        return PagerDutyEvent.Payload(
            summary: checkedSummary, source: checkedSource, severity: checkedSeverity,
            timestamp: checkedTimestamp ?? receivedAt, component: checkedComponent, group: checkedGroup,
            eventClass: checkedClass, customDetails: self.customDetails)
    }
}

extension PagerDutyEvent {
    /// The problems found so far in one body, and the rules that add to them.
    ///
    /// A field already reported (a value of the wrong kind, read as absent) is not reported again as
    /// missing.
    struct Checks {
        var problems: [IngestValidationError]

        func reported(_ field: String) -> Bool {
            problems.contains { $0.field == field }
        }

        mutating func add(_ field: String, _ problem: String) {
            problems.append(IngestValidationError(field: field, problem: problem))
        }

        /// `value`, or nil after reporting it missing (unless its field is reported already).
        @discardableResult
        mutating func require(_ value: String?, _ field: String, problem: String = "is required") -> String? {
            guard let value else {
                if !reported(field) { add(field, problem) }
                return nil
            }
            return value
        }

        mutating func routingKey(_ value: String?) -> String? {
            guard let key = require(value, "routing_key") else { return nil }
            let count = key.unicodeScalars.count
            guard count == PagerDutyEvent.routingKeyLength else {
                add("routing_key", "must be \(PagerDutyEvent.routingKeyLength) characters long (got \(count))")
                return nil
            }
            return key
        }

        mutating func action(_ value: String?) -> PagerDutyEvent.Action? {
            guard let text = require(value, "event_action") else { return nil }
            guard let action = PagerDutyEvent.Action(rawValue: text) else {
                let allowed = PagerDutyEvent.Action.allCases.map(\.rawValue).joined(separator: ", ")
                add("event_action", "must be one of \(allowed) (got \(Self.quoted(text)))")
                return nil
            }
            return action
        }

        mutating func dedupKey(_ value: String?, action: PagerDutyEvent.Action?) -> String? {
            let field = "dedup_key"
            let needed = action == .acknowledge || action == .resolve
            guard let key = value, !Self.isBlank(key) else {
                if value != nil, needed {
                    add(field, "must not be blank")
                } else if needed, let action {
                    require(nil, field, problem: "is required when event_action is \"\(action.rawValue)\"")
                }
                return nil
            }
            let count = key.unicodeScalars.count
            if count > PagerDutyEvent.maxDedupKeyCharacters {
                add(field, "must be at most \(PagerDutyEvent.maxDedupKeyCharacters) characters long (got \(count))")
            }
            noNUL(key, field)
            return key
        }

        mutating func summary(_ value: String?) -> String? {
            let field = "payload.summary"
            guard let summary = require(value, field) else { return nil }
            guard !Self.isBlank(summary) else {
                add(field, "must not be blank")
                return nil
            }
            let count = summary.unicodeScalars.count
            if count > PagerDutyEvent.maxSummaryCharacters {
                add(field, "must be at most \(PagerDutyEvent.maxSummaryCharacters) characters long (got \(count))")
            }
            noNUL(summary, field)
            return summary
        }

        mutating func severity(_ value: String?) -> PagerDutyEvent.Severity? {
            let field = "payload.severity"
            guard let text = require(value, field) else { return nil }
            guard let severity = PagerDutyEvent.Severity(rawValue: text) else {
                let allowed = PagerDutyEvent.Severity.allCases.map(\.rawValue).joined(separator: ", ")
                add(field, "must be one of \(allowed) (got \(Self.quoted(text)))")
                return nil
            }
            return severity
        }

        /// The parsed time; nil when absent, empty, or (reported) not a date-time.
        mutating func timestamp(_ value: String?) -> Date? {
            guard let text = value, !text.isEmpty else { return nil }
            guard let date = PagerDutyEvent.timestamp(from: text) else {
                add(
                    "payload.timestamp",
                    "must be an ISO 8601 date-time with a time zone, such as 2015-07-17T08:42:58.315+0000"
                        + " (got \(Self.quoted(text)))")
                return nil
            }
            return date
        }

        /// A text that becomes a label value. Unless `required`, an empty one is absent.
        mutating func labelText(_ value: String?, _ field: String, required: Bool = false) -> String? {
            guard let text = required ? require(value, field) : value else { return nil }
            if Self.isBlank(text) {
                if required { add(field, "must not be blank") }
                return nil
            }
            let bytes = text.utf8.count
            if bytes > LabelRules.maxLabelValueBytes {
                add(field, "must be at most \(LabelRules.maxLabelValueBytes) bytes long, as a label value (got \(bytes))")
            }
            noNUL(text, field)
            return text
        }

        /// An optional text; an empty one is absent.
        mutating func optionalText(_ value: String?, _ field: String) -> String? {
            guard let text = value, !text.isEmpty else { return nil }
            noNUL(text, field)
            return text
        }

        /// The links; an element that was not an object is left out (it is reported already).
        mutating func links(_ wire: [PagerDutyEvent.Wire.Link?]) -> [PagerDutyEvent.Link] {
            var links: [PagerDutyEvent.Link] = []
            for (index, element) in wire.enumerated() {
                guard let element else { continue }
                let field = "links[\(index)]"
                let href = requiredText(element.href, "\(field).href")
                let text = optionalText(element.text, "\(field).text")
                if let href { links.append(PagerDutyEvent.Link(href: href, text: text)) }
            }
            return links
        }

        /// The images; an element that was not an object is left out (it is reported already).
        mutating func images(_ wire: [PagerDutyEvent.Wire.Image?]) -> [PagerDutyEvent.Image] {
            var images: [PagerDutyEvent.Image] = []
            for (index, element) in wire.enumerated() {
                guard let element else { continue }
                let field = "images[\(index)]"
                let src = requiredText(element.src, "\(field).src")
                let href = optionalText(element.href, "\(field).href")
                let alt = optionalText(element.alt, "\(field).alt")
                if let src { images.append(PagerDutyEvent.Image(src: src, href: href, alt: alt)) }
            }
            return images
        }

        /// A text that must be present and not blank.
        private mutating func requiredText(_ value: String?, _ field: String) -> String? {
            guard let text = require(value, field) else { return nil }
            guard !Self.isBlank(text) else {
                add(field, "must not be blank")
                return nil
            }
            noNUL(text, field)
            return text
        }

        private mutating func noNUL(_ text: String, _ field: String) {
            if UTF8Bytes.containsNUL(text) { add(field, "must not contain a NUL byte") }
        }

        static func isBlank(_ text: String) -> Bool {
            text.allSatisfy(\.isWhitespace)
        }

        /// `text` in quotes for a message, cut to 64 characters.
        static func quoted(_ text: String) -> String {
            let shown = text.count > 64 ? String(text.prefix(63)) + "…" : text
            return "\"\(shown)\""
        }
    }
}
