import Foundation

/// A CloudWatch alarm's change of state, as CloudWatch publishes it to an SNS topic: the JSON
/// text in the `Message` of an SNS notification.
///
/// ``alertBatch(integration:labels:insufficientData:receivedAt:)`` turns it into Tocsin's
/// ``AlertBatch``: one alert per alarm, keyed by account, region and alarm name, so the `OK` that
/// follows an `ALARM` resolves the alert the `ALARM` opened.
///
/// ```swift
/// let alarm = try CloudWatchAlarm.decode(notification: message)
/// if let batch = try alarm.alertBatch(integration: "aws-prod", labels: ["severity": "critical"], receivedAt: now) {
///     // ingest like any other batch
/// }
/// ```
public struct CloudWatchAlarm: Sendable, Equatable {
    /// An alarm state, as CloudWatch names it.
    public enum State: String, Sendable, CaseIterable {
        case alarm = "ALARM"
        case ok = "OK"
        case insufficientData = "INSUFFICIENT_DATA"
    }

    /// What an alarm entering `INSUFFICIENT_DATA` does to its alert.
    ///
    /// The default is ``ignore``: the state is reported when an alarm is created and whenever its
    /// metric pauses, so paging on it wakes people for nothing, and resolving on it would close an
    /// incident whose cause may still be there. An alarm that must page on missing data says so
    /// with its own `TreatMissingData` setting (it then goes to `ALARM`), or its integration
    /// chooses ``fire``.
    public enum InsufficientData: String, Sendable, CaseIterable, Codable {
        /// The alert fires, as for `ALARM`.
        case fire
        /// The alert resolves, as for `OK`.
        case resolve
        /// Nothing is ingested: the alert stays as it was.
        case ignore
    }

    /// One dimension of the alarm's metric (`InstanceId` = `i-0abc…`).
    public struct Dimension: Sendable, Equatable {
        public var name: String
        public var value: String

        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    /// The metric condition of the alarm. Every field is optional: alarms on metric math or
    /// anomaly bands leave some out, and composite alarms send no trigger at all.
    public struct Trigger: Sendable, Equatable {
        public var metricName: String?
        public var namespace: String?
        public var statistic: String?
        public var dimensions: [Dimension]
        public var threshold: Double?
        public var comparisonOperator: String?
        /// Seconds per evaluation period.
        public var period: Int?
        public var evaluationPeriods: Int?

        public init(
            metricName: String? = nil, namespace: String? = nil, statistic: String? = nil, dimensions: [Dimension] = [],
            threshold: Double? = nil, comparisonOperator: String? = nil, period: Int? = nil, evaluationPeriods: Int? = nil
        ) {
            self.metricName = metricName
            self.namespace = namespace
            self.statistic = statistic
            self.dimensions = dimensions
            self.threshold = threshold
            self.comparisonOperator = comparisonOperator
            self.period = period
            self.evaluationPeriods = evaluationPeriods
        }
    }

    /// The `source` of every batch this adapter makes.
    public static let source = "cloudwatch"

    public var alarmName: String
    public var alarmDescription: String?
    /// `arn:aws:cloudwatch:us-east-1:123456789012:alarm:Name`, when CloudWatch sends it.
    public var alarmArn: String?
    public var awsAccountId: String
    public var newState: State
    public var newStateReason: String
    /// When the alarm changed state; nil when the message did not say.
    public var stateChangeTime: Date?
    /// The region as CloudWatch names it in the message, e.g. `US East (N. Virginia)`.
    public var region: String
    /// The state before, as sent (not checked: only the new state decides anything).
    public var oldState: String?
    public var trigger: Trigger?

    public init(
        alarmName: String,
        alarmDescription: String? = nil,
        alarmArn: String? = nil,
        awsAccountId: String,
        newState: State,
        newStateReason: String = "",
        stateChangeTime: Date? = nil,
        region: String,
        oldState: String? = nil,
        trigger: Trigger? = nil
    ) {
        self.alarmName = alarmName
        self.alarmDescription = alarmDescription
        self.alarmArn = alarmArn
        self.awsAccountId = awsAccountId
        self.newState = newState
        self.newStateReason = newStateReason
        self.stateChangeTime = stateChangeTime
        self.region = region
        self.oldState = oldState
        self.trigger = trigger
    }

