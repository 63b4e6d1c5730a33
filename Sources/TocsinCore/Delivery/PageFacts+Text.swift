import Foundation

extension PageFacts {
    /// The longest description the brief text (the webhook's `text`) gives an alert, in characters.
    public static let briefDescriptionLimit = 200

    /// The lines every text format starts with: the incident's state, when it fired, why this
    /// notification, and each escalation's next step.
    public var summaryLines: [String] {
        var lines = [stateLine, "Fired: \(firedAtText)"]
        if !detail.isEmpty { lines.append(detail) }
        lines += escalations.map { "Escalation: \($0.line)" }
        return lines
    }

    /// The webhook's `text`: the summary, then one line per alert with the labels that tell it
    /// apart and the start of its description.
    ///
    /// ```
    /// Incident #9 · triggered · critical · 2 of 2 alerts firing
    /// Fired: Fri 27 Nov 18:20 CET
    /// Policy critical-immediate, step 1/3
    /// Escalation: critical-immediate: step 2 of 3 next: bob at Fri 27 Nov 18:25 CET (in 5m), if nobody acknowledges
    /// Alerts:
    /// - [firing] Nodes down in eu2 (instance=db1:9100): node_exporter has not answered for 5 minutes
    /// ```
    public var briefText: String {
        var lines = summaryLines
        if !alerts.isEmpty {
            lines.append("Alerts:")
            lines += alerts.map { alert in
                let description = alert.description.map { Self.oneLine($0, limit: Self.briefDescriptionLimit) }
                return "- \(alert.line)" + (description.map { ": \($0)" } ?? "")
            }
            if let more = moreAlertsLine { lines.append("- \(more)") }
        }
        return lines.joined(separator: "\n")
    }

    /// The email's text part: what the HTML part says, in the same order, with every URL written out.
    public var fullText: String {
        var lines = ["\(badge): \(title)"] + summaryLines + [""]
        lines += actions.map { "\($0.label): \($0.url)" }
        if !alerts.isEmpty {
            lines += ["", "Alerts:"]
            for alert in alerts {
                lines.append("- \(alert.line)")
                lines.append("  \(when(alert))")
                if let description = alert.description {
                    lines += description.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).map { "  \($0)" }
                }
                lines += alert.links.map { "  \($0.label): \($0.url)" }
            }
            if let more = moreAlertsLine { lines.append("- \(more): \(incidentURL)") }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// `text` on one line (line breaks and tabs as spaces), cut to `limit` characters.
    static func oneLine(_ text: String, limit: Int) -> String {
        let flat = text.split(whereSeparator: { $0.isNewline || $0 == "\t" }).joined(separator: " ")
        return clipped(flat, to: limit)
    }
}
