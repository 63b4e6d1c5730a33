import TocsinAPI
import TocsinCore

// A page's webhook body is written by hand through `JSONWriter`, byte for byte what
// `TocsinJSON.encoder()` writes for it (members in byte order, absent optionals left out):
// JSONEncoder cost a burst of pages 7 % of its CPU. `WebhookPayloadJSONTests` holds the two equal.

extension WebhookPayload: JSONWritable {
    public func writeJSON(to writer: inout JSONWriter) throws {
        writer.beginObject()
        writer.member("alerts")
        writer.beginArray()
        for alert in alerts { alert.write(to: &writer) }
        writer.endArray()
        if let escalations {
            writer.member("escalations")
            writer.beginArray()
            for escalation in escalations { escalation.write(to: &writer) }
            writer.endArray()
        }
        writer.member("event")
        writer.string(event.rawValue)
        writer.member("idempotency_key")
        writer.string(idempotencyKey)
        writer.member("incident")
        incident.write(to: &writer)
        writer.member("links")
        writer.beginObject()
        writer.optional("ack", links.ack) { $0.string($1) }
        writer.optional("resolve", links.resolve) { $0.string($1) }
        writer.endObject()
        writer.optional("step", step) { $0.string($1) }
        writer.member("summary")
        writer.string(summary)
        writer.member("target")
        writer.string(target)
        writer.member("text")
        writer.string(text)
        writer.member("version")
        writer.string(version)
        writer.endObject()
    }
}

extension WebhookPayload.AlertSummary {
    fileprivate func write(to writer: inout JSONWriter) {
        writer.beginObject()
        writer.member("annotations")
        writer.stringMap(annotations)
        writer.optional("ends_at", endsAt) { $0.date($1) }
        writer.member("fingerprint")
        writer.string(fingerprint)
        writer.member("generator_url")
        writer.string(generatorURL)
        writer.member("labels")
        writer.stringMap(labels)
        writer.member("starts_at")
        writer.date(startsAt)
        writer.member("status")
        writer.string(status.rawValue)
        writer.endObject()
    }
}

extension WebhookPayload.EscalationSummary {
    fileprivate func write(to writer: inout JSONWriter) {
        writer.beginObject()
        writer.optional("next_due_at", nextDueAt) { $0.date($1) }
        writer.optional("next_step", nextStep) { $0.integer($1) }
        writer.member("next_targets")
        writer.beginArray()
        for target in nextTargets { writer.string(target) }
        writer.endArray()
        writer.member("policy")
        writer.string(policy)
        writer.member("step_count")
        writer.integer(stepCount)
        writer.member("summary")
        writer.string(summary)
        writer.endObject()
    }
}

extension WebhookPayload.IncidentSummary {
    fileprivate func write(to writer: inout JSONWriter) {
        writer.beginObject()
        writer.optional("acknowledged_at", acknowledgedAt) { $0.date($1) }
        writer.optional("acknowledged_by", acknowledgedBy) { $0.string($1) }
        writer.member("alert_count")
        writer.integer(alertCount)
        writer.optional("api_url", apiURL) { $0.string($1) }
        writer.member("created_at")
        writer.date(createdAt)
        writer.member("firing_count")
        writer.integer(firingCount)
        writer.member("id")
        writer.integer(id)
        writer.optional("resolved_at", resolvedAt) { $0.date($1) }
        writer.optional("resolved_by", resolvedBy) { $0.string($1) }
        writer.member("severity")
        writer.string(severity)
        writer.member("state")
        writer.string(state.rawValue)
        writer.member("title")
        writer.string(title)
        writer.member("truncated_alerts")
        writer.integer(truncatedAlerts)
        writer.member("url")
        writer.string(url)
        writer.endObject()
    }
}

extension JSONWriter {
    /// The member `name` with `value`, written by `write`, or nothing when `value` is nil (as
    /// JSONEncoder leaves out an absent optional).
    fileprivate mutating func optional<Value>(
        _ name: StaticString, _ value: Value?, _ write: (inout JSONWriter, Value) -> Void
    ) {
        guard let value else { return }
        member(name)
        write(&self, value)
    }
}
