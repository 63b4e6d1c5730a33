import Logging

/// How `tocsin serve` writes its logs.
public enum LogFormat: String, CaseIterable, Sendable {
    /// One JSON object per line on stderr (the default; for log shippers).
    case json
    /// swift-log's plain text on stderr (for people watching a terminal).
    case text

    /// Installs the handler for this format. Call once per process.
    public func bootstrap(level: Logger.Level) {
        LoggingSystem.bootstrap { label in
            var handler: any LogHandler =
                switch self {
                case .json: JSONLogHandler(label: label)
                case .text: StreamLogHandler.standardError(label: label)
                }
            handler.logLevel = level
            return handler
        }
    }
}
