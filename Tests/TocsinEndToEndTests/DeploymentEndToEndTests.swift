import Foundation
import Testing
import TocsinTestSupport

/// The proxy configurations `deploy/` ships, checked by the real proxies Debian packages: each one
/// is accepted as written (only addresses, ports and certificate paths are put in for the test),
/// and nginx in front of two instances on PostgreSQL carries on through one instance's death.
@Suite("deploy/: the shipped nginx and Caddy configurations, end to end")
struct DeploymentEndToEndTests {
    /// A directory with a self-signed certificate for tocsin.example.com and the nginx main
    /// configuration that includes a shipped file (rewritten for the test) in its `http` block.
    final class ProxyDirectory: @unchecked Sendable {
        let directory: TemporaryDirectory
        var certificate: String { directory.path("tocsin.example.com.crt") }
        var key: String { directory.path("tocsin.example.com.key") }
        var mainConfiguration: String { directory.path("nginx.conf") }

        init() throws {
            directory = try TemporaryDirectory("tocsin-proxy")
            let made = try runToCompletion(
                "/usr/bin/openssl",
                [
                    "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=tocsin.example.com",
                    "-addext", "subjectAltName=DNS:tocsin.example.com", "-keyout", key, "-out", certificate,
                ])
            guard made.status == 0 else { throw ProxyError("openssl could not make a certificate: \(made.output)") }
        }

        /// Writes `site` (a shipped file's text, rewritten) and a main configuration around it: in
        /// the foreground, one process (no change of user), logs and buffers in this directory.
        func writeNginx(site: String) throws {
            try site.write(toFile: directory.path("site.conf"), atomically: true, encoding: .utf8)
            let path = directory.path
            try """
                daemon off;
                master_process off;
                pid \(path("nginx.pid"));
                error_log \(path("error.log"));
                events {}
                http {
                    access_log \(path("access.log"));
                    client_body_temp_path \(path("body"));
                    proxy_temp_path \(path("proxy"));
                    fastcgi_temp_path \(path("fastcgi"));
                    uwsgi_temp_path \(path("uwsgi"));
                    scgi_temp_path \(path("scgi"));
                    include \(path("site.conf"));
                }
                """.write(toFile: mainConfiguration, atomically: true, encoding: .utf8)
        }

        /// `nginx -t` on the main configuration.
        func testNginx() throws -> (status: Int32, output: String) {
            try runToCompletion("/usr/sbin/nginx", ["-t", "-c", mainConfiguration, "-e", directory.path("error.log")])
        }

        func remove() { directory.remove() }
    }

    struct ProxyError: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    /// `text` with each of `replacements` made; a line the test expects that the file no longer has fails the test.
    static func rewrite(_ text: String, _ replacements: [(String, String)], file: String) throws -> String {
        var text = text
        for (old, new) in replacements {
            guard text.contains(old) else { throw ProxyError("\(file) no longer contains \(old.debugDescription)") }
            text = text.replacingOccurrences(of: old, with: new)
        }
        return text
    }

    static func shipped(_ path: String) throws -> String {
        try String(contentsOf: Fixtures.repositoryRoot.appendingPathComponent(path), encoding: .utf8)
    }

    /// The shipped high-availability site with its upstreams at `upstreams` and TLS on 127.0.0.1:`port`.
    static func highAvailabilitySite(_ proxy: ProxyDirectory, upstreams: [String], port: Int) throws -> String {
        let file = "deploy/high-availability/nginx-upstream.conf"
        return try rewrite(
            try shipped(file),
            [
                ("server 10.0.0.11:9797", "server \(upstreams[0])"), ("server 10.0.0.12:9797", "server \(upstreams[1])"),
                ("listen 443 ssl;", "listen 127.0.0.1:\(port) ssl;"),
                ("/etc/ssl/tocsin.example.com.crt", proxy.certificate), ("/etc/ssl/tocsin.example.com.key", proxy.key),
            ], file: file)
    }

    /// The shipped single-instance site with its ports moved to free ones on loopback.
    static func reverseProxySite(_ proxy: ProxyDirectory) throws -> String {
        let file = "deploy/reverse-proxy/nginx.conf"
        let (plain, tls) = (try freeLoopbackPort(), try freeLoopbackPort())
        return try rewrite(
            try shipped(file),
            [
                ("listen 80;", "listen 127.0.0.1:\(plain);"), ("listen [::]:80;", ""),
                ("listen 443 ssl http2;", "listen 127.0.0.1:\(tls) ssl http2;"), ("listen [::]:443 ssl http2;", ""),
                ("/etc/letsencrypt/live/tocsin.example.com/fullchain.pem", proxy.certificate),
                ("/etc/letsencrypt/live/tocsin.example.com/privkey.pem", proxy.key),
            ], file: file)
    }

