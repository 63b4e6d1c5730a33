import Foundation

/// The other sources' decoders, fed every input whole (see `IngestFuzzer.swift` for the entry
/// point), checking that none crashes or traps whatever the bytes, that a refusal always says
/// something, and that what they accept keeps the promises ``IngestFuzzer/checkBatch(_:)`` checks
/// of Alertmanager's batches:
///
/// 1. Grafana's webhook (`GrafanaWebhook.decode`): the batch's source is `grafana`.
/// 2. A generic event (`GenericEvent.decode`): one alert, identified by its key.
/// 3. PagerDuty Events v2 (`PagerDutyEvent.decode`): a refusal lists at least one message; an
///    accepted event has a 32-character routing key, and a trigger or resolve maps to one alert
///    identified by its dedup key (an acknowledge to none).
/// 4. An SNS message (`SNSMessage.decode`): the string to sign ends with its `Type`; a
///    notification carrying a CloudWatch alarm maps to at most one alert, identified by the
///    alarm's account, region and name.
enum SourcesFuzzer {
    static func check(_ bytes: UnsafeBufferPointer<UInt8>) {
        checkGrafana(bytes)
        checkGeneric(bytes)
        checkPagerDuty(bytes)
        checkSNS(bytes)
    }

    static func checkGrafana(_ bytes: UnsafeBufferPointer<UInt8>) {
        do {
            let batch = try GrafanaWebhook.decode(bytes, receivedAt: IngestFuzzer.receivedAt)
            IngestFuzzer.expect(batch.source == GrafanaWebhook.source, "Grafana: a batch from source \(batch.source)")
            IngestFuzzer.checkBatch(batch)
        } catch {
            IngestFuzzer.expect(!error.description.isEmpty, "Grafana: a refusal with an empty description")
        }
    }

    static func checkGeneric(_ bytes: UnsafeBufferPointer<UInt8>) {
        do {
            let batch = try GenericEvent.decode(
                bytes, receivedAt: IngestFuzzer.receivedAt, integration: "fuzz", integrationLabels: ["service": "fuzz"])
            IngestFuzzer.expect(batch.alerts.count == 1, "generic: \(batch.alerts.count) alerts from one event")
            IngestFuzzer.checkBatch(batch)
            IngestFuzzer.expect(batch.alerts[0].labels["alertname"] != nil, "generic: an alert without an alertname")
        } catch {
            IngestFuzzer.expect(!error.description.isEmpty, "generic: a refusal with an empty description")
        }
    }

    static func checkPagerDuty(_ bytes: UnsafeBufferPointer<UInt8>) {
        let event: PagerDutyEvent
        do {
            event = try PagerDutyEvent.decode(bytes, receivedAt: IngestFuzzer.receivedAt)
        } catch {
            IngestFuzzer.expect(!error.messages.isEmpty && error.messages.allSatisfy { !$0.isEmpty }, "PagerDuty: a refusal without messages")
            return
        }
        IngestFuzzer.expect(event.routingKey.count == PagerDutyEvent.routingKeyLength, "PagerDuty: accepted routing key \(IngestFuzzer.clip(event.routingKey))")
        let dedupKey = event.dedupKey ?? "made-up"
        let batch = event.batch(integration: "fuzz", integrationLabels: [:], dedupKey: dedupKey, receivedAt: IngestFuzzer.receivedAt)
        switch event.action {
        case .acknowledge:
            IngestFuzzer.expect(batch == nil, "PagerDuty: an acknowledge made alerts")
        case .trigger, .resolve:
            guard let batch else { IngestFuzzer.fail("PagerDuty: a \(event.action) made no batch") }
            IngestFuzzer.expect(
                batch.alerts.map(\.fingerprint) == [Fingerprint(source: PagerDutyEvent.source, key: dedupKey)],
                "PagerDuty: the alert is not identified by its dedup key")
            IngestFuzzer.checkBatch(batch)
        }
    }

    static func checkSNS(_ bytes: UnsafeBufferPointer<UInt8>) {
        let message: SNSMessage
        do {
            message = try SNSMessage.decode(bytes)
        } catch {
            IngestFuzzer.expect(!error.description.isEmpty, "SNS: a refusal with an empty description")
            return
        }
        let signed = String(decoding: message.stringToSign, as: UTF8.self)
        IngestFuzzer.expect(signed.hasSuffix("Type\n\(message.type.rawValue)\n"), "SNS: the string to sign does not end with the Type")
        _ = message.signingCertificateURLProblem()
        _ = message.subscribeURLProblem()
        guard message.type == .notification else { return }
        do {
            let alarm = try CloudWatchAlarm.decode(notification: message)
            for choice in CloudWatchAlarm.InsufficientData.allCases {
                guard let batch = try alarm.alertBatch(integration: "fuzz", insufficientData: choice, receivedAt: IngestFuzzer.receivedAt)
                else { continue }
                IngestFuzzer.expect(
                    batch.alerts.map(\.fingerprint) == [alarm.fingerprint], "CloudWatch: the alert is not identified by the alarm")
                IngestFuzzer.checkBatch(batch)
            }
        } catch {
            IngestFuzzer.expect(!error.description.isEmpty, "CloudWatch: a refusal with an empty description")
        }
    }
}
