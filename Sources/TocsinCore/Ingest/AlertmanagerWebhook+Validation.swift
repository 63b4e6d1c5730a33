import Foundation

extension AlertmanagerWebhook {
    /// The webhook payload version Tocsin understands.
    public static let supportedVersion = "4"
    /// By default an incident keeps at most this many alerts of one payload in full; the rest are
    /// counted as truncated (`serve --max-alerts-per-incident`).
    public static let defaultMaxAlerts = 10_000

    /// Reads and validates a raw webhook body, keeping at most `maxAlerts` alerts (the rest count
    /// as truncated, like Alertmanager's own `truncatedAlerts`: a storm is paged, never bounced).
    public static func decode(
        _ body: some Collection<UInt8>, receivedAt: Date, maxAlerts: Int = defaultMaxAlerts
    ) throws(IngestValidationError) -> AlertBatch {
        try decode(body, receivedAt: receivedAt, maxAlerts: maxAlerts, dialect: .alertmanager)
    }

    /// Reads and validates a body of the Alertmanager shape in `dialect` (Alertmanager's own, or
    /// Grafana's through ``GrafanaWebhook/decode(_:receivedAt:maxAlerts:)``).
    static func decode(
        _ body: some Collection<UInt8>, receivedAt: Date, maxAlerts: Int, dialect: Dialect
    ) throws(IngestValidationError) -> AlertBatch {
        let payload = try JSONBody.withContiguousBody(body) { (bytes) throws(IngestValidationError) -> AlertmanagerWebhook in
            try Self.read(bytes, keep: maxAlerts, dialect: dialect)
        }
        return try payload.validated(receivedAt: receivedAt, maxAlerts: maxAlerts, dialect: dialect)
    }

    /// Checks every field Tocsin relies on and returns the normalised batch.
    ///
    /// Alerts without a `fingerprint` get Alertmanager's FNV-1a fingerprint of their labels;
    /// Go's zero time in `endsAt` means "not ended"; a missing `startsAt` means `receivedAt`.
    ///
    /// At most `maxAlerts` alerts are kept (``KeptAlerts``: firing and most severe first); the
    /// others are added to `truncatedAlerts`.
    public func validated(receivedAt: Date, maxAlerts: Int = defaultMaxAlerts) throws(IngestValidationError) -> AlertBatch {
        try validated(receivedAt: receivedAt, maxAlerts: maxAlerts, dialect: .alertmanager)
    }

    /// ``validated(receivedAt:maxAlerts:)`` for a body in `dialect`: its versions are accepted,
    /// its batch is recorded with its source, and the annotations made from its extra fields are
    /// added to each alert's own (which win on a clash).
    func validated(receivedAt: Date, maxAlerts: Int, dialect: Dialect) throws(IngestValidationError) -> AlertBatch {
        guard let version else { throw IngestValidationError(field: "version", problem: "is required") }
        guard dialect.versions.contains(version) else {
            let accepted = dialect.versions.map { "\"\($0)\"" }.joined(separator: " or ")
            throw IngestValidationError(
                field: "version", problem: "unsupported version \"\(version)\"; Tocsin accepts \(accepted)")
        }
        let receiver = try Self.require(receiver, "receiver")
        let groupKey = try Self.require(groupKey, "groupKey")
        let status = try Self.status(status, field: "status")
        guard let allAlerts = self.alerts else { throw IngestValidationError(field: "alerts", problem: "is required") }
        let truncatedBySource = truncatedAlerts ?? 0
        guard truncatedBySource >= 0 else {
            throw IngestValidationError(field: "truncatedAlerts", problem: "must not be negative")
        }
        // The reader holds at most `maxAlerts` already; a payload decoded otherwise is chosen here alike.
        var kept = KeptAlerts(keep: maxAlerts)
        if allAlerts.count > maxAlerts {
            for (index, alert) in allAlerts.enumerated() { kept.add(alert, index: index) }
        }
        let alerts = allAlerts.count > maxAlerts ? kept.alerts : allAlerts
        let (truncated, overflow) = truncatedBySource.addingReportingOverflow(allAlerts.count - alerts.count + alertsNotRead)
        guard !overflow else { throw IngestValidationError(field: "truncatedAlerts", problem: "is too large") }
        // The group-level maps carry the same limits as an alert's: they become titles and subjects.
        try WireAlert.checkLabels(groupLabels ?? [:], field: "groupLabels", allowEmpty: true)
        try WireAlert.checkLabels(commonLabels ?? [:], field: "commonLabels", allowEmpty: true)
        try WireAlert.checkAnnotations(commonAnnotations ?? [:], field: "commonAnnotations")
        var normalised: [Alert] = []
        normalised.reserveCapacity(alerts.count)
        var positions: [Fingerprint: Int] = [:]
        for (index, wire) in alerts.enumerated() {
            let alert = try wire.validated(field: "alerts[\(index)]", receivedAt: receivedAt)
            if let earlier = positions[alert.fingerprint] {
                normalised[earlier] = alert
            } else {
                positions[alert.fingerprint] = normalised.count
                normalised.append(alert)
            }
        }
        return AlertBatch(
            source: dialect.source,
            receiver: receiver,
            groupKey: groupKey,
            status: status,
            groupLabels: groupLabels ?? [:],
            commonLabels: commonLabels ?? [:],
            commonAnnotations: commonAnnotations ?? [:],
            externalURL: externalURL ?? "",
            truncatedAlerts: truncated,
            alerts: normalised
        )
    }

