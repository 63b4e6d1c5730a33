import Foundation

extension EmailMessage {
    /// The HTML part of a page: a header in the severity's colour that names the severity in words,
    /// large Acknowledge and Resolve buttons and a link to the incident, the escalation's next step,
    /// then each alert with its labels, description and links.
    ///
    /// Mail clients strip `<style>` and scripts, so every style is inline; the layout is tables, at
    /// most 600 px wide and fluid below (it reads at 360 px). No background is set but on the header,
    /// badges and buttons (a saturated colour under white text), so the text takes the client's
    /// colours in light and dark mode alike. Everything from the alert is escaped, and only http(s)
    /// URLs become links.
    public static func pageHTML(_ facts: PageFacts) -> String {
        let colour = HTMLPalette.colour(for: facts)
        var rows = [headerRow(facts, colour: colour)]
        rows.append(buttonsRow(facts, colour: colour))
        if !facts.detail.isEmpty {
            rows.append(
                "<tr><td style=\"padding:8px 0;font-size:15px;\(wrap)\">"
                    + escapeHTML(facts.detail).replacingOccurrences(of: "\n", with: "<br>") + "</td></tr>")
        }
        if !facts.escalations.isEmpty { rows.append(escalationRow(facts)) }
        rows += facts.alerts.map { alertRow($0, facts: facts) }
        if let more = facts.moreAlertsLine {
            rows.append(
                "<tr><td style=\"padding:12px 0;border-top:1px solid \(HTMLPalette.rule);\">"
                    + "<a href=\"\(attribute(facts.incidentURL))\" style=\"text-decoration:underline;\">\(escapeHTML(more))</a>"
                    + "</td></tr>")
        }
        rows.append(footerRow(facts))
        let preheader = escapeHTML("\(facts.badge): \(facts.title) · fired \(facts.firedAtText)")
        return """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta name="color-scheme" content="light dark">
            <meta name="supported-color-schemes" content="light dark">
            <title>\(escapeHTML(facts.subject))</title>
            </head>
            <body style="margin:0;padding:0;">
            <div style="display:none;max-height:0;overflow:hidden;mso-hide:all;">\(preheader)</div>
            \(tableOpen(style: "border-collapse:collapse;"))
            <tr><td align="center" style="padding:16px 8px;">
            \(tableOpen(style: containerStyle))
            \(rows.joined(separator: "\n"))
            </table>
            </td></tr>
            </table>
            </body>
            </html>

            """
    }

    private static let containerStyle =
        "max-width:600px;border-collapse:collapse;"
        + "font-family:-apple-system,BlinkMacSystemFont,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;font-size:16px;line-height:1.5;"

    /// The severity (or what happened) in words on its colour, the title, the incident and when it fired.
    private static func headerRow(_ facts: PageFacts, colour: String) -> String {
        let kicker = facts.badge + " · " + (facts.event.isPage ? facts.state.rawValue : facts.severity).uppercased()
        return """
            <tr><td bgcolor="\(colour)" style="background-color:\(colour);color:#ffffff;padding:16px 20px;border-radius:8px 8px 0 0;">
            <div style="font-size:13px;font-weight:bold;letter-spacing:1px;color:#ffffff;">\(escapeHTML(kicker))</div>
            <h1 style="margin:4px 0;font-size:22px;line-height:1.3;font-weight:bold;color:#ffffff;\(wrap)">
            \(escapeHTML(facts.title))</h1>
            <div style="font-size:15px;color:#ffffff;">Incident #\(facts.incidentID) · fired \(escapeHTML(facts.firedAtText))</div>
            </td></tr>
            """
    }

    /// Acknowledge and Resolve side by side, as tall as a finger needs (44 px and more), and the
    /// incident's page below them.
    private static func buttonsRow(_ facts: PageFacts, colour: String) -> String {
        let primary = facts.actions.filter { $0.kind != .open }
        var html = "<tr><td style=\"padding:16px 0 8px 0;\">\n"
        if !primary.isEmpty {
            let width = 100 / primary.count
            let cells = primary.enumerated().map { index, action in
                let background = action.kind == .acknowledge ? colour : HTMLPalette.resolve
                let gap = index == primary.count - 1 ? "" : "padding-right:8px;"
                return "<td width=\"\(width)%\" style=\"width:\(width)%;\(gap)\">\(button(action, background: background))</td>"
            }
            html += tableOpen() + "<tr>\(cells.joined())</tr></table>\n"
        }
        if let open = facts.action(.open) {
            html += tableOpen(style: "margin-top:8px;")
                + "<tr><td>\(button(open, background: HTMLPalette.neutral))</td></tr></table>\n"
        }
        return html + "</td></tr>"
    }

    private static func tableOpen(style: String = "") -> String {
        "<table role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\" border=\"0\" "
            + "style=\"width:100%;border-collapse:separate;\(style)\">"
    }

