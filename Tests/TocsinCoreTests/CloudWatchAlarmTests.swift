import Foundation
import Testing
import TocsinCore
import TocsinTestSupport

/// CloudWatch alarms read from SNS notifications and turned into alert batches.
@Suite("CloudWatch alarms")
struct CloudWatchAlarmTests {
    let receivedAt = Date(timeIntervalSince1970: 1_795_800_000)

    static func notification(_ name: String) throws -> SNSMessage {
        let url = Fixtures.repositoryRoot.appendingPathComponent("Tests/Fixtures/cloudwatch/\(name).json")
        return try SNSMessage.decode(Array(try Data(contentsOf: url)))
    }

    /// An alarm message (no description, two dimensions) with `state`, `time`, and optionally no AlarmArn.
    static func message(state: String = "ALARM", time: String = "2026-11-27T17:20:03.412+0000", arn: Bool = true) -> String {
        let arnField = arn ? #""AlarmArn":"arn:aws:cloudwatch:eu-west-1:123456789012:alarm:db-Latency","# : ""
        return #"{"AlarmName":"db-Latency","AlarmDescription":null,"AWSAccountId":"123456789012","NewStateValue":"\#(state)","NewStateReason":"Threshold Crossed: 3 datapoints were greater than the threshold (0.5).","StateChangeTime":"\#(time)","Region":"EU (Ireland)",\#(arnField)"OldStateValue":"OK","Trigger":{"MetricName":"Latency","Namespace":"AWS/ELB","Statistic":"AVERAGE","Unit":null,"Dimensions":[{"value":"my-lb","name":"LoadBalancerName"},{"value":"eu-west-1a","name":"Availability-Zone"}],"Period":60,"EvaluationPeriods":3,"ComparisonOperator":"GreaterThanThreshold","Threshold":0.5}}"#
    }

