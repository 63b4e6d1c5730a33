import Foundation

extension PagerDutyEvent {
    /// The batch a `trigger` or `resolve` stores; nil for `acknowledge`, which changes an incident
    /// instead of alerts (the one with receiver `integration` and group key `dedupKey`).
    ///
    /// - `source` is `pagerduty`, `receiver` the integration's name and `groupKey` the dedup key:
    ///   PagerDuty keeps one alert per dedup key, so each key is one incident. A `trigger` after that
    ///   incident resolved opens a new one, as PagerDuty opens a new alert.
    /// - One alert, whose fingerprint is `Fingerprint(source: "pagerduty", key: dedupKey)`: a
    ///   `resolve` finds its `trigger`'s alert whatever labels either carries.
    /// - `trigger`: firing from `payload.timestamp`, labels from ``labels(integrationLabels:)``,
    ///   annotations from ``annotations``.
    /// - `resolve`: resolved at `receivedAt`. Its labels and annotations are those of its payload
    ///   when it has a valid one (Alertmanager sends one), else those of `stored`, else just the
    ///   integration's labels and `alertname`. The store overwrites an alert's labels, annotations
    ///   and start with the batch's, so a server that has the stored alert should pass it as
    ///   `stored`, which also keeps its `startsAt` (else `receivedAt`).
    /// - `externalURL` is the event's `client_url`.
    ///
    /// `dedupKey` is the event's own ``dedupKey``, or the one the server made up for a `trigger`
    /// without one; it is used as given.
    public func batch(
        integration: String, integrationLabels: [String: String], dedupKey: String, receivedAt: Date,
        resolving stored: Alert? = nil
    ) -> AlertBatch? {
        let fingerprint = Fingerprint(source: Self.source, key: dedupKey)
        let alert: Alert
        switch action {
        case .acknowledge:
            return nil
        case .trigger:
            alert = Alert(
                fingerprint: fingerprint, status: .firing, labels: labels(integrationLabels: integrationLabels),
                annotations: annotations, startsAt: payload?.timestamp ?? receivedAt)
        case .resolve:
            let startsAt = min(stored?.startsAt ?? receivedAt, receivedAt)
            var resolvedLabels = self.labels(integrationLabels: integrationLabels)
            var resolvedAnnotations = self.annotations
            if payload == nil, let stored {
                resolvedLabels = stored.labels
                resolvedAnnotations = stored.annotations
            }
            alert = Alert(
                fingerprint: fingerprint, status: .resolved, labels: resolvedLabels, annotations: resolvedAnnotations,
                startsAt: startsAt, endsAt: receivedAt)
        }
        return AlertBatch(
            source: Self.source, receiver: integration, groupKey: dedupKey, status: alert.status,
            commonLabels: alert.labels, commonAnnotations: alert.annotations, externalURL: clientURL ?? "",
            alerts: [alert])
    }

    /// The alert's labels: `integrationLabels` (the operator's, which win), `alertname` (``alertName``),
    /// and from the payload when there is one:
    ///
    /// | label | from |
    /// |---|---|
    /// | `severity` | `payload.severity` through ``Severity/label`` (`error` becomes `critical`) |
    /// | `pagerduty_severity` | `payload.severity` as sent |
    /// | `source` | `payload.source` |
    /// | `component`, `group`, `class` | the payload's fields of the same name, when set |
    public func labels(integrationLabels: [String: String]) -> [String: String] {
        var labels = ["alertname": Self.alertName]
        if let payload {
            labels["severity"] = payload.severity.label
            labels["pagerduty_severity"] = payload.severity.rawValue
            labels["source"] = payload.source
            if let component = payload.component { labels["component"] = component }
            if let group = payload.group { labels["group"] = group }
            if let eventClass = payload.eventClass { labels["class"] = eventClass }
        }
        return labels.merging(integrationLabels) { _, configured in configured }
    }

    /// The alert's annotations, each present only when its source is, and each cut (on a character
    /// boundary, ending in `…`) to ``LabelRules/maxAnnotationValueBytes`` bytes:
    ///
    /// | annotation | from |
    /// |---|---|
    /// | `summary` | `payload.summary` (the incident's title) |
    /// | `custom_details` | `payload.custom_details`, as compact JSON text |
    /// | `links` | one line per link: `text <href>`, or the `href` alone |
    /// | `images` | one line per image: `alt <src>`, or the `src` alone, then ` (links to href)` |
    /// | `client` | the sending tool's name |
    public var annotations: [String: String] {
        var annotations: [String: String] = [:]
        if let payload {
            annotations["summary"] = Self.capped(payload.summary)
            if let details = payload.customDetails { annotations["custom_details"] = Self.capped(details) }
        }
        if !links.isEmpty {
            let lines = links.map { link in link.text.map { "\(Self.oneLine($0)) <\(link.href)>" } ?? link.href }
            annotations["links"] = Self.capped(lines.joined(separator: "\n"))
        }
        if !images.isEmpty {
            let lines = images.map { image in
                let shown = image.alt.map { "\(Self.oneLine($0)) <\(image.src)>" } ?? image.src
                return image.href.map { "\(shown) (links to \($0))" } ?? shown
            }
            annotations["images"] = Self.capped(lines.joined(separator: "\n"))
        }
        if let client { annotations["client"] = Self.capped(client) }
        return annotations
    }

    /// `text` cut on a character boundary to at most `maxBytes` bytes of UTF-8, ending in `…` when cut.
    static func capped(_ text: String, maxBytes: Int = LabelRules.maxAnnotationValueBytes) -> String {
        guard text.utf8.count > maxBytes else { return text }
        let marker = "…"
        let budget = maxBytes - marker.utf8.count
        var kept = ""
        var used = 0
        for character in text {
            let size = character.utf8.count
            guard used + size <= budget else { break }
            kept.append(character)
            used += size
        }
        return kept + marker
    }

    /// `text` with its line breaks turned into spaces, for one line of a list.
    private static func oneLine(_ text: String) -> String {
        String(text.map { $0.isNewline ? " " : $0 })
    }
}