    /// The region code from ``alarmArn`` (`us-east-1`) when there is one, else ``region`` as sent.
    public var regionCode: String {
        guard let alarmArn else { return region }
        let parts = alarmArn.split(separator: ":", maxSplits: 6, omittingEmptySubsequences: false)
        guard parts.count >= 5, parts[0] == "arn", !parts[3].isEmpty else { return region }
        return String(parts[3])
    }

    /// `123456789012/us-east-1/HighCPU`: the alarm's identity, its alert's key and its group key.
    /// The name comes last, so a `/` inside it cannot make two alarms' keys equal.
    public var key: String { "\(awsAccountId)/\(regionCode)/\(alarmName)" }

    /// The alarm's alert identity: the same for every state the alarm reports.
    public var fingerprint: Fingerprint { Fingerprint(source: Self.source, key: key) }
}

// MARK: - Reading

extension CloudWatchAlarm {
    /// Reads the alarm carried by an SNS notification; a confirmation is rejected (`Type`).
    public static func decode(notification: SNSMessage) throws(IngestValidationError) -> CloudWatchAlarm {
        guard notification.type == .notification else {
            throw IngestValidationError(
                field: "Type", problem: "must be \"Notification\" to carry an alarm, got \"\(notification.type.rawValue)\"")
        }
        return try decode(notification.message)
    }

    /// Reads a CloudWatch alarm from the JSON text of an SNS `Message`.
    ///
    /// Errors name the field under `Message` (`Message.NewStateValue: is required`,
    /// `Message.Trigger.Dimensions[0].name: is required`). `AlarmName`, `AWSAccountId` and
    /// `NewStateValue` are required, and `Region` unless `AlarmArn` names the region;
    /// `StateChangeTime` may be left out but not malformed. Unknown fields are ignored.
    public static func decode(_ message: String) throws(IngestValidationError) -> CloudWatchAlarm {
        let wire: WireAlarm
        do {
            wire = try JSONDecoder().decode(WireAlarm.self, from: Data(message.utf8))
        } catch let error as DecodingError {
            throw messageError(error)
        } catch {
            throw IngestValidationError(field: "Message", problem: "could not be read as a CloudWatch alarm")
        }
        func required(_ value: String?, _ key: String) throws(IngestValidationError) -> String {
            guard let value else { throw IngestValidationError(field: "Message.\(key)", problem: "is required") }
            guard !value.isEmpty else { throw IngestValidationError(field: "Message.\(key)", problem: "must not be empty") }
            return value
        }
        let name = try required(wire.alarmName, "AlarmName")
        let account = try required(wire.awsAccountId, "AWSAccountId")
        let stateText = try required(wire.newStateValue, "NewStateValue")
        guard let state = State(rawValue: stateText) else {
            throw IngestValidationError(
                field: "Message.NewStateValue",
                problem: "must be \"ALARM\", \"OK\" or \"INSUFFICIENT_DATA\", got \(SNSMessage.quoted(stateText))")
        }
        var changedAt: Date?
        if let text = wire.stateChangeTime, !text.isEmpty {
            guard let parsed = parseTime(text) else {
                throw IngestValidationError(
                    field: "Message.StateChangeTime", problem: "is not a date-time: \(SNSMessage.quoted(text))")
            }
            changedAt = parsed
        }
        var trigger: Trigger?
        if let wireTrigger = wire.trigger {
            trigger = try wireTrigger.validated()
        }
        var alarm = CloudWatchAlarm(
            alarmName: name,
            alarmDescription: wire.alarmDescription,
            alarmArn: wire.alarmArn,
            awsAccountId: account,
            newState: state,
            newStateReason: wire.newStateReason ?? "",
            stateChangeTime: changedAt,
            region: wire.region ?? "",
            oldState: wire.oldStateValue,
            trigger: trigger
        )
        // The region is part of the alarm's identity: it must come from somewhere.
        if alarm.regionCode.isEmpty {
            alarm.region = try required(wire.region, "Region")
        }
        return alarm
    }

    /// Parses CloudWatch's `2024-01-01T12:00:00.000+0000` (an offset without a colon), and any
    /// RFC 3339 date-time.
    public static func parseTime(_ text: String) -> Date? {
        var bytes = Array(text.utf8)
        let count = bytes.count
        if count > 5 {
            let sign = bytes[count - 5]
            let digits = bytes[(count - 4)...]
            if sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-"), digits.allSatisfy({ (0x30...0x39).contains($0) }),
                (0x30...0x39).contains(bytes[count - 6])
            {
                bytes.insert(UInt8(ascii: ":"), at: count - 2)
            }
        }
        return RFC3339.parse(String(decoding: bytes, as: UTF8.self))
    }

