import Foundation

/// Runs the real `tocsin` executable built next to the test bundle (or `$TOCSIN_BINARY`).
public enum TocsinBinary {
    /// The executable's path.
    public static var path: String {
        if let explicit = ProcessInfo.processInfo.environment["TOCSIN_BINARY"], !explicit.isEmpty {
            return explicit
        }
        let testBundle = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let besideTests = testBundle.appendingPathComponent("tocsin").path
        if FileManager.default.isExecutableFile(atPath: besideTests) {
            return besideTests
        }
        return Fixtures.repositoryRoot.appendingPathComponent(".build/debug/tocsin").path
    }

    /// What a finished command printed and how it exited.
    public struct Outcome: Sendable {
        public var status: Int32
        public var stdout: String
        public var stderr: String
    }

    /// Runs `tocsin ARGUMENTS` to completion with extra environment variables.
    public static func run(_ arguments: [String], environment: [String: String] = [:]) throws -> Outcome {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment
            .filter { !$0.key.hasPrefix("TOCSIN_") }
            .merging(environment) { _, new in new }
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Read both pipes before waiting, so a full pipe never blocks the child.
        let group = DispatchGroup()
        nonisolated(unsafe) var errData = Data()
        group.enter()
        Thread.detachNewThread {
            errData = err.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return Outcome(
            status: process.terminationStatus,
            stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData, as: UTF8.self))
    }
}

/// A `tocsin serve` process on 127.0.0.1 and a free port, logging to a file.
public final class ServerProcess: @unchecked Sendable {
    public let process: Process
    public let logPath: String
    /// `http://127.0.0.1:PORT`, read from the server's "listening" log line.
    public private(set) var url = ""

    /// Starts the server and waits (up to 15 s) until it listens. With `openFilesLimit`, the server
    /// runs with that soft and hard limit on open files (through util-linux's `prlimit`).
    public init(arguments: [String], logPath: String, environment: [String: String] = [:], openFilesLimit: Int? = nil) throws {
        self.logPath = logPath
        FileManager.default.createFile(atPath: logPath, contents: nil)
        process = Process()
        let defaults = arguments.contains("--config")
            ? [] : ["--config", Fixtures.repositoryRoot.appendingPathComponent("Tests/Fixtures/policies").path]
        let command = ["serve", "--host", "127.0.0.1", "--port", "0"] + defaults + arguments
        if let openFilesLimit {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/prlimit")
            process.arguments = ["--nofile=\(openFilesLimit):\(openFilesLimit)", "--", TocsinBinary.path] + command
        } else {
            process.executableURL = URL(fileURLWithPath: TocsinBinary.path)
            process.arguments = command
        }
        process.environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("TOCSIN_") }
            .merging(environment) { _, new in new }
        let logHandle = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        process.standardOutput = logHandle
        process.standardError = logHandle
        try process.run()
        let deadline = Date().addingTimeInterval(15)
        while Date() < deadline {
            if let found = Self.listeningURL(in: self.log()) {
                url = found
                return
            }
            guard process.isRunning else { break }
            Thread.sleep(forTimeInterval: 0.02)
        }
        stop(signal: SIGKILL)
        throw ServerProcessError(message: "tocsin serve did not start; its log:\n\(self.log())")
    }

    /// The server's log so far.
    public func log() -> String {
        (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
    }

    /// Sends `signal` and waits for the process to end.
    @discardableResult
    public func stop(signal: Int32 = SIGTERM) -> Int32 {
        if process.isRunning {
            kill(process.processIdentifier, signal)
        }
        process.waitUntilExit()
        return process.terminationStatus
    }

    private static func listeningURL(in log: String) -> String? {
        for line in log.split(separator: "\n") where line.contains("\"msg\":\"listening\"") {
            guard let range = line.range(of: #""url":"#) else { continue }
            let rest = line[range.upperBound...].dropFirst()
            return rest.firstIndex(of: "\"").map { String(rest[..<$0]) }
        }
        return nil
    }
}

/// The server process failed to start.
public struct ServerProcessError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }

    public init(message: String) {
        self.message = message
    }
}
