import Foundation
import TocsinDelivery

/// `tocsin serve` on a fixed loopback port under a shell loop that starts it again whenever it
/// dies, as systemd's `Restart=always` would: tests kill it with SIGKILL and it comes back on the
/// same database. The server writes its PID to `serve.pid` in `directory`; its output goes to
/// `serve.log`.
public final class SupervisedServer: @unchecked Sendable {
    public let directory: TemporaryDirectory
    public let url: String
    private let supervisor: BackgroundProcess

    /// Starts the loop with `arguments` for `tocsin serve` (after host and port), and waits up to
    /// 15 s for the server to be ready.
    public init(directory: TemporaryDirectory, arguments: [String]) throws {
        self.directory = directory
        let port = try freeLoopbackPort()
        url = "http://127.0.0.1:\(port)"
        let quoted = arguments.map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }.joined(separator: " ")
        // The server runs in the foreground of the loop (a blocking wait works even where the
        // loop's parent left SIGCHLD blocked) and writes its own PID before it execs.
        let loop = """
            while [ ! -e "$DIR/stop" ]; do
              sh -c 'echo $$ > "$DIR/serve.pid"; exec "$0" serve --host 127.0.0.1 --port \(port) "$@"' "$TOCSIN" \(quoted) >>"$DIR/serve.log" 2>&1
              sleep 0.1
            done
            """
        supervisor = try BackgroundProcess(
            executable: "/bin/sh", arguments: ["-c", loop], logPath: directory.path("supervisor.log"),
            environment: ["DIR": directory.url.path, "TOCSIN": TocsinBinary.path])
        guard waitUntilReady(seconds: 15) else {
            stop()
            throw ServerProcessError(message: "tocsin serve did not come up: \(log())")
        }
    }

    /// The file holding the running server's PID.
    public var pidFile: String { directory.path("serve.pid") }

    /// A shell command that kills the running server with SIGKILL.
    public var killCommand: String { "kill -9 $(cat '\(pidFile)')" }

    public var pid: Int32? {
        (try? String(contentsOfFile: pidFile, encoding: .utf8)).flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }

    public func isReady() -> Bool {
        (try? HTTPTransfer.perform(HTTPTransferRequest(method: "GET", url: url + "/readyz", connectTimeout: 1, totalTimeout: 2)))?
            .status == 200
    }

    @discardableResult
    public func waitUntilReady(seconds: Double) -> Bool {
        eventually(within: seconds) { isReady() }
    }

    /// Kills the running server with SIGKILL; the loop starts a new one.
    public func kill() {
        if let pid { Foundation.kill(pid, SIGKILL) }
    }

    /// Everything every server of the loop has logged.
    public func log() -> String {
        (try? String(contentsOfFile: directory.path("serve.log"), encoding: .utf8)) ?? ""
    }

    /// How many times a server started listening.
    public var starts: Int { log().components(separatedBy: "\"msg\":\"listening\"").count - 1 }

    /// Ends the loop and the server.
    public func stop() {
        FileManager.default.createFile(atPath: directory.path("stop"), contents: nil)
        kill()
        supervisor.stop()
    }
}
