import Foundation
import Logging

/// A swift-log handler that writes one JSON object per line to standard error:
/// `{"ts":"…","level":"info","logger":"tocsin","msg":"…","correlation_id":"…",…}`.
public struct JSONLogHandler: LogHandler {
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    private let label: String

    public init(label: String) {
        self.label = label
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var fields = self.metadata
        if let provided = metadataProvider?.get() {
            fields.merge(provided) { _, new in new }
        }
        if let extra = event.metadata {
            fields.merge(extra) { _, new in new }
        }
        var line = "{\"ts\":\"" + ISO8601.now() + "\",\"level\":\"" + event.level.rawValue + "\",\"logger\":"
        line += Self.quote(label) + ",\"msg\":" + Self.quote(event.message.description)
        for key in fields.keys.sorted() {
            line += "," + Self.quote(key) + ":" + Self.quote(Self.flatten(fields[key] ?? ""))
        }
        line += "}\n"
        var bytes = Array(line.utf8)
        // One write(2) per line keeps lines from different threads whole.
        _ = bytes.withUnsafeMutableBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
    }

    static func flatten(_ value: Logger.Metadata.Value) -> String {
        switch value {
        case .string(let text): text
        case .stringConvertible(let convertible): convertible.description
        case .array(let values): "[" + values.map(flatten).joined(separator: ", ") + "]"
        case .dictionary(let map): "{" + map.keys.sorted().map { "\($0)=\(flatten(map[$0] ?? ""))" }.joined(separator: ", ") + "}"
        }
    }

    /// A JSON string literal for `text`.
    static func quote(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    private enum ISO8601 {
        static func now() -> String {
            var time = timespec()
            clock_gettime(CLOCK_REALTIME, &time)
            var tm = tm()
            var seconds = time.tv_sec
            gmtime_r(&seconds, &tm)
            let millis = time.tv_nsec / 1_000_000
            return String(
                format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                tm.tm_min, tm.tm_sec, millis)
        }
    }
}
