import Foundation

/// An RFC 5322 email: headers (RFC 2047-encoded when not ASCII), a multipart/alternative body
/// with a text and an HTML part (quoted-printable), CRLF line endings.
///
/// The SMTP client stuffs lines that begin with a dot; this type writes the message as it is meant
/// to be read.
public struct EmailMessage: Sendable, Equatable {
    public var from: String
    public var to: [String]
    public var subject: String
    public var date: Date
    /// Without angle brackets, e.g. `tocsin.42.9f3c…@example.com`.
    public var messageID: String
    /// The thread this message belongs to (In-Reply-To and References), without angle brackets.
    public var thread: String?
    public var text: String
    public var html: String

    public init(
        from: String, to: [String], subject: String, date: Date, messageID: String, thread: String?, text: String,
        html: String
    ) {
        self.from = from
        self.to = to
        self.subject = subject
        self.date = date
        self.messageID = messageID
        self.thread = thread
        self.text = text
        self.html = html
    }

    /// The whole message, ready for SMTP `DATA`, its parts separated by a boundary made from
    /// `randomToken` (the caller's fresh random text: alert text must not be able to guess it).
    ///
    /// The boundary starts with `=_`, which quoted-printable never writes (it encodes `=` as
    /// `=3D`), so no part can contain it whatever an alert says; it is checked all the same, and
    /// lengthened until no part contains it.
    public func rendered(randomToken: String) -> String {
        let textPart = Self.quotedPrintable(text)
        let htmlPart = Self.quotedPrintable(html)
        var boundary = "=_tocsin_\(randomToken)"
        while textPart.contains(boundary) || htmlPart.contains(boundary) {
            boundary += "_"
        }
        // The subject is encoded (a line break in it becomes an encoded word, never a new header);
        // the addresses come from the configuration, and lose any line break all the same.
        var headers = [
            "From: \(Self.singleLine(from))",
            "To: \(Self.singleLine(to.joined(separator: ", ")))",
            "Subject: \(Self.encodeHeader(subject, nameLength: "Subject: ".count))",
            "Date: \(MailDate.format(date))",
            "Message-ID: <\(messageID)>",
        ]
        if let thread {
            headers.append("In-Reply-To: <\(thread)>")
            headers.append("References: <\(thread)>")
        }
        headers += [
            "MIME-Version: 1.0",
            "Content-Type: multipart/alternative; boundary=\"\(boundary)\"",
            "Auto-Submitted: auto-generated",
            "X-Mailer: Tocsin",
        ]
        let parts = [
            "--\(boundary)",
            "Content-Type: text/plain; charset=utf-8",
            "Content-Transfer-Encoding: quoted-printable",
            "",
            textPart,
            "--\(boundary)",
            "Content-Type: text/html; charset=utf-8",
            "Content-Transfer-Encoding: quoted-printable",
            "",
            htmlPart,
            "--\(boundary)--",
            "",
        ]
        return (headers + [""] + parts).joined(separator: "\r\n")
    }

