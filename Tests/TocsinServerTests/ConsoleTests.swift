import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing
import TocsinCore
@testable import TocsinServer
import TocsinStore
import TocsinTestSupport

/// The web console under `/ui`, through the real server: signing in and out, sessions, the form
/// token, the security headers, escaping of what senders put in alerts, the forms, and page weight.
@Suite("Web console")
struct ConsoleTests {
    // MARK: Helpers

    /// Characters left as they are in a form value; everything else is percent-encoded.
    static let formSafe = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    /// `fields` as an `application/x-www-form-urlencoded` body.
    static func encoded(_ fields: [String: String]) -> String {
        fields.sorted { $0.key < $1.key }.map { field in
            let name = field.key.addingPercentEncoding(withAllowedCharacters: formSafe) ?? ""
            let value = field.value.addingPercentEncoding(withAllowedCharacters: formSafe) ?? ""
            return "\(name)=\(value)"
        }.joined(separator: "&")
    }

    /// The text after `marker` up to the next double quote (an attribute's value).
    static func value(after marker: String, in text: String) -> String? {
        guard let start = text.range(of: marker) else { return nil }
        return String(text[start.upperBound...].prefix { $0 != "\"" })
    }

    /// The session's form token, as a page carries it in its forms.
    static func csrf(in html: String) -> String? {
        value(after: #"name="csrf" value=""#, in: html)
    }

    /// A header by its name, for the ones HTTPTypes has no constant for.
    static func header(_ response: TestResponse, _ name: String) -> String? {
        HTTPField.Name(name).flatMap { response.headers[$0] }
    }

    /// Every `href` of a page, in order.
    static func links(in html: String) -> [String] {
        html.components(separatedBy: #"href=""#).dropFirst().map { rest in String(rest.prefix { $0 != "\"" }) }
    }

    /// The `Set-Cookie` header's name-value pair and attributes, trimmed.
    static func cookieAttributes(_ response: TestResponse) -> [String] {
        (response.headers[.setCookie] ?? "").split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
    }

    /// POSTs the sign-in form with `token`.
    func postLogin(_ server: LiveServer, token: String) async throws -> TestResponse {
        try await server.client.execute(
            uri: "/ui/login", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
            body: ByteBuffer(string: Self.encoded(["token": token])))
    }

    /// Signs in with `token`: the cookie to send back (`tocsin_session=…`) and the session's form token.
    func signIn(_ server: LiveServer, token: String) async throws -> (cookie: String, csrf: String) {
        let response = try await postLogin(server, token: token)
        #expect(response.status == .seeOther)
        let setCookie = try #require(response.headers[.setCookie])
        let cookie = try #require(setCookie.split(separator: ";").first.map { String($0) })
        #expect(cookie.hasPrefix(ConsoleSessionCookie.name + "="))
        let page = try await get(server, "/ui/incidents", cookie: cookie)
        #expect(page.status == .ok)
        let csrf = try #require(Self.csrf(in: String(buffer: page.body)))
        return (cookie, csrf)
    }

    /// GETs `path`, with the session cookie when given.
    func get(_ server: LiveServer, _ path: String, cookie: String? = nil) async throws -> TestResponse {
        var headers: HTTPFields = [:]
        if let cookie { headers[.cookie] = cookie }
        return try await server.client.execute(uri: path, method: .get, headers: headers)
    }

    /// POSTs a console form with the session cookie (and `extra` headers, e.g. an `Origin`).
    func form(
        _ server: LiveServer, path: String, cookie: String?, fields: [String: String], headers extra: HTTPFields = [:]
    ) async throws -> TestResponse {
        var headers = extra
        headers[.contentType] = "application/x-www-form-urlencoded"
        if let cookie { headers[.cookie] = cookie }
        return try await server.client.execute(
            uri: path, method: .post, headers: headers, body: ByteBuffer(string: Self.encoded(fields)))
    }

    /// The critical fixture as incident #1, escalated as far as the first step (alice paged).
    func opened(_ server: LiveServer) async throws {
        #expect(try await server.ingest(try Fixtures.data("webhook-01-firing-critical-single")).status == .ok)
        try await server.server.escalator.tick()
    }

    /// An Alertmanager webhook (version 4) of one firing alert, shaped like the captured fixtures.
    static func alertmanagerPayload(groupKey: String, labels: [String: String], annotations: [String: String]) throws -> Data {
        let alert: [String: Any] = [
            "status": "firing", "labels": labels, "annotations": annotations, "startsAt": "2026-11-26T23:32:42Z",
            "endsAt": "0001-01-01T00:00:00Z", "generatorURL": "http://prometheus.example.test:9090/graph",
        ]
        let body: [String: Any] = [
            "receiver": "oncall-critical", "status": "firing", "alerts": [alert],
            "groupLabels": ["alertname": labels["alertname"] ?? "Test"], "commonLabels": labels, "commonAnnotations": annotations,
            "externalURL": "http://127.0.0.1:19093", "version": "4", "groupKey": groupKey, "truncatedAlerts": 0,
        ]
        return try JSONSerialization.data(withJSONObject: body)
    }

    /// Expects the console's security headers on `response`.
    func expectSecurityHeaders(_ response: TestResponse, _ what: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        let policy = response.headers[.contentSecurityPolicy] ?? ""
        #expect(policy.contains("default-src 'none'"), "\(what): \(policy)", sourceLocation: sourceLocation)
        #expect(policy.contains("script-src 'self'"), "\(what): \(policy)", sourceLocation: sourceLocation)
        #expect(!policy.contains("unsafe-inline"), "\(what): \(policy)", sourceLocation: sourceLocation)
        #expect(Self.header(response, "X-Frame-Options") == "DENY", "\(what)", sourceLocation: sourceLocation)
        #expect(Self.header(response, "Referrer-Policy") == "same-origin", "\(what)", sourceLocation: sourceLocation)
        #expect(response.headers[.xContentTypeOptions] == "nosniff", "\(what)", sourceLocation: sourceLocation)
    }

    /// What in a template the content security policy would block or a reviewer should not have to
    /// read twice: `<script>` with a body or without `src`, `<style>`, `style=` and `on…=` attributes.
    static func inlineCode(in text: String) -> [String] {
        var found: [String] = []
        var rest = Substring(text)
        while let start = rest.range(of: "<script") {
            let element = rest[start.lowerBound...]
            guard let open = element.firstIndex(of: ">"), let close = element.range(of: "</script>"), open < close.lowerBound
            else {
                found.append("an unclosed <script")
                break
            }
            let body = element[element.index(after: open)..<close.lowerBound]
            if !element[..<open].contains(" src=") || !body.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                found.append(String(element[..<close.upperBound]))
            }
            rest = element[close.upperBound...]
        }
        for style in ["<style", " style="] where text.lowercased().contains(style) {
            found.append(style)
        }
        // An event handler attribute: whitespace, `on`, letters, `=`.
        let bytes = Array(text.lowercased().utf8)
        let spaces: Set<UInt8> = [UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\t"), UInt8(ascii: "\r")]
        var index = 0
        while index + 3 < bytes.count {
            if spaces.contains(bytes[index]), bytes[index + 1] == UInt8(ascii: "o"), bytes[index + 2] == UInt8(ascii: "n") {
                var end = index + 3
                while end < bytes.count, (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(bytes[end]) { end += 1 }
                if end > index + 3, end < bytes.count, bytes[end] == UInt8(ascii: "=") {
                    found.append(String(decoding: bytes[index...end], as: UTF8.self))
                }
            }
            index += 1
        }
        return found
    }

    /// The form controls of a page that are not hidden (how many), those with neither a
    /// `<label for>` naming their id nor an enclosing `<label>`, and ids used more than once.
    static func labelProblems(in html: String) -> (controls: Int, unlabelled: [String], duplicateIDs: [String]) {
        var controls = 0
        var unlabelled: [String] = []
        for name in ["<input", "<select", "<textarea"] {
            var from = html.startIndex
            while let start = html.range(of: name, range: from..<html.endIndex) {
                from = start.upperBound
                let tag = String(html[start.lowerBound...].prefix { $0 != ">" })
                if tag.contains(#"type="hidden""#) { continue }
                controls += 1
                let before = html[..<start.lowerBound]
                if let label = before.range(of: "<label", options: .backwards) {
                    let closedAt = before.range(of: "</label>", options: .backwards)?.lowerBound
                    if closedAt.map({ $0 < label.lowerBound }) ?? true { continue }
                }
                if let id = value(after: #" id=""#, in: tag), !id.isEmpty, html.contains(#"<label for="\#(id)""#) { continue }
                unlabelled.append(tag)
            }
        }
        var ids: [String: Int] = [:]
        var rest = Substring(html)
        while let start = rest.range(of: #" id=""#) {
            let id = String(rest[start.upperBound...].prefix { $0 != "\"" })
            ids[id, default: 0] += 1
            rest = rest[start.upperBound...]
        }
        return (controls, unlabelled, ids.filter { $0.value > 1 }.keys.sorted())
    }

    /// A moment as a browser's `datetime-local` value in `zone` (to the minute), and the instant that value names there.
    static func localTime(_ date: Date, in zone: TimeZone) throws -> (text: String, date: Date) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        func two(_ number: Int?) -> String { (number ?? 0) < 10 ? "0\(number ?? 0)" : "\(number ?? 0)" }
        let text = "\(parts.year ?? 0)-\(two(parts.month))-\(two(parts.day))T\(two(parts.hour)):\(two(parts.minute))"
        return (text, try #require(calendar.date(from: parts)))
    }

    // MARK: Assets

    @Test("the templates, stylesheet and script in the binary are the files in console/, and every template parses")
    func embeddedAssets() throws {
        let folders: [(folder: String, suffix: String, embedded: [(name: String, text: String)])] = [
            ("console/templates", ".mustache", ConsoleAssets.templates), ("console/static", "", ConsoleAssets.files),
        ]
        for (folder, suffix, embedded) in folders {
            let directory = Fixtures.repositoryRoot.appendingPathComponent(folder)
            let files = try FileManager.default.contentsOfDirectory(atPath: directory.path)
                .filter { $0.hasSuffix(suffix) && !$0.hasPrefix(".") }.sorted()
            let names = files.map { String($0.dropLast(suffix.count)) }
            #expect(names == embedded.map { $0.name }.sorted(), "\(folder) differs from the binary; run scripts/embed-console")
            let texts = Dictionary(embedded.map { ($0.name, $0.text) }, uniquingKeysWith: { first, _ in first })
            for (file, name) in zip(files, names) {
                let text = try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
                let binary = texts[name]?.trimmingCharacters(in: .whitespacesAndNewlines)
                #expect(
                    binary == text.trimmingCharacters(in: .whitespacesAndNewlines),
                    "\(folder)/\(file) differs from the binary; run scripts/embed-console")
            }
        }
        let library = try ConsoleAssets.library()
        for template in ConsoleAssets.templates {
            #expect(library.getTemplate(named: template.name) != nil, "\(template.name)")
        }
        let pages = ["login", "incidents", "incident", "oncall", "deliveries", "heartbeats", "maintenance", "message"]
        #expect(Set(pages).isSubset(of: Set(ConsoleAssets.templates.map { $0.name })))
        #expect(Set(ConsoleAssets.staticFiles.keys).isSuperset(of: ["console.css", "console.js"]))
    }

    @Test("no template carries inline script, inline style or an event handler attribute (the CSP would block them)")
    func noInlineCode() {
        for template in ConsoleAssets.templates {
            #expect(Self.inlineCode(in: template.text).isEmpty, "\(template.name): \(Self.inlineCode(in: template.text))")
        }
        // The scanner itself finds what it looks for.
        #expect(Self.inlineCode(in: #"<p onclick="x()">"#) == [#" onclick="#])
        #expect(Self.inlineCode(in: "<script>alert(1)</script>").count == 1)
        #expect(Self.inlineCode(in: #"<p style="color: red">"#) == [" style="])
        #expect(Self.inlineCode(in: #"<script src="/ui/static/console.js" defer></script> on call"#).isEmpty)
    }

    // MARK: Signing in

    @Test("without a session every page sends the browser to the sign-in form, which has a labelled token field")
    func signedOut() async throws {
        try await LiveServer.run(policies: EscalationTests.shipped) { server in
            for path in ["/ui/incidents", "/ui/incidents/1", "/ui/oncall"] {
                let response = try await get(server, path)
                #expect(response.status == .seeOther, "\(path)")
                // The page asked for comes back after signing in.
                let encoded = path.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
                #expect(response.headers[.location] == "/ui/login?next=\(encoded)", "\(path)")
            }
            let root = try await get(server, "/")
            #expect(root.status == .seeOther)
            #expect(root.headers[.location] == "/ui/incidents")

            let login = try await get(server, "/ui/login")
            #expect(login.status == .ok)
            #expect(login.headers[.contentType] == "text/html; charset=utf-8")
            let html = String(buffer: login.body)
            #expect(html.contains(#"<input id="token" name="token""#))
            #expect(html.contains(#"<label for="token""#))
            #expect(!html.contains(#"name="csrf""#), "no form token before a session")
        }
    }

    @Test("an unknown token is refused with the form again, no cookie, no session and an audit event")
    func unknownToken() async throws {
        try await LiveServer.run(policies: EscalationTests.shipped) { server in
            let unknown = APIToken.generate()
            let response = try await postLogin(server, token: unknown)
            #expect(response.status == .unauthorized)
            #expect(response.headers[.contentType] == "text/html; charset=utf-8")
            #expect(response.headers[.setCookie] == nil)
            let html = String(buffer: response.body)
            #expect(html.contains("unknown or revoked"))
            #expect(html.contains(#"<input id="token" name="token""#))
            #expect(!html.contains(unknown), "the token is not echoed")
            #expect(try await server.store.liveConsoleSessionCount(now: server.clock.now) == 0)
            let failures = try await server.store.auditEvents(since: Date(timeIntervalSince1970: 0))
                .filter { $0.kind == .authenticationFailed }
            #expect(failures.count == 1)
            #expect(failures.first?.detail.contains("console") == true, "\(failures.first?.detail ?? "")")
            #expect(failures.first?.detail.contains(unknown) == false)

            let empty = try await postLogin(server, token: "")
            #expect(empty.status == .badRequest)
            #expect(empty.headers[.setCookie] == nil)
        }
    }

    @Test("a good token gets a strict, HttpOnly cookie on /ui for the session's lifetime; the token is never shown")
    func goodToken() async throws {
        try await LiveServer.run(policies: EscalationTests.shipped) { server in
            let response = try await postLogin(server, token: server.token)
            #expect(response.status == .seeOther)
            #expect(response.headers[.location] == "/ui/incidents")
            #expect(response.headers[.location]?.contains(server.token) == false)
            #expect(!String(buffer: response.body).contains(server.token))
            let setCookie = try #require(response.headers[.setCookie])
            let attributes = Self.cookieAttributes(response)
            for attribute in ["HttpOnly", "SameSite=Strict", "Path=/ui", "Max-Age=43200"] {
                #expect(attributes.contains(attribute), "\(setCookie)")
            }
            #expect(!attributes.contains("Secure"), "\(setCookie)")
            let pair = try #require(attributes.first)
            let secret = String(pair.dropFirst(ConsoleSessionCookie.name.count + 1))
            #expect(secret.count == 64 && secret != server.token)

            let page = try await get(server, "/ui/incidents", cookie: pair)
            #expect(page.status == .ok)
            #expect(!String(buffer: page.body).contains(server.token))
            #expect(String(buffer: page.body).contains("Sign out alice"))
            #expect(try await server.store.liveConsoleSessionCount(now: server.clock.now) == 1)
            let snapshot = try await DatabaseSnapshot.take(server.store)
            #expect(!snapshot.contains { $0.contains(secret) || $0.contains(server.token) }, "only hashes are stored")
            let trail = try await server.store.auditEvents(since: Date(timeIntervalSince1970: 0))
            #expect(trail.contains { $0.kind == .consoleSignedIn && $0.actor == "alice" })
        }
    }

    @Test("behind https the cookie is Secure, and its Max-Age follows the session lifetime")
    func secureCookie() async throws {
        try await LiveServer.run(sessionLifetime: 3600, secureCookies: true) { server in
            let response = try await postLogin(server, token: server.token)
            #expect(response.status == .seeOther)
            let attributes = Self.cookieAttributes(response)
            #expect(attributes.contains("Secure"), "\(attributes)")
            #expect(attributes.contains("Max-Age=3600"), "\(attributes)")
            #expect(attributes.contains("HttpOnly") && attributes.contains("SameSite=Strict"), "\(attributes)")
        }
    }

    // MARK: Headers

    @Test("the sign-in page, signed-in pages, error pages and static files carry the security headers")
    func securityHeaders() async throws {
        try await LiveServer.run(policies: EscalationTests.shipped) { server in
            let login = try await get(server, "/ui/login")
            expectSecurityHeaders(login, "login")
            let session = try await signIn(server, token: server.token)
            let incidents = try await get(server, "/ui/incidents", cookie: session.cookie)
            expectSecurityHeaders(incidents, "incidents")

            let missing = try await get(server, "/ui/incidents/999", cookie: session.cookie)
            #expect(missing.status == .notFound)
            #expect(missing.headers[.contentType] == "text/html; charset=utf-8", "an HTML page, not the API's JSON")
            let html = String(buffer: missing.body)
            #expect(html.contains("Not found"), "\(html)")
            #expect(!html.hasPrefix("{"))
            expectSecurityHeaders(missing, "404")

            let types = ["console.css": "text/css; charset=utf-8", "console.js": "text/javascript; charset=utf-8"]
            for (file, asset) in ConsoleAssets.staticFiles.sorted(by: { $0.key < $1.key }) {
                let response = try await get(server, "/ui/static/\(file)")
                #expect(response.status == .ok, "\(file)")
                #expect(response.headers[.contentType] == (types[file] ?? asset.contentType), "\(file)")
                #expect(String(buffer: response.body) == asset.body, "\(file)")
                expectSecurityHeaders(response, file)
            }
        }
    }

    // MARK: Forms

    @Test("acknowledging through the form: the incident is alice's, the timeline says console, the page says so")
    func acknowledge() async throws {
        try await LiveServer.run(policies: EscalationTests.shipped) { server in
            try await opened(server)
            let session = try await signIn(server, token: server.token)
            let page = String(buffer: try await get(server, "/ui/incidents/1", cookie: session.cookie).body)
            #expect(page.contains(#"action="/ui/incidents/1/ack""#))

            let response = try await form(
                server, path: "/ui/incidents/1/ack", cookie: session.cookie, fields: ["csrf": session.csrf, "note": "on it"])
            #expect(response.status == .seeOther, "\(String(buffer: response.body))")
            let location = try #require(response.headers[.location])
            #expect(location == "/ui/incidents/1?done=acknowledged")

            let detail = try await server.store.incident(id: 1)
            #expect(detail.incident.state == .acknowledged)
            #expect(detail.incident.acknowledgedBy == "alice")
            let event = try #require(detail.timeline.last { $0.kind == .acknowledged })
            #expect(event.channel == "console")
            #expect(event.actor == "alice")
            #expect(event.note?.contains("on it") == true, "\(event.note ?? "")")
            let audit = try await server.store.auditEvents(since: Date(timeIntervalSince1970: 0))
                .filter { $0.kind == .incidentAcknowledged }
            #expect(audit.count == 1 && audit.first?.source == "console" && audit.first?.actor == "alice")

            let after = try await get(server, location, cookie: session.cookie)
            #expect(after.status == .ok)
            let html = String(buffer: after.body)
            #expect(html.contains("Acknowledged."))
            #expect(!html.contains(#"action="/ui/incidents/1/ack""#), "no Acknowledge button on an acknowledged incident")
            #expect(html.contains(#"action="/ui/incidents/1/resolve""#))
        }
    }

    @Test("a post without the form token, with another session's, or from another origin is a 403 page that changes nothing")
    func forgedPosts() async throws {
        try await LiveServer.run(policies: EscalationTests.shipped) { server in
            try await opened(server)
            let session = try await signIn(server, token: server.token)
            let before = try await DatabaseSnapshot.takeExceptAudit(server.store)
            let evil: HTTPFields = [.origin: "http://evil.example"]
            let attempts: [(String, [String: String], HTTPFields, String)] = [
                ("no token", ["note": "x"], [:], "no form token"),
                ("wrong token", ["csrf": String(repeating: "0", count: session.csrf.count)], [:], "is not this session"),
                ("another origin", ["csrf": session.csrf, "note": "x"], evil, "another origin"),
            ]
            for (name, fields, headers, reason) in attempts {
                let response = try await form(
                    server, path: "/ui/incidents/1/ack", cookie: session.cookie, fields: fields, headers: headers)
                #expect(response.status == .forbidden, "\(name)")
                #expect(response.headers[.contentType] == "text/html; charset=utf-8", "\(name)")
                #expect(String(buffer: response.body).contains(reason), "\(name): \(String(buffer: response.body))")
                expectSecurityHeaders(response, name)
            }
            let signedOut = try await form(server, path: "/ui/incidents/1/ack", cookie: nil, fields: ["csrf": session.csrf])
            #expect(signedOut.status == .seeOther && signedOut.headers[.location] == "/ui/login")
            #expect(try await DatabaseSnapshot.takeExceptAudit(server.store) == before)
            #expect(try await server.store.incident(id: 1).incident.state == .triggered)

            // The same form with the session's token and no foreign origin does act.
            let good = try await form(server, path: "/ui/incidents/1/ack", cookie: session.cookie, fields: ["csrf": session.csrf])
            #expect(good.status == .seeOther)
            #expect(try await server.store.incident(id: 1).incident.state == .acknowledged)
        }
    }

    @Test("a read-only token sees no forms, and its posts are refused with 403 and change nothing")
    func readOnly() async throws {
        try await LiveServer.run(policies: EscalationTests.shipped) { server in
            try await opened(server)
            let viewer = APIToken.generate()
            _ = try await server.store.addUser(
                name: "viewer", email: "viewer@example.com", tokenHash: APIToken.hash(viewer), scopes: [.read],
                now: server.clock.now)
            let session = try await signIn(server, token: viewer)
            let page = try await get(server, "/ui/incidents/1", cookie: session.cookie)
            #expect(page.status == .ok)
            let html = String(buffer: page.body)
            #expect(html.contains("#1 Disk almost full on db1"))
            #expect(!html.contains(#"<form method="post" action="/ui/incidents/1/"#))
            let onCall = String(buffer: try await get(server, "/ui/oncall", cookie: session.cookie).body)
            #expect(!onCall.contains(#"action="/ui/overrides""#))

            let before = try await DatabaseSnapshot.takeExceptAudit(server.store)
            let response = try await form(
                server, path: "/ui/incidents/1/resolve", cookie: session.cookie, fields: ["csrf": session.csrf])
            #expect(response.status == .forbidden)
            #expect(response.headers[.contentType] == "text/html; charset=utf-8")
            #expect(try await DatabaseSnapshot.takeExceptAudit(server.store) == before)
            #expect(try await server.store.incident(id: 1).incident.state == .triggered)
        }
    }

    @Test("what a sender puts in an alert is shown as text: no script, no element, no attribute, no javascript: link")
    func hostileAlert() async throws {
        try await LiveServer.run(policies: EscalationTests.shipped) { server in
            let payload = try Self.alertmanagerPayload(
                groupKey: #"{}:{alertname="Hostile"}"#,
                labels: ["alertname": "Hostile", "severity": "warning", "team": #"" onmouseover="alert(4)"#],
                annotations: [
                    "summary": "<script>alert(1)</script>", "description": #""><img src=x onerror=alert(2)>"#,
                    "runbook_url": "javascript:alert(3)",
                ])
            let ingested = try await server.ingest(payload)
            #expect(ingested.status == .ok, "\(String(buffer: ingested.body))")
            let session = try await signIn(server, token: server.token)
            let incident = String(buffer: try await get(server, "/ui/incidents/1", cookie: session.cookie).body)
            let list = String(buffer: try await get(server, "/ui/incidents", cookie: session.cookie).body)
            for (name, html) in [("incident", incident), ("list", list)] {
                for raw in ["<script>alert", "<img src=x", #"href="javascript:"#, #"" onmouseover=""#] {
                    #expect(!html.contains(raw), "\(name) carries \(raw)")
                }
                #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "\(name)")
            }
            #expect(incident.contains("&quot; onmouseover=&quot;alert(4)"))
            #expect(incident.contains("&lt;img src=x"))
            #expect(!incident.contains(">Runbook</a>"), "a javascript: runbook is not linked")
        }
    }

    // MARK: Sessions

    @Test("a session ends when its lifetime is over")
    func sessionExpires() async throws {
        try await LiveServer.run(policies: EscalationTests.shipped) { server in
            let session = try await signIn(server, token: server.token)
            server.clock.advance(by: 12 * 3600 - 60)
            #expect(try await get(server, "/ui/incidents", cookie: session.cookie).status == .ok)
            server.clock.advance(by: 61)
            let response = try await get(server, "/ui/incidents", cookie: session.cookie)
            #expect(response.status == .seeOther)
            #expect(response.headers[.location] == "/ui/login?next=%2Fui%2Fincidents")
            #expect(try await server.store.liveConsoleSessionCount(now: server.clock.now) == 0)
        }
    }

    @Test("signing in from a page's link leads back to that page; a next that leaves the console is ignored")
    func returnPath() async throws {
        try await LiveServer.run(policies: EscalationTests.shipped) { server in
            let login = try await get(server, "/ui/login?next=%2Fui%2Fincidents%2F7")
            #expect(String(buffer: login.body).contains(#"name="next" value="/ui/incidents/7""#))
            for (next, expected) in [("/ui/incidents/7", "/ui/incidents/7"), ("https://evil.example/", "/ui/incidents"),
                                     ("//evil.example/ui/", "/ui/incidents"), ("/ui//evil", "/ui/incidents")] {
                let response = try await form(server, path: "/ui/login", cookie: nil, fields: ["token": server.token, "next": next])
                #expect(response.status == .seeOther && response.headers[.location] == expected, "\(next)")
            }
        }
    }

    @Test("a link followed from another site reopens itself from this one, so the SameSite=Strict cookie comes along")
    func crossSiteLink() async throws {
        try await LiveServer.run(policies: EscalationTests.shipped) { server in
            let response = try await server.client.execute(
                uri: "/ui/incidents/3", method: .get, headers: [HTTPField.Name("Sec-Fetch-Site")!: "cross-site"])
            #expect(response.status == .ok)
            let body = String(buffer: response.body)
            #expect(body.contains(#"<meta http-equiv="refresh" content="0;url=/ui/incidents/3">"#), "\(body)")
            expectSecurityHeaders(response, "reopen page")
        }
    }

    @Test("a token that may only send alerts does not sign in, and nothing is stored")
    func ingestOnlyToken() async throws {
        try await LiveServer.run(policies: EscalationTests.shipped) { server in
            let token = APIToken.generate()
            _ = try await server.store.addUser(
                name: "am", email: "am@example.com", tokenHash: APIToken.hash(token), scopes: [.ingest], now: server.clock.now)
            let response = try await postLogin(server, token: token)
            #expect(response.status == .forbidden)
            #expect(String(buffer: response.body).contains("may not read incidents"))
            #expect(response.headers[.setCookie] == nil)
            #expect(try await server.store.liveConsoleSessionCount(now: server.clock.now) == 0)
        }
    }

    @Test("revoking the token ends the sessions it started")
    func revokedToken() async throws {
        try await LiveServer.run(policies: EscalationTests.shipped) { server in
            let session = try await signIn(server, token: server.token)
            _ = try await server.store.revokeTokens(userName: "alice", now: server.clock.now)
            let response = try await get(server, "/ui/incidents", cookie: session.cookie)
            #expect(response.status == .seeOther)
            #expect(response.headers[.location] == "/ui/login?next=%2Fui%2Fincidents")
            #expect(try await server.store.liveConsoleSessionCount(now: server.clock.now) == 0)
            #expect(try await postLogin(server, token: server.token).status == .unauthorized, "nor can it start another")
        }
    }

    @Test("signing out ends the session in the database and in the browser")
    func signOut() async throws {
        try await LiveServer.run(policies: EscalationTests.shipped) { server in
            let session = try await signIn(server, token: server.token)
            let response = try await form(server, path: "/ui/logout", cookie: session.cookie, fields: ["csrf": session.csrf])
            #expect(response.status == .seeOther)
            #expect(response.headers[.location] == "/ui/login")
            let attributes = Self.cookieAttributes(response)
            #expect(attributes.first == ConsoleSessionCookie.name + "=", "\(attributes)")
            #expect(attributes.contains("Max-Age=0"), "\(attributes)")

            let after = try await get(server, "/ui/incidents", cookie: session.cookie)
            #expect(after.status == .seeOther)
            #expect(after.headers[.location] == "/ui/login?next=%2Fui%2Fincidents")
            #expect(try await server.store.liveConsoleSessionCount(now: server.clock.now) == 0)
            let trail = try await server.store.auditEvents(since: Date(timeIntervalSince1970: 0))
            #expect(trail.contains { $0.kind == .consoleSignedOut && $0.actor == "alice" })
        }
    }

    // MARK: Overrides

    @Test("an override through the on-call form is stored at the instant meant in the zone it was given in")
    func overrideForm() async throws {
        try await LiveServer.run(policies: EscalationTests.shipped) { server in
            let session = try await signIn(server, token: server.token)
            let now = server.clock.now
            let london = try #require(TimeZone(identifier: "Europe/London"))
            let sydney = try #require(TimeZone(identifier: "Australia/Sydney"))
            let from = try Self.localTime(now.addingTimeInterval(3600), in: london)
            let until = try Self.localTime(now.addingTimeInterval(3 * 3600), in: london)
            let response = try await form(
                server, path: "/ui/overrides", cookie: session.cookie,
                fields: [
                    "csrf": session.csrf, "schedule": "primary", "person": "carol", "from": from.text, "until": until.text,
                    "zone": "Europe/London", "note": "swap",
                ])
            #expect(response.status == .seeOther, "\(String(buffer: response.body))")
            #expect(response.headers[.location] == "/ui/oncall?done=override-added")
            var stored = try await server.store.overrides(endingAfter: nil)
            #expect(stored.count == 1)
            let first = try #require(stored.first)
            #expect(first.schedule == "primary" && first.person == "carol" && first.note == "swap" && first.createdBy == "alice")
            #expect(first.startsAt == from.date, "\(first.startsAt) != \(from.date) (\(from.text) in London)")
            #expect(first.endsAt == until.date)

            // In a zone away from UTC the same form names another instant: the zone is not ignored.
            let laterFrom = try Self.localTime(now.addingTimeInterval(4 * 3600), in: sydney)
            let laterUntil = try Self.localTime(now.addingTimeInterval(6 * 3600), in: sydney)
            let later = try await form(
                server, path: "/ui/overrides", cookie: session.cookie,
                fields: [
                    "csrf": session.csrf, "schedule": "primary", "person": "bob", "from": laterFrom.text,
                    "until": laterUntil.text, "zone": "Australia/Sydney",
                ])
            #expect(later.status == .seeOther, "\(String(buffer: later.body))")
            stored = try await server.store.overrides(endingAfter: nil)
            #expect(stored.first { $0.person == "bob" }?.startsAt == laterFrom.date, "\(laterFrom.text) in Sydney")

            let page = String(buffer: try await get(server, "/ui/oncall?done=override-added", cookie: session.cookie).body)
            #expect(page.contains("Override added."))
            #expect(page.contains("carol on primary"))
        }
    }

    @Test("a bad override is a 400 page naming the problem, and nothing is stored", arguments: [
        ("until before from", "until must be after from"), ("unknown zone", "unknown time zone"),
        ("not a time", "from must be a date"),
    ])
    func badOverride(_ name: String, problem: String) async throws {
        try await LiveServer.run(policies: EscalationTests.shipped) { server in
            let session = try await signIn(server, token: server.token)
            let london = try #require(TimeZone(identifier: "Europe/London"))
            let early = try Self.localTime(server.clock.now.addingTimeInterval(3600), in: london).text
            let late = try Self.localTime(server.clock.now.addingTimeInterval(3 * 3600), in: london).text
            var fields = [
                "csrf": session.csrf, "schedule": "primary", "person": "carol", "from": early, "until": late,
                "zone": "Europe/London",
            ]
            switch name {
            case "until before from":
                fields["from"] = late
                fields["until"] = early
            case "unknown zone": fields["zone"] = "Mars/Base"
            default: fields["from"] = "tomorrow"
            }
            let before = try await DatabaseSnapshot.takeExceptAudit(server.store)
            let response = try await form(server, path: "/ui/overrides", cookie: session.cookie, fields: fields)
            #expect(response.status == .badRequest)
            #expect(response.headers[.contentType] == "text/html; charset=utf-8")
            #expect(String(buffer: response.body).contains(problem), "\(String(buffer: response.body))")
            #expect(try await DatabaseSnapshot.takeExceptAudit(server.store) == before)
        }
    }

    // MARK: Pages

    @Test("with a thousand open incidents the list is a page of 50 under 50 KB with a link to older ones")
    func pageWeight() async throws {
        try await LiveServer.run { server in
            for index in 1...1_000 {
                let body = Fixtures.webhook(
                    labels: ["alertname": "Load\(index)", "instance": "host\(index):9100", "severity": "warning"],
                    annotations: [
                        "summary": "Load high on host\(index)", "description": "The 5-minute load is above 8 on host\(index).",
                    ])
                let batch = try AlertmanagerWebhook.decode(body, receivedAt: server.clock.now)
                _ = try await server.store.ingest(batch, now: server.clock.now)
            }
            let session = try await signIn(server, token: server.token)
            let list = try await get(server, "/ui/incidents", cookie: session.cookie)
            #expect(list.status == .ok)
            #expect(list.body.readableBytes < 50_000, "\(list.body.readableBytes) bytes")
            let html = String(buffer: list.body)
            let shown = Set(Self.links(in: html).filter { $0.hasPrefix("/ui/incidents/") })
            #expect(shown == Set((951...1_000).map { "/ui/incidents/\($0)" }), "the newest 50: \(shown.count) shown")
            #expect(html.contains("Older incidents"))
            let older = try #require(Self.links(in: html).first { $0.contains("before=") })
            let next = try await get(server, older.replacingOccurrences(of: "&amp;", with: "&"), cookie: session.cookie)
            #expect(next.status == .ok)
            let nextShown = Set(Self.links(in: String(buffer: next.body)).filter { $0.hasPrefix("/ui/incidents/") })
            #expect(nextShown == Set((901...950).map { "/ui/incidents/\($0)" }), "\(older): \(nextShown.count) shown")

            let incident = try await get(server, "/ui/incidents/500", cookie: session.cookie)
            #expect(incident.status == .ok)
            #expect(incident.body.readableBytes < 50_000, "\(incident.body.readableBytes) bytes")
        }
    }

    @Test("every page opens as UTF-8 HTML, and every visible form control has a label")
    func pagesAndLabels() async throws {
        try await LiveServer.run(policies: EscalationTests.shipped) { server in
            try await opened(server)
            let session = try await signIn(server, token: server.token)
            var controls = 0
            let pages = ["/ui/incidents", "/ui/incidents/1", "/ui/oncall", "/ui/deliveries", "/ui/heartbeats", "/ui/maintenance"]
            for path in pages {
                let response = try await get(server, path, cookie: session.cookie)
                #expect(response.status == .ok, "\(path)")
                #expect(response.headers[.contentType] == "text/html; charset=utf-8", "\(path)")
                let problems = Self.labelProblems(in: String(buffer: response.body))
                #expect(problems.unlabelled.isEmpty, "\(path): \(problems.unlabelled)")
                #expect(problems.duplicateIDs.isEmpty, "\(path): \(problems.duplicateIDs)")
                controls += problems.controls
            }
            let login = Self.labelProblems(in: String(buffer: try await get(server, "/ui/login").body))
            #expect(login.controls == 1 && login.unlabelled.isEmpty)
            // The incident's forms (note, page target, message, notify) and the override form were all checked.
            #expect(controls >= 10, "\(controls)")
            // The checker itself finds an unlabelled control.
            #expect(Self.labelProblems(in: #"<input id="a" name="a">"#).unlabelled.count == 1)
            #expect(Self.labelProblems(in: #"<label for="a">A</label><input id="a" name="a">"#).unlabelled.isEmpty)
        }
    }
}