    static func require(_ value: String?, _ field: String) throws(IngestValidationError) -> String {
        guard let value else { throw IngestValidationError(field: field, problem: "is required") }
        guard !value.isEmpty else { throw IngestValidationError(field: field, problem: "must not be empty") }
        return value
    }

    static func status(_ value: String?, field: @autoclosure () -> String) throws(IngestValidationError) -> AlertStatus {
        guard let value else { throw IngestValidationError(field: field(), problem: "is required") }
        guard let status = AlertStatus(rawValue: value) else {
            throw IngestValidationError(
                field: field(), problem: "must be \"firing\" or \"resolved\", got \"\(value)\"")
        }
        return status
    }
}

extension AlertmanagerWebhook.WireAlert {
    /// `field` (the alert's path, for errors) is built only when an error needs it.
    func validated(field: @autoclosure () -> String, receivedAt: Date) throws(IngestValidationError) -> Alert {
        let status = try AlertmanagerWebhook.status(status, field: "\(field()).status")
        guard let labels else { throw IngestValidationError(field: "\(field()).labels", problem: "is required") }
        try Self.checkLabels(labels, field: "\(field()).labels")
        var annotations = annotations ?? [:]
        if !extraAnnotations.isEmpty {
            annotations.merge(extraAnnotations) { own, _ in own }
        }
        try Self.checkAnnotations(annotations, field: "\(field()).annotations")
        let starts = try Self.time(startsAt, field: "\(field()).startsAt") ?? receivedAt
        let ends = try Self.time(endsAt, field: "\(field()).endsAt")
        if let ends, ends < starts {
            throw IngestValidationError(field: "\(field()).endsAt", problem: "is before startsAt")
        }
        var fingerprintValue: Fingerprint?
        if let fingerprint, !fingerprint.isEmpty {
            guard let parsed = Fingerprint(hex: fingerprint) else {
                throw IngestValidationError(
                    field: "\(field()).fingerprint", problem: "must be 16 hexadecimal digits, got \"\(fingerprint)\"")
            }
            fingerprintValue = parsed
        }
        return Alert(
            fingerprint: fingerprintValue,
            status: status,
            labels: labels,
            annotations: annotations,
            startsAt: starts,
            // A resolved alert without an end ends when it arrived, and never before it started
            // (a sender's clock may run ahead of ours).
            endsAt: status == .resolved ? (ends ?? max(receivedAt, starts)) : ends,
            generatorURL: generatorURL ?? ""
        )
    }

    static func checkLabels(
        _ labels: [String: String], field: @autoclosure () -> String, allowEmpty: Bool = false
    ) throws(IngestValidationError) {
        guard allowEmpty || !labels.isEmpty else {
            throw IngestValidationError(field: field(), problem: "at least one label pair is required")
        }
        guard labels.count <= LabelRules.maxLabelsPerAlert else {
            throw IngestValidationError(
                field: field(), problem: "has \(labels.count) labels; at most \(LabelRules.maxLabelsPerAlert)")
        }
        // The problem reported is the one of the first offending name in sorted order, so the same
        // body always gets the same answer (dictionary order is not stable between runs).
        var first: (name: String, error: IngestValidationError)?
        for (name, value) in labels where first.map({ name < $0.name }) ?? true {
            if !LabelRules.isValidName(name) || name.utf8.count > LabelRules.maxNameBytes {
                first = (name, IngestValidationError(
                    field: "\(field()).\(name)", problem: "invalid label name \"\(name)\" (must match [a-zA-Z_][a-zA-Z0-9_]*)"))
            } else if value.utf8.count > LabelRules.maxLabelValueBytes {
                first = (name, IngestValidationError(
                    field: "\(field()).\(name)", problem: "value is longer than \(LabelRules.maxLabelValueBytes) bytes"))
            } else if UTF8Bytes.containsNUL(value) {
                first = (name, IngestValidationError(field: "\(field()).\(name)", problem: "value contains a NUL byte"))
            }
        }
        if let first { throw first.error }
    }

    static func checkAnnotations(_ annotations: [String: String], field: @autoclosure () -> String) throws(IngestValidationError) {
        guard annotations.count <= LabelRules.maxLabelsPerAlert else {
            throw IngestValidationError(
                field: field(), problem: "has \(annotations.count) annotations; at most \(LabelRules.maxLabelsPerAlert)")
        }
        var first: (name: String, error: IngestValidationError)?
        for (name, value) in annotations where first.map({ name < $0.name }) ?? true {
            if name.isEmpty || name.utf8.count > LabelRules.maxNameBytes {
                first = (name, IngestValidationError(field: "\(field()).\(name)", problem: "invalid annotation name"))
            } else if value.utf8.count > LabelRules.maxAnnotationValueBytes {
                first = (name, IngestValidationError(
                    field: "\(field()).\(name)", problem: "value is longer than \(LabelRules.maxAnnotationValueBytes) bytes"))
            } else if UTF8Bytes.containsNUL(value) {
                first = (name, IngestValidationError(field: "\(field()).\(name)", problem: "value contains a NUL byte"))
            }
        }
        if let first { throw first.error }
    }

    private static func time(_ text: String?, field: @autoclosure () -> String) throws(IngestValidationError) -> Date? {
        guard let text, !text.isEmpty else { return nil }
        guard let date = RFC3339.parse(text) else {
            throw IngestValidationError(field: field(), problem: "is not an RFC 3339 date-time: \"\(text)\"")
        }
        return RFC3339.isGoZeroTime(date) ? nil : date
    }
}
