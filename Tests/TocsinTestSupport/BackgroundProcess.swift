import Foundation

/// Any program run in the background for a test (Alertmanager, Prometheus, a supervisor
/// script), logging to a file and stopped by its PID.
public final class BackgroundProcess: @unchecked Sendable {
    public let process: Process
    public let logPath: String

    public init(executable: String, arguments: [String], logPath: String, environment: [String: String] = [:]) throws {
        self.logPath = logPath
        FileManager.default.createFile(atPath: logPath, contents: nil)
        process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        process.standardOutput = log
        process.standardError = log
        try process.run()
    }

    public var pid: Int32 { process.processIdentifier }

    /// The program's output so far.
    public func log() -> String {
        (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
    }

    /// Sends SIGTERM, then SIGKILL if the program is still running after `grace` seconds.
    public func stop(grace: TimeInterval = 5) {
        guard process.isRunning else { return }
        kill(pid, SIGTERM)
        let deadline = Date().addingTimeInterval(grace)
        while process.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        if process.isRunning { kill(pid, SIGKILL) }
        process.waitUntilExit()
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }
}

/// Runs a program to completion (arguments passed as they are, no shell) and returns its exit
/// status and everything it printed.
public func runToCompletion(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
    let directory = try TemporaryDirectory("tocsin-run")
    defer { directory.remove() }
    let process = try BackgroundProcess(executable: executable, arguments: arguments, logPath: directory.path("output.log"))
    process.process.waitUntilExit()
    return (process.process.terminationStatus, process.log())
}

/// Polls `condition` every 100 ms for at most `seconds`; true once it holds.
public func eventually(within seconds: TimeInterval, _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    repeat {
        if try condition() { return true }
        Thread.sleep(forTimeInterval: 0.1)
    } while Date() < deadline
    return try condition()
}