    @Test("Debian's nginx accepts both shipped nginx configurations (nginx -t)")
    func nginxAcceptsTheShippedFiles() throws {
        let proxy = try ProxyDirectory()
        defer { proxy.remove() }
        for (name, site) in [
            ("deploy/reverse-proxy/nginx.conf", try Self.reverseProxySite(proxy)),
            ("deploy/high-availability/nginx-upstream.conf",
             try Self.highAvailabilitySite(proxy, upstreams: ["127.0.0.1:9797", "127.0.0.1:9798"], port: try freeLoopbackPort())),
        ] {
            try proxy.writeNginx(site: site)
            let result = try proxy.testNginx()
            #expect(result.status == 0 && result.output.contains("test is successful"), "\(name): \(result.output)")
        }
    }

    @Test("Debian's Caddy accepts both shipped Caddyfiles (caddy validate)", arguments: [
        "deploy/reverse-proxy/Caddyfile", "deploy/high-availability/Caddyfile",
    ])
    func caddyAcceptsTheShippedFiles(file: String) throws {
        let home = try TemporaryDirectory("tocsin-caddy")
        defer { home.remove() }
        let process = try BackgroundProcess(
            executable: "/usr/bin/caddy",
            arguments: ["validate", "--adapter", "caddyfile", "--config", Fixtures.repositoryRoot.appendingPathComponent(file).path],
            logPath: home.path("validate.log"),
            environment: ["HOME": home.path("home"), "XDG_DATA_HOME": home.path("data"), "XDG_CONFIG_HOME": home.path("config")])
        process.process.waitUntilExit()
        #expect(process.process.terminationStatus == 0 && process.log().contains("Valid configuration"), "\(file): \(process.log())")
    }

    /// `curl` through the proxy at `port`, trusting the test certificate: the HTTP status.
    static func curl(_ proxy: ProxyDirectory, port: Int, _ path: String, body: [UInt8]? = nil) throws -> Int {
        var arguments = [
            "-sS", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "10", "--cacert", proxy.certificate,
            "--resolve", "tocsin.example.com:\(port):127.0.0.1",
        ]
        if let body {
            let file = proxy.directory.path("body-\(UUID().uuidString).json")
            try Data(body).write(to: URL(fileURLWithPath: file))
            arguments += ["-X", "POST", "-H", "Content-Type: application/json", "--data-binary", "@" + file]
        }
        let result = try runToCompletion("/usr/bin/curl", arguments + ["https://tocsin.example.com:\(port)\(path)"])
        return Int(result.output.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
    }

    @Test("two instances on PostgreSQL behind the shipped nginx upstream: A killed, every webhook is still accepted and paged by B")
    func nginxCarriesOnThroughADeadInstance() async throws {
        try await TestPostgres.withDatabase { location in
            let world = try FailoverEndToEndTests.World(location: location)
            defer { world.stop() }
            let proxy = try ProxyDirectory()
            defer { proxy.remove() }
            let a = try world.start("a")
            let b = try world.start("b")
            let port = try freeLoopbackPort()
            let upstreams = [a, b].map { String($0.url.dropFirst("http://".count)) }
            try proxy.writeNginx(site: try Self.highAvailabilitySite(proxy, upstreams: upstreams, port: port))
            let nginx = try BackgroundProcess(
                executable: "/usr/sbin/nginx", arguments: ["-c", proxy.mainConfiguration, "-e", proxy.directory.path("error.log")],
                logPath: proxy.directory.path("nginx.log"))
            defer { nginx.stop() }
            try #require(eventually(within: 10) { (try? Self.curl(proxy, port: port, "/readyz")) == 200 }, "nginx answers: \(nginx.log())")
            #expect(try Self.curl(proxy, port: port, "/metrics") == 404, "metrics are scraped from each instance, not through the proxy")

            let first = Fixtures.webhook(labels: ["alertname": "Before", "severity": "critical"])
            #expect(try Self.curl(proxy, port: port, "/api/v1/ingest/alertmanager", body: first) == 200)
            #expect(eventually(within: 10) { world.pages()["alice"]?.count == 1 }, "the first incident pages alice")

            _ = a.stop(signal: SIGKILL)
            // Round robin sends every other request to the dead A: nginx passes each one on to B.
            var statuses: [Int] = []
            for index in 0..<6 {
                let body = Fixtures.webhook(labels: ["alertname": "After\(index)", "severity": "critical"])
                statuses.append(try Self.curl(proxy, port: port, "/api/v1/ingest/alertmanager", body: body))
            }
            #expect(statuses == Array(repeating: 200, count: 6), "ingest through nginx with A dead: \(statuses)")
            #expect(try (0..<4).map { _ in try Self.curl(proxy, port: port, "/readyz") } == [200, 200, 200, 200])
            func alicePages() -> Int { Set((world.pages()["alice"] ?? []).map(\.key)).count }
            #expect(eventually(within: 15) { alicePages() == 7 }, "B pages alice for each of the six: \(alicePages()) pages in all")
            let incidents = try await TestPostgres.rows("SELECT count(*)::text FROM incidents", on: location)
            #expect(incidents == [["7"]])
            print("nginx in front of two instances, A killed: ingest statuses \(statuses), \(alicePages()) distinct pages to alice")
        }
    }
}