    @Test("the ALARM fixture decodes with every documented field")
    func decodesFixture() throws {
        let alarm = try CloudWatchAlarm.decode(notification: Self.notification("sns-notification-alarm"))
        #expect(alarm.alarmName == "web-prod-HighCPU")
        #expect(alarm.alarmDescription == "CPU above 80% on the production web tier")
        #expect(alarm.awsAccountId == "123456789012")
        #expect(alarm.newState == .alarm)
        #expect(alarm.oldState == "OK")
        #expect(alarm.region == "US East (N. Virginia)")
        #expect(alarm.regionCode == "us-east-1")
        #expect(alarm.stateChangeTime == RFC3339.parse("2026-11-27T17:20:03.412Z"))
        let trigger = try #require(alarm.trigger)
        #expect(trigger.metricName == "CPUUtilization")
        #expect(trigger.namespace == "AWS/EC2")
        #expect(trigger.statistic == "AVERAGE")
        #expect(trigger.threshold == 80)
        #expect(trigger.comparisonOperator == "GreaterThanThreshold")
        #expect(trigger.period == 300)
        #expect(trigger.evaluationPeriods == 1)
        #expect(trigger.dimensions == [
            CloudWatchAlarm.Dimension(name: "InstanceId", value: "i-0abc123def4567890"),
            CloudWatchAlarm.Dimension(name: "AutoScalingGroupName", value: "web-prod"),
        ])
    }

    @Test("ALARM fires: labels, annotations, fingerprint and group key")
    func alarmFires() throws {
        let alarm = try CloudWatchAlarm.decode(notification: Self.notification("sns-notification-alarm"))
        let batch = try #require(try alarm.alertBatch(integration: "aws-prod", labels: ["severity": "critical"], receivedAt: receivedAt))
        #expect(batch.source == "cloudwatch")
        #expect(batch.receiver == "aws-prod")
        #expect(batch.groupKey == "123456789012/us-east-1/web-prod-HighCPU")
        #expect(batch.status == .firing)
        #expect(batch.alerts.count == 1)
        let alert = batch.alerts[0]
        #expect(alert.status == .firing)
        #expect(alert.endsAt == nil)
        #expect(alert.startsAt == RFC3339.parse("2026-11-27T17:20:03.412Z"))
        #expect(alert.fingerprint == Fingerprint(source: "cloudwatch", key: "123456789012/us-east-1/web-prod-HighCPU"))
        #expect(alert.labels == [
            "alertname": "web-prod-HighCPU",
            "region": "us-east-1",
            "aws_account": "123456789012",
            "metric_name": "CPUUtilization",
            "namespace": "AWS/EC2",
            "dimension_InstanceId": "i-0abc123def4567890",
            "dimension_AutoScalingGroupName": "web-prod",
            "severity": "critical",
        ])
        #expect(alert.annotations["summary"] == "CPU above 80% on the production web tier")
        #expect(alert.annotations["description"]?.hasPrefix("Threshold Crossed: 1 out of the last 1 datapoints") == true)
        #expect(alert.annotations["alarm_arn"] == "arn:aws:cloudwatch:us-east-1:123456789012:alarm:web-prod-HighCPU")
        #expect(batch.commonLabels == alert.labels)
        #expect(batch.groupLabels == ["alertname": "web-prod-HighCPU", "region": "us-east-1", "aws_account": "123456789012"])
        for name in alert.labels.keys { #expect(LabelRules.isValidName(name)) }
    }

    @Test("OK resolves the alert ALARM opened: same fingerprint and group key, ended at the state change")
    func okResolves() throws {
        let firing = try CloudWatchAlarm.decode(notification: Self.notification("sns-notification-alarm"))
        let resolved = try CloudWatchAlarm.decode(notification: Self.notification("sns-notification-ok"))
        let opened = try #require(try firing.alertBatch(integration: "aws-prod", receivedAt: receivedAt))
        let closed = try #require(try resolved.alertBatch(integration: "aws-prod", receivedAt: receivedAt))
        #expect(closed.status == .resolved)
        #expect(closed.alerts[0].status == .resolved)
        #expect(closed.alerts[0].endsAt == RFC3339.parse("2026-11-27T17:45:03.118Z"))
        #expect(closed.alerts[0].fingerprint == opened.alerts[0].fingerprint)
        #expect(closed.groupKey == opened.groupKey)
        #expect(closed.receiver == opened.receiver)
    }

    static let insufficientDataCases: [(handling: CloudWatchAlarm.InsufficientData, status: AlertStatus?)] = [
        (.fire, .firing), (.resolve, .resolved), (.ignore, nil),
    ]

    @Test("INSUFFICIENT_DATA fires, resolves or is ignored, as the integration says", arguments: insufficientDataCases)
    func insufficientData(_ testCase: (handling: CloudWatchAlarm.InsufficientData, status: AlertStatus?)) throws {
        let alarm = try CloudWatchAlarm.decode(Self.message(state: "INSUFFICIENT_DATA"))
        let batch = try alarm.alertBatch(integration: "i", insufficientData: testCase.handling, receivedAt: receivedAt)
        #expect(batch?.status == testCase.status)
        #expect(batch?.alerts.first?.status == testCase.status)
        if testCase.status == .resolved {
            #expect(batch?.alerts.first?.endsAt == RFC3339.parse("2026-11-27T17:20:03.412Z"))
        }
    }

    @Test("INSUFFICIENT_DATA is ignored by default")
    func insufficientDataDefault() throws {
        let alarm = try CloudWatchAlarm.decode(Self.message(state: "INSUFFICIENT_DATA"))
        #expect(try alarm.alertBatch(integration: "i", receivedAt: receivedAt) == nil)
    }

    @Test("without a description the summary is the state reason; dimension names are made label names")
    func summaryAndDimensionNames() throws {
        let alarm = try CloudWatchAlarm.decode(Self.message())
        let batch = try #require(try alarm.alertBatch(integration: "i", receivedAt: receivedAt))
        let alert = batch.alerts[0]
        #expect(alert.annotations["summary"] == "Threshold Crossed: 3 datapoints were greater than the threshold (0.5).")
        #expect(alert.labels["dimension_LoadBalancerName"] == "my-lb")
        #expect(alert.labels["dimension_Availability_Zone"] == "eu-west-1a")
        #expect(alert.labels["region"] == "eu-west-1")
    }

    @Test("without an AlarmArn the region is the Region as sent, and is still part of the key")
    func regionWithoutArn() throws {
        let alarm = try CloudWatchAlarm.decode(Self.message(arn: false))
        #expect(alarm.regionCode == "EU (Ireland)")
        #expect(alarm.key == "123456789012/EU (Ireland)/db-Latency")
        let batch = try #require(try alarm.alertBatch(integration: "i", receivedAt: receivedAt))
        #expect(batch.alerts[0].labels["region"] == "EU (Ireland)")
        #expect(batch.alerts[0].annotations["alarm_arn"] == nil)
    }

    @Test("integration labels win over the alarm's of the same name; the identity stays the alarm's")
    func integrationLabelsWin() throws {
        let alarm = try CloudWatchAlarm.decode(Self.message())
        let labels = try alarm.labels(adding: ["namespace": "elb", "team": "dba"])
        #expect(labels["namespace"] == "elb")
        #expect(labels["team"] == "dba")
        #expect(labels["alertname"] == "db-Latency")
        let batch = try #require(try alarm.alertBatch(integration: "i", labels: ["alertname": "other"], receivedAt: receivedAt))
        #expect(batch.alerts[0].fingerprint == Fingerprint(source: "cloudwatch", key: "123456789012/eu-west-1/db-Latency"))
    }

    @Test("without StateChangeTime the alert starts when it was received")
    func receivedTimeFallback() throws {
        let alarm = try CloudWatchAlarm.decode(Self.message(time: ""))
        #expect(alarm.stateChangeTime == nil)
        let batch = try #require(try alarm.alertBatch(integration: "i", receivedAt: receivedAt))
        #expect(batch.alerts[0].startsAt == receivedAt)
    }

    @Test("a composite alarm (no Trigger) maps without metric labels")
    func noTrigger() throws {
        let text = #"{"AlarmName":"site-down","AWSAccountId":"123456789012","NewStateValue":"ALARM","NewStateReason":"arn:… transitioned to ALARM","StateChangeTime":"2026-11-27T17:20:03.412+0000","Region":"US East (Ohio)","AlarmArn":"arn:aws:cloudwatch:us-east-2:123456789012:alarm:site-down","AlarmRule":"ALARM(a) OR ALARM(b)"}"#
        let alarm = try CloudWatchAlarm.decode(text)
        #expect(alarm.trigger == nil)
        let labels = try alarm.labels()
        #expect(labels == ["alertname": "site-down", "region": "us-east-2", "aws_account": "123456789012"])
    }

    static let times: [(text: String, utc: String?)] = [
        ("2026-11-27T17:20:03.412+0000", "2026-11-27T17:20:03.412Z"),
        ("2026-11-27T17:20:03.412-0230", "2026-11-27T19:50:03.412Z"),
        ("2026-11-27T17:20:03+0100", "2026-11-27T16:20:03.000Z"),
        ("2026-11-27T17:20:03.412+00:00", "2026-11-27T17:20:03.412Z"),
        ("2026-11-27T17:20:03.412Z", "2026-11-27T17:20:03.412Z"),
        ("2026-11-27T17:20:03.412+000", nil),
        ("2026-11-27T17:20:03.412", nil),
        ("27/11/26 17:20:03", nil),
    ]

    @Test("StateChangeTime: an offset without a colon, or any RFC 3339 date-time", arguments: times)
    func parsesTimes(_ testCase: (text: String, utc: String?)) {
        #expect(CloudWatchAlarm.parseTime(testCase.text).map { RFC3339.format($0) } == testCase.utc)
    }

    @Test("dimension names become valid label names", arguments: [
        ("InstanceId", "dimension_InstanceId"), ("Load.Balancer-Name", "dimension_Load_Balancer_Name"),
        ("Zone \u{FC}/1", "dimension_Zone___1"), ("9lives", "dimension_9lives"),
    ])
    func dimensionLabelNames(name: String, label: String) {
        let made = CloudWatchAlarm.labelName(forDimension: name)
        #expect(made == label)
        #expect(LabelRules.isValidName(made))
    }

    @Test("a very long dimension name is cut to the longest label name")
    func longDimensionName() {
        let made = CloudWatchAlarm.labelName(forDimension: String(repeating: "x", count: 300))
        #expect(made.utf8.count == LabelRules.maxNameBytes)
        #expect(LabelRules.isValidName(made))
    }

    static let invalid: [(message: String, field: String, fragment: String)] = [
        ("not json", "Message", "expected a JSON object"),
        ("[1]", "Message", "expected a JSON object"),
        (#"{"AWSAccountId":"1","NewStateValue":"ALARM","Region":"r"}"#, "Message.AlarmName", "is required"),
        (#"{"AlarmName":"","AWSAccountId":"1","NewStateValue":"ALARM","Region":"r"}"#, "Message.AlarmName", "must not be empty"),
        (#"{"AlarmName":"a","NewStateValue":"ALARM","Region":"r"}"#, "Message.AWSAccountId", "is required"),
        (#"{"AlarmName":"a","AWSAccountId":"1","Region":"r"}"#, "Message.NewStateValue", "is required"),
        (#"{"AlarmName":"a","AWSAccountId":"1","NewStateValue":"BROKEN","Region":"r"}"#, "Message.NewStateValue", #"got "BROKEN""#),
        (#"{"AlarmName":"a","AWSAccountId":"1","NewStateValue":"ALARM"}"#, "Message.Region", "is required"),
        (#"{"AlarmName":"a","AWSAccountId":"1","NewStateValue":"ALARM","Region":"r","StateChangeTime":"yesterday"}"#, "Message.StateChangeTime", "not a date-time"),
        (#"{"AlarmName":7,"AWSAccountId":"1","NewStateValue":"ALARM","Region":"r"}"#, "Message.AlarmName", "expected a string"),
        (#"{"AlarmName":"a","AWSAccountId":"1","NewStateValue":"ALARM","Region":"r","Trigger":{"Period":"soon"}}"#, "Message.Trigger.Period", "expected a number"),
        (#"{"AlarmName":"a","AWSAccountId":"1","NewStateValue":"ALARM","Region":"r","Trigger":{"Dimensions":[{"value":"v"}]}}"#, "Message.Trigger.Dimensions[0].name", "is required"),
        (#"{"AlarmName":"a","AWSAccountId":"1","NewStateValue":"ALARM","Region":"r","Trigger":{"Dimensions":[{"name":"n"}]}}"#, "Message.Trigger.Dimensions[0].value", "is required"),
    ]

    @Test("a bad alarm names the field under Message and the problem", arguments: invalid)
    func rejects(_ testCase: (message: String, field: String, fragment: String)) {
        let error = #expect(throws: IngestValidationError.self) {
            try CloudWatchAlarm.decode(testCase.message)
        }
        #expect(error?.field == testCase.field)
        #expect(error?.description.contains(testCase.fragment) == true, "\(String(describing: error))")
    }

    @Test("a subscription confirmation carries no alarm")
    func confirmationIsNoAlarm() throws {
        let confirmation = try Self.notification("sns-subscription-confirmation")
        let error = #expect(throws: IngestValidationError.self) {
            try CloudWatchAlarm.decode(notification: confirmation)
        }
        #expect(error?.field == "Type")
    }

    @Test("a dimension value with a NUL byte is rejected, naming it")
    func nulInDimension() throws {
        let alarm = CloudWatchAlarm(
            alarmName: "a", awsAccountId: "1", newState: .alarm, region: "r",
            trigger: CloudWatchAlarm.Trigger(dimensions: [CloudWatchAlarm.Dimension(name: "Host", value: "a\u{0}b")]))
        let error = #expect(throws: IngestValidationError.self) {
            try alarm.alertBatch(integration: "i", receivedAt: receivedAt)
        }
        #expect(error?.field == "Message.Trigger.Dimensions[0].value")
    }
}
