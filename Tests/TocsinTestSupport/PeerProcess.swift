import Foundation

/// A test peer (webhook receiver, SMTP server) run from `Tests/Support/*.py` on 127.0.0.1,
/// recording what it receives as JSON lines in a log file.
public final class PeerProcess: @unchecked Sendable {
    public let process: Process
    public let port: Int
    public let logPath: String

    /// Starts `script` with `arguments` (plus `--log`), waiting up to 10 s for its "PORT n" line.
    public init(script: String, arguments: [String], logPath: String, python: String = "/usr/bin/python3") throws {
        self.logPath = logPath
        FileManager.default.createFile(atPath: logPath, contents: nil)
        process = Process()
        process.executableURL = URL(fileURLWithPath: FileManager.default.isExecutableFile(atPath: python) ? python : "/usr/bin/env")
        let path = Fixtures.repositoryRoot.appendingPathComponent("Tests/Support/\(script)").path
        process.arguments = (process.executableURL?.path == "/usr/bin/env" ? ["python3"] : []) + [path, "--log", logPath] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        var line = Data()
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline, !line.contains(UInt8(ascii: "\n")) {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line.append(chunk)
        }
        let text = String(decoding: line, as: UTF8.self)
        guard text.hasPrefix("PORT "), let port = Int(text.dropFirst(5).prefix { $0.isNumber }) else {
            process.terminate()
            throw ServerProcessError(message: "\(script) did not start (said: \(text))")
        }
        self.port = port
    }

    /// The records so far, one JSON object each.
    public func records() -> [[String: Any]] {
        let text = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
    }

    /// Polls (every 50 ms, at most `seconds`) until `count` records have arrived.
    @discardableResult
    public func waitForRecords(_ count: Int, seconds: Double) -> [[String: Any]] {
        let deadline = Date().addingTimeInterval(seconds)
        var current = records()
        while current.count < count, Date() < deadline {
            Thread.sleep(forTimeInterval: 0.05)
            current = records()
        }
        return current
    }

    public func stop(signal: Int32 = SIGKILL) {
        if process.isRunning { kill(process.processIdentifier, signal) }
        process.waitUntilExit()
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }
}