    /// A decoding error as a field under `Message`.
    private static func messageError(_ error: DecodingError) -> IngestValidationError {
        var translated = IngestValidationError(decodingError: error)
        if case .typeMismatch(let type, _) = error, type == Double.self || type == Int.self {
            translated.problem = "expected a number"
        }
        if translated.field.isEmpty {
            return IngestValidationError(field: "Message", problem: "is not a CloudWatch alarm: expected a JSON object")
        }
        translated.field = "Message.\(translated.field)"
        return translated
    }

    /// The alarm as sent: every field optional, so that checking can name what is missing.
    private struct WireAlarm: Decodable {
        var alarmName: String?
        var alarmDescription: String?
        var alarmArn: String?
        var awsAccountId: String?
        var newStateValue: String?
        var newStateReason: String?
        var stateChangeTime: String?
        var region: String?
        var oldStateValue: String?
        var trigger: WireTrigger?

        enum CodingKeys: String, CodingKey {
            case alarmName = "AlarmName", alarmDescription = "AlarmDescription", alarmArn = "AlarmArn"
            case awsAccountId = "AWSAccountId", newStateValue = "NewStateValue", newStateReason = "NewStateReason"
            case stateChangeTime = "StateChangeTime", region = "Region", oldStateValue = "OldStateValue"
            case trigger = "Trigger"
        }
    }

    private struct WireTrigger: Decodable {
        var metricName: String?
        var namespace: String?
        var statistic: String?
        var dimensions: [WireDimension]?
        var threshold: Double?
        var comparisonOperator: String?
        var period: Double?
        var evaluationPeriods: Double?

        enum CodingKeys: String, CodingKey {
            case metricName = "MetricName", namespace = "Namespace", statistic = "Statistic"
            case dimensions = "Dimensions", threshold = "Threshold", comparisonOperator = "ComparisonOperator"
            case period = "Period", evaluationPeriods = "EvaluationPeriods"
        }

        func validated() throws(IngestValidationError) -> Trigger {
            var checked: [Dimension] = []
            for (index, dimension) in (dimensions ?? []).enumerated() {
                let field = "Message.Trigger.Dimensions[\(index)]"
                guard let name = dimension.name else {
                    throw IngestValidationError(field: "\(field).name", problem: "is required")
                }
                guard !name.isEmpty else { throw IngestValidationError(field: "\(field).name", problem: "must not be empty") }
                guard let value = dimension.value else {
                    throw IngestValidationError(field: "\(field).value", problem: "is required")
                }
                checked.append(Dimension(name: name, value: value))
            }
            return Trigger(
                metricName: metricName, namespace: namespace, statistic: statistic, dimensions: checked,
                threshold: threshold, comparisonOperator: comparisonOperator,
                period: period.flatMap { Int(exactly: $0) }, evaluationPeriods: evaluationPeriods.flatMap { Int(exactly: $0) })
        }
    }

    private struct WireDimension: Decodable {
        var name: String?
        var value: String?
    }
}

// MARK: - As alerts

extension CloudWatchAlarm {
    /// The alarm as a batch of one alert, or nil when its state is `INSUFFICIENT_DATA` and
    /// `insufficientData` is ``InsufficientData/ignore`` (nothing to ingest; answer 2xx all the same).
    ///
    /// - `ALARM` fires; `OK` resolves (ending at the state change).
    /// - The alert's fingerprint is `Fingerprint(source: "cloudwatch", key:)` of ``key``; the batch's
    ///   `receiver` is the integration's name and its `groupKey` is ``key``: one incident per alarm
    ///   and integration.
    /// - Labels: `alertname` (the alarm name), `region` (``regionCode``), `aws_account`,
    ///   `metric_name`, `namespace` and one `dimension_<Name>` per metric dimension (empty values
    ///   left out), then `integrationLabels` (e.g. `severity: critical`, already checked when the
    ///   configuration was read), which win over the alarm's of the same name, as the operator's
    ///   labels do for the other sources. The alert's identity does not depend on its labels.
    /// - Annotations: `summary` (the description, else the state reason, else the alarm name),
    ///   `description` (the state reason) and `alarm_arn` when sent.
    /// - `startsAt` is the state change time, or `receivedAt` when the message has none.
    public func alertBatch(
        integration: String,
        labels integrationLabels: [String: String] = [:],
        insufficientData: InsufficientData = .ignore,
        receivedAt: Date
    ) throws(IngestValidationError) -> AlertBatch? {
        let status: AlertStatus
        switch newState {
        case .alarm: status = .firing
        case .ok: status = .resolved
        case .insufficientData:
            switch insufficientData {
            case .fire: status = .firing
            case .resolve: status = .resolved
            case .ignore: return nil
            }
        }
        let labels = try self.labels(adding: integrationLabels)
        let changedAt = stateChangeTime ?? receivedAt
        let alert = Alert(
            fingerprint: fingerprint,
            status: status,
            labels: labels,
            annotations: annotations,
            startsAt: changedAt,
            endsAt: status == .resolved ? changedAt : nil
        )
        let groupLabels = labels.filter { ["alertname", "region", "aws_account"].contains($0.key) }
        return AlertBatch(
            source: Self.source,
            receiver: integration,
            groupKey: key,
            status: status,
            groupLabels: groupLabels,
            commonLabels: labels,
            commonAnnotations: alert.annotations,
            alerts: [alert]
        )
    }

