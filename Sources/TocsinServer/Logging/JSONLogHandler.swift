import Foundation
import Logging
import TocsinAPI
import TocsinCore

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
        if let provided = metadataProvider?.get(), !provided.isEmpty {
            fields.merge(provided) { _, new in new }
        }
        if let extra = event.metadata, !extra.isEmpty {
            fields.merge(extra) { _, new in new }
        }
        // Written into one buffer (a request logs a line or two at the default level, so this
        // runs for nearly every request): strings without escapes are copied whole.
        var line = JSONWriter(capacity: 256)
        line.beginObject()
        line.key("ts")
        line.string(RFC3339.format(Date()))
        line.key("level")
        line.string(event.level.rawValue)
        line.key("logger")
        line.string(label)
        line.key("msg")
        line.string(event.message.description)
        for (key, value) in fields.sorted(by: { $0.key < $1.key }) {
            line.key(key)
            line.string(Self.flatten(value))
        }
        line.endObject()
        var bytes = line.bytes
        bytes.append(UInt8(ascii: "\n"))
        // One write(2) per line keeps lines from different threads whole.
        _ = bytes.withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
    }

    static func flatten(_ value: Logger.Metadata.Value) -> String {
        switch value {
        case .string(let text): text
        case .stringConvertible(let convertible): convertible.description
        case .array(let values): "[" + values.map(flatten).joined(separator: ", ") + "]"
        case .dictionary(let map): "{" + map.keys.sorted().map { "\($0)=\(flatten(map[$0] ?? ""))" }.joined(separator: ", ") + "}"
        }
    }
}