    /// `text` with its control characters (CR and LF among them) as spaces: a header value that
    /// cannot start another header.
    static func singleLine(_ text: String) -> String {
        let space: Unicode.Scalar = " "
        var line = String.UnicodeScalarView()
        line.append(contentsOf: text.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7f ? space : $0 })
        return String(line)
    }

    /// A header value that any server accepts, whatever its length (RFC 5322 §2.2.3: no line over
    /// 998 characters, 78 recommended). Printable ASCII is folded at spaces into lines of at most 78
    /// characters (the first line counting the header's name, `nameLength`); text that is not, or
    /// has a word too long to fold, becomes RFC 2047 encoded-words (`=?UTF-8?B?…?=`) of at most 75
    /// characters, one per folded line.
    public static func encodeHeader(_ text: String, nameLength: Int = 0) -> String {
        let printable = !text.unicodeScalars.contains(where: { !$0.isASCII || $0.value < 0x20 || $0.value == 0x7f })
        if printable, let folded = fold(text, nameLength: nameLength) { return folded }
        return encodedWords(text)
    }

    /// Printable ASCII folded at spaces into lines of at most 78 characters, or nil when a word is
    /// too long for a line.
    static func fold(_ text: String, nameLength: Int) -> String? {
        guard nameLength + text.count > 78 else { return text }
        let words = text.split(separator: " ", omittingEmptySubsequences: false)
        var lines: [String] = []
        var line = String(words[0])
        var width = nameLength + line.count
        if width > 78 { return nil }
        for word in words.dropFirst() {
            if width + 1 + word.count <= 78 {
                line += " " + word
                width += 1 + word.count
            } else {
                lines.append(line)
                line = " " + word  // a folded line starts with the space it was folded at
                width = line.count
            }
            if width > 78 { return nil }
        }
        lines.append(line)
        return lines.joined(separator: "\r\n")
    }

    /// RFC 2047 encoded-words in chunks that keep each word under 76 characters, folded.
    static func encodedWords(_ text: String) -> String {
        var words: [String] = []
        var chunk: [UInt8] = []
        // By scalar, not by character: a character can be any number of bytes (combining marks),
        // and no encoded word may outgrow its line; a scalar is at most 4.
        for scalar in text.unicodeScalars {
            let bytes = Array(String(scalar).utf8)
            if chunk.count + bytes.count > 39 {
                words.append("=?UTF-8?B?\(Data(chunk).base64EncodedString())?=")
                chunk = []
            }
            chunk += bytes
        }
        if !chunk.isEmpty { words.append("=?UTF-8?B?\(Data(chunk).base64EncodedString())?=") }
        return words.joined(separator: "\r\n ")
    }

    /// Quoted-printable (RFC 2045) with CRLF line breaks and soft breaks under 76 characters.
    public static func quotedPrintable(_ text: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var lines: [String] = []
        let normalised = text.replacingOccurrences(of: "\r\n", with: "\n")
        for line in normalised.split(separator: "\n", omittingEmptySubsequences: false) {
            var out: [UInt8] = []
            var width = 0
            let bytes = Array(line.utf8)
            for (index, byte) in bytes.enumerated() {
                let isLast = index == bytes.count - 1
                var encoded: [UInt8]
                if (byte >= 33 && byte <= 126 && byte != 61) || (byte == 32 && !isLast) || (byte == 9 && !isLast) {
                    encoded = [byte]
                } else {
                    encoded = [61, hex[Int(byte >> 4)], hex[Int(byte & 0x0f)]]
                }
                if width + encoded.count > 75 {
                    out += [61, 13, 10]  // soft line break
                    width = 0
                }
                out += encoded
                width += encoded.count
            }
            lines.append(String(decoding: out, as: UTF8.self))
        }
        return lines.joined(separator: "\r\n")
    }

    /// Escapes text for HTML, in text and in attributes quoted either way.
    public static func escapeHTML(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
            .replacingOccurrences(of: "'", with: "&#39;")
    }
}

extension EmailMessage {
    /// The email for one outbox entry: subject like `[CRITICAL] #42 Disk almost full on db1`, a
    /// Message-ID derived from the idempotency key (the same on every retry), and In-Reply-To /
    /// References pointing at the incident's thread, so all mail about an incident threads together.
    /// The parts say what `facts` say: the text part (``PageFacts/fullText``) and the HTML part
    /// (``pageHTML(_:)``).
    public static func notification(_ facts: PageFacts, entry: OutboxEntry, from: String, date: Date) -> EmailMessage {
        let domain = from.split(separator: "@").last.map { String($0).trimmingCharacters(in: CharacterSet(charactersIn: ">")) }
            ?? "tocsin.invalid"
        let id = facts.incidentID
        let key = Fingerprint(labels: ["idempotency_key": entry.idempotencyKey]).description
        return EmailMessage(
            from: from, to: [entry.address], subject: entry.subject, date: date,
            messageID: "tocsin.\(id).\(key)@\(domain)", thread: "tocsin.incident.\(id)@\(domain)",
            text: facts.fullText, html: pageHTML(facts))
    }

    /// ``notification(_:entry:from:date:)`` for `entry`, `incident` and its `alerts`, with times in UTC
    /// and no escalation shown.
    public static func notification(
        _ entry: OutboxEntry, incident: Incident, alerts: [IncidentAlert], from: String, date: Date,
        incidentURL: String, links: WebhookPayload.Links
    ) -> EmailMessage {
        let facts = PageFacts(entry: entry, incident: incident, alerts: alerts, incidentURL: incidentURL, links: links)
        return notification(facts, entry: entry, from: from, date: date)
    }
}
