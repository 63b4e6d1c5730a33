import Foundation
import Testing
import TocsinTestSupport

/// Idle and slow clients cannot hold Tocsin's connections or use up its file descriptors.
@Suite("Connection limits, end to end", .serialized)
struct ConnectionLimitsEndToEndTests {
    /// Opens `count` idle connections to `port`, then times a `GET /healthz` on a new one, then
    /// waits for the server to close the idle ones. Prints JSON.
    static let client = """
        import json, socket, sys, time
        port, count, wait = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
        idle = []
        for _ in range(count):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.setblocking(True)
            s.connect(("127.0.0.1", port))
            idle.append(s)
        started = time.time()
        probe = socket.create_connection(("127.0.0.1", port), timeout=wait)
        probe.sendall(b"GET /healthz HTTP/1.1\\r\\nHost: x\\r\\nConnection: close\\r\\n\\r\\n")
        answer = b""
        try:
            while b"\\r\\n\\r\\n" not in answer:
                chunk = probe.recv(4096)
                if not chunk: break
                answer += chunk
        except socket.timeout:
            pass
        healthz = time.time() - started
        closed = 0
        deadline = time.time() + wait
        for s in idle:
            s.settimeout(max(0.01, deadline - time.time()))
            try:
                if s.recv(1) == b"": closed += 1
            except (socket.timeout, ConnectionResetError):
                pass
        print(json.dumps({"healthz_status": answer.split(b" ")[1].decode() if answer.count(b" ") else "",
                          "healthz_seconds": healthz, "closed": closed}))
        """

    func run(port: String, count: Int, wait: TimeInterval) throws -> [String: Any] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = ["-c", Self.client, port, "\(count)", "\(wait)"]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
    }

    @Test("idle connections are closed after --idle-timeout; past the file-descriptor limit /healthz still answers")
    func idleConnectionsAtTheLimit() throws {
        let directory = try TemporaryDirectory("tocsin-connections")
        defer { directory.remove() }
        // 512 descriptors: at most 256 connections are open at once; 600 idle clients ask for more.
        let server = try ServerProcess(
            arguments: ["--db", directory.path("tocsin.sqlite"), "--idle-timeout", "2s"], logPath: directory.path("serve.log"),
            openFilesLimit: 512)
        defer { server.stop(signal: SIGKILL) }
        #expect(server.log().contains("\"max_connections\":\"256\""), "\(server.log())")
        let port = String(server.url.split(separator: ":").last ?? "")
        let result = try run(port: port, count: 600, wait: 15)
        #expect(result["healthz_status"] as? String == "200", "\(result)\n\(server.log())")
        #expect((result["healthz_seconds"] as? Double ?? 99) < 10, "\(result)")
        #expect((result["closed"] as? Int ?? 0) >= 590, "the server closed the idle connections: \(result)")
        // Still serving, and never out of descriptors.
        #expect(!server.log().contains("Too many open files"), "\(server.log())")
        #expect(server.process.isRunning)
    }

    @Test("a client that sends its head or its body a byte at a time is cut off after --idle-timeout")
    func slowClients() throws {
        let directory = try TemporaryDirectory("tocsin-slow-clients")
        defer { directory.remove() }
        let server = try ServerProcess(
            arguments: ["--db", directory.path("tocsin.sqlite"), "--idle-timeout", "2s"], logPath: directory.path("serve.log"))
        defer { server.stop(signal: SIGKILL) }
        let port = String(server.url.split(separator: ":").last ?? "")
        // Two clients dribble a byte every half second, one in its head, one in its body; each
        // reports when the server closed on it.
        let script = """
            import json, socket, sys, threading, time
            port = int(sys.argv[1])
            head = b"POST /api/v1/ingest/alertmanager HTTP/1.1\\r\\nHost: x\\r\\nContent-Type: application/json\\r\\nContent-Length: 1000\\r\\n\\r\\n"
            results = {}
            def dribble(name, prefix):
                s = socket.create_connection(("127.0.0.1", port))
                s.sendall(prefix)
                started = time.time()
                try:
                    while time.time() - started < 20:
                        s.sendall(b"x")
                        time.sleep(0.5)
                except OSError:
                    pass
                results[name] = time.time() - started
            threads = [threading.Thread(target=dribble, args=("head", head[:20])), threading.Thread(target=dribble, args=("body", head + b"{"))]
            [t.start() for t in threads]; [t.join() for t in threads]
            print(json.dumps(results))
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = ["-c", script, port]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let held = try JSONSerialization.jsonObject(with: data) as? [String: Double] ?? [:]
        #expect((held["head"] ?? 99) < 10, "a slow head held its connection \(held)")
        #expect((held["body"] ?? 99) < 10, "a slow body held its connection \(held)")
    }

    @Test("serve warns when it listens beyond loopback with the ingest endpoint unauthenticated, not when it has a token")
    func unauthenticatedIngestWarning() throws {
        let directory = try TemporaryDirectory("tocsin-exposed")
        defer { directory.remove() }
        // Listening on every address for a moment; nothing is sent anywhere.
        let open = try ServerProcess(arguments: ["--db", directory.path("a.sqlite"), "--host", "0.0.0.0"], logPath: directory.path("a.log"))
        open.stop()
        #expect(open.log().contains("with the ingest endpoint unauthenticated"), "\(open.log())")
        let guarded = try ServerProcess(
            arguments: ["--db", directory.path("b.sqlite"), "--host", "0.0.0.0"], logPath: directory.path("b.log"),
            environment: ["TOCSIN_INGEST_TOKEN": "a-long-enough-ingest-token"])
        guarded.stop()
        #expect(!guarded.log().contains("unauthenticated"), "\(guarded.log())")
        let local = try ServerProcess(arguments: ["--db", directory.path("c.sqlite")], logPath: directory.path("c.log"))
        local.stop()
        #expect(!local.log().contains("unauthenticated"))
    }

    @Test("serve refuses bad connection options with a clear message")
    func validation() throws {
        let idle = try TocsinBinary.run(["serve", "--idle-timeout", "0s"])
        #expect(idle.status != 0 && idle.stderr.contains("--idle-timeout must be a duration of at least 1s"), "\(idle.stderr)")
        let cap = try TocsinBinary.run(["serve", "--max-connections", "0"])
        #expect(cap.status != 0 && cap.stderr.contains("--max-connections must be at least 1"), "\(cap.stderr)")
        let proxy = try TocsinBinary.run(["serve", "--trusted-proxy", "127.0.0.1/32", "--trusted-proxy", "proxy.internal"])
        #expect(proxy.status != 0 && proxy.stderr.contains(#"--trusted-proxy takes an address or network such as 127.0.0.1/32 or ::1, got "proxy.internal""#),
                "\(proxy.stderr)")
    }
}