    /// The alert's labels (see ``alertBatch(integration:labels:insufficientData:receivedAt:)``).
    ///
    /// A dimension name becomes `dimension_` and the name with every character outside
    /// `[a-zA-Z0-9_]` replaced by `_`, cut to ``LabelRules/maxNameBytes``; when two dimensions
    /// give the same label name, the first one counts.
    public func labels(adding integrationLabels: [String: String] = [:]) throws(IngestValidationError) -> [String: String] {
        var labels: [String: String] = [:]
        var own: [(name: String, value: String, field: String)] = [
            ("alertname", alarmName, "Message.AlarmName"),
            ("region", regionCode, alarmArn == nil ? "Message.Region" : "Message.AlarmArn"),
            ("aws_account", awsAccountId, "Message.AWSAccountId"),
            ("metric_name", trigger?.metricName ?? "", "Message.Trigger.MetricName"),
            ("namespace", trigger?.namespace ?? "", "Message.Trigger.Namespace"),
        ]
        var dimensionNames: Set<String> = []
        for (index, dimension) in (trigger?.dimensions ?? []).enumerated() {
            let name = Self.labelName(forDimension: dimension.name)
            guard dimensionNames.insert(name).inserted else { continue }
            own.append((name, dimension.value, "Message.Trigger.Dimensions[\(index)].value"))
        }
        for label in own where !label.value.isEmpty {
            guard label.value.utf8.count <= LabelRules.maxLabelValueBytes else {
                throw IngestValidationError(field: label.field, problem: "is longer than \(LabelRules.maxLabelValueBytes) bytes")
            }
            guard !UTF8Bytes.containsNUL(label.value) else {
                throw IngestValidationError(field: label.field, problem: "contains a NUL byte")
            }
            labels[label.name] = label.value
        }
        labels.merge(integrationLabels) { _, operators in operators }
        guard labels.count <= LabelRules.maxLabelsPerAlert else {
            throw IngestValidationError(
                field: "Message.Trigger.Dimensions",
                problem: "make \(labels.count) labels with the integration's; at most \(LabelRules.maxLabelsPerAlert)")
        }
        return labels
    }

    /// `dimension_InstanceId` for `InstanceId`; `dimension_Load_Balancer` for `Load.Balancer`.
    public static func labelName(forDimension name: String) -> String {
        var label = "dimension_"
        for scalar in name.unicodeScalars {
            let code = scalar.value
            let isAllowed =
                code == 0x5f || (0x61...0x7a).contains(code) || (0x41...0x5a).contains(code) || (0x30...0x39).contains(code)
            label.unicodeScalars.append(isAllowed ? scalar : "_")
            if label.utf8.count == LabelRules.maxNameBytes { break }
        }
        return label
    }

    /// The alert's annotations (see ``alertBatch(integration:labels:insufficientData:receivedAt:)``).
    public var annotations: [String: String] {
        var annotations: [String: String] = [:]
        let description = alarmDescription ?? ""
        annotations["summary"] = !description.isEmpty ? description : !newStateReason.isEmpty ? newStateReason : alarmName
        if !newStateReason.isEmpty { annotations["description"] = newStateReason }
        if let alarmArn, !alarmArn.isEmpty { annotations["alarm_arn"] = alarmArn }
        return annotations
    }
}