    /// A bulletproof button: a padded link filling a cell of its colour, at least 44 px tall.
    private static func button(_ action: PageFacts.Action, background: String) -> String {
        let linkStyle =
            "display:block;min-height:44px;box-sizing:border-box;padding:12px 8px;font-size:17px;line-height:20px;"
            + "font-weight:bold;text-align:center;color:#ffffff;text-decoration:none;border-radius:6px;"
            + "background-color:\(background);"
        return tableOpen()
            + "<tr><td align=\"center\" height=\"44\" bgcolor=\"\(background)\" "
            + "style=\"border-radius:6px;background-color:\(background);\">"
            + "<a href=\"\(attribute(action.url))\" target=\"_blank\" style=\"\(linkStyle)\">\(escapeHTML(action.label))</a>"
            + "</td></tr></table>"
    }

    /// Each live escalation: the step it is at and who it pages next, and when, if nobody acknowledges.
    private static func escalationRow(_ facts: PageFacts) -> String {
        let items = facts.escalations.map { "<div style=\"margin:2px 0;\(wrap)\">\(escapeHTML($0.line))</div>" }
        return "<tr><td style=\"padding:8px 0 12px 0;font-size:15px;\">"
            + "<div style=\"font-weight:bold;\">Escalation</div>\(items.joined())</td></tr>"
    }

    /// One alert: its status in words, its name, when it started, its labels, description and links.
    private static func alertRow(_ alert: PageFacts.AlertFacts, facts: PageFacts) -> String {
        let statusColour = alert.status == .firing ? HTMLPalette.firing : HTMLPalette.resolve
        var html = "<tr><td style=\"padding:12px 0;border-top:1px solid \(HTMLPalette.rule);\">\n"
        html += "<div style=\"\(wrap)\"><span style=\"display:inline-block;padding:0 6px;margin-right:6px;border-radius:4px;"
            + "font-size:12px;font-weight:bold;line-height:20px;color:#ffffff;background-color:\(statusColour);\">"
            + "\(escapeHTML(alert.status.rawValue.uppercased()))</span>"
            + "<strong style=\"font-size:16px;\">\(escapeHTML(alert.name))</strong></div>\n"
        html += "<div style=\"font-size:13px;opacity:0.8;\">\(escapeHTML(facts.when(alert)))</div>\n"
        if !alert.labels.isEmpty {
            let chips = alert.labels.map { label in
                "<span style=\"display:inline-block;margin:4px 4px 0 0;padding:1px 6px;border:1px solid \(HTMLPalette.rule);"
                    + "border-radius:4px;font-family:Menlo,Consolas,monospace;font-size:13px;\(wrap)\">"
                    + "\(escapeHTML(label.text))</span>"
            }
            html += "<div>\(chips.joined(separator: " "))</div>\n"
        }
        if let description = alert.description {
            html += "<p style=\"margin:8px 0 0 0;font-size:15px;\(wrap)\">"
                + description.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
                    .map { escapeHTML(String($0)) }.joined(separator: "<br>")
                + "</p>\n"
        }
        if !alert.links.isEmpty {
            let links = alert.links.map { link in
                "<a href=\"\(attribute(link.url))\" target=\"_blank\" style=\"text-decoration:underline;\">"
                    + "\(escapeHTML(link.label))</a>"
            }
            html += "<p style=\"margin:8px 0 0 0;font-size:15px;\">\(links.joined(separator: " &nbsp;·&nbsp; "))</p>\n"
        }
        return html + "</td></tr>"
    }

    /// Where the incident stands, in small print.
    private static func footerRow(_ facts: PageFacts) -> String {
        "<tr><td style=\"padding:12px 0;border-top:1px solid \(HTMLPalette.rule);font-size:13px;opacity:0.8;\(wrap)\">"
            + escapeHTML(facts.stateLine) + "</td></tr>"
    }

    /// Long words and URLs break rather than widen the page past a small screen.
    private static let wrap = "word-break:break-word;overflow-wrap:anywhere;"

    /// `url` for an `href`: escaped like any attribute (it is one of ours or passed ``AlertListing/isWebURL(_:)``).
    private static func attribute(_ url: String) -> String {
        escapeHTML(url)
    }
}

/// The colours of a page's HTML: saturated enough for white text on them (WCAG AA) in light and
/// dark mode; a rule colour visible on white and on black.
enum HTMLPalette {
    static let critical = "#B3261E"
    static let error = "#C2410C"
    static let warning = "#A15C07"
    static let info = "#1D4ED8"
    static let other = "#4B5563"
    static let firing = "#B3261E"
    static let resolve = "#15803D"
    static let acknowledged = "#1D4ED8"
    static let neutral = "#374151"
    static let rule = "#9CA3AF"

    /// The header's colour: the severity's for a page, what happened for a notice.
    static func colour(for facts: PageFacts) -> String {
        switch facts.event {
        case .resolved: return resolve
        case .acknowledged: return acknowledged
        case .note: return neutral
        case .triggered, .escalated, .reminder:
            switch Severity(label: facts.severity).rank {
            case 5: return critical
            case 4: return error
            case 3: return warning
            case 2: return info
            default: return other
            }
        }
    }
}
