import Foundation
import Logging
import TocsinCore
import TocsinDelivery

/// Runs a drill in real time against a running Tocsin server: registers a drill run, fires the
/// drill's alerts (labelled `tocsin_drill=<run id>`) at the ingest endpoint, performs the timed
/// actions through the API, captures the pages on a receiver of its own on 127.0.0.1, and in the
/// end resolves its incidents and finishes the run, whatever happened.
public struct LiveDrill: Sendable {
    /// How to reach the server and what the run may do.
    public struct Options: Sendable {
        public var serverURL: String
        public var token: String
        /// The bearer token of the ingest endpoint, when the server asks for one.
        public var ingestToken: String?
        /// Page the policies' real people and channels instead of the capture receiver.
        public var realTargets: Bool
        /// The shell command a `restart: tocsin` action runs (e.g. `systemctl restart tocsin`).
        public var restartCommand: String?
        /// How long to wait for the server to be ready again after a restart.
        public var readyTimeout: TimeInterval

        public init(
            serverURL: String, token: String, ingestToken: String? = nil, realTargets: Bool = false,
            restartCommand: String? = nil, readyTimeout: TimeInterval = 60
        ) {
            self.serverURL = serverURL.hasSuffix("/") ? String(serverURL.dropLast()) : serverURL
            self.token = token
            self.ingestToken = ingestToken
            self.realTargets = realTargets
            self.restartCommand = restartCommand
            self.readyTimeout = readyTimeout
        }
    }

    /// Why a live drill could not run (as opposed to running and missing an expectation).
    public struct Failure: Error, CustomStringConvertible, Sendable {
        /// What kind of failure, so the CLI can exit with the code it documents.
        public enum Kind: Sendable, Equatable {
            /// The server could not be reached.
            case unreachable
            /// The server answered with this HTTP status (401 and 403: the token was refused).
            case refused(status: Int)
            /// Anything else: the receiver, the restart command, a cancelled run.
            case other
        }

        public var message: String
        public var kind: Kind = .other
        public var description: String { message }
    }

    public var options: Options

    public init(options: Options) {
        self.options = options
    }

    /// Rejects a drill that cannot run live before anything is sent.
    public func check(_ drill: Drill) throws(Failure) {
        if drill.actions.contains(where: { $0.action == .restart }), options.restartCommand == nil {
            throw Failure(message: "drill \"\(drill.name)\" restarts Tocsin: pass --restart-command")
        }
    }

    public func run(_ drill: Drill) async throws(Failure) -> DrillReport {
        try check(drill)
        let receiver = DrillReceiver()
        let receiverURL: String
        do {
            receiverURL = try await receiver.start()
        } catch {
            throw Failure(message: "cannot start the capture receiver on 127.0.0.1: \(error)")
        }
        defer { receiver.stop() }
        struct StartBody: Encodable {
            var name: String
            var receiver_url: String
            var real_targets: Bool
        }
        let run: DrillRun = try api.decode(
            try await api.send("POST", "/api/v1/drills", StartBody(name: drill.name, receiver_url: receiverURL, real_targets: options.realTargets)))
        let start = Date()
        var state = RunState(start: start)
        receiver.begin(at: start)
        let outcome: Result<Void, Failure>
        do throws(Failure) {
            try await fire(drill, status: .firing, run: run, state: &state)
            for timed in drill.actions {
                try await sleep(until: start.addingTimeInterval(timed.at))
                try await perform(timed.action, drill: drill, run: run, receiver: receiver, start: start, state: &state)
            }
            try await sleep(until: start.addingTimeInterval(drill.duration))
            outcome = .success(())
        } catch {
            outcome = .failure(error)
        }
        let deliveries = receiver.deliveries
        let policies = await policyStarts(state, start: start)
        await cleanUp(drill, run: run, state: &state)
        try outcome.get()
        return DrillReport(drill: drill, mode: "live", runID: run.id, deliveries: deliveries, policies: policies)
    }

    /// Every policy that escalated the run's incidents, as the server tells it (none when it cannot).
    private func policyStarts(_ state: RunState, start: Date) async -> [DrillPolicyStart] {
        struct Detail: Decodable {
            struct Started: Decodable {
                var policy_name: String
                var started_at: Date
                var created_at: Date?
                var started_by: String?
            }
            var escalations: [Started]
        }
        var starts: [DrillPolicyStart] = []
        for id in state.incidents {
            guard let answer = try? await api.send("GET", "/api/v1/incidents/\(id)", Optional<String>.none),
                let detail: Detail = try? api.decode(answer)
            else { continue }
            starts += detail.escalations.map {
                DrillPolicyStart(
                    incidentID: id, policy: $0.policy_name, offset: max(0, ($0.created_at ?? $0.started_at).timeIntervalSince(start)),
                    startedBy: $0.started_by)
            }
        }
        return starts
    }

    /// What the run learned from the server as it went.
    struct RunState {
        /// When the drill started.
        var start: Date
        /// The drill's incidents, newest last.
        var incidents: [Int64] = []
    }

    private var api: LiveDrillAPI { LiveDrillAPI(options: options) }

    private func fire(_ drill: Drill, status: AlertStatus, run: DrillRun, state: inout RunState) async throws(Failure) {
        struct IngestAnswer: Decodable {
            var incident_ids: [Int64]
        }
        let now = Date()
        let webhook = drill.webhook(status: status, at: now, elapsed: now.timeIntervalSince(state.start), runID: run.id)
        let answer: IngestAnswer = try api.decode(
            try await api.send("POST", "/api/v1/ingest/alertmanager", webhook, token: options.ingestToken))
        for id in answer.incident_ids where !state.incidents.contains(id) {
            state.incidents.append(id)
        }
    }

    private func perform(
        _ action: Drill.Action, drill: Drill, run: DrillRun, receiver: DrillReceiver, start: Date, state: inout RunState
    ) async throws(Failure) {
        struct CommandBody: Encodable {
            var note: String
            var channel = "api"
        }
        switch action {
        case .acknowledge(let person):
            guard let id = state.incidents.last else { return }
            _ = try await api.send("POST", "/api/v1/incidents/\(id)/ack", CommandBody(note: "drill \(run.id): acknowledged as \(person)"), allowConflict: true)
        case .resolve(let person):
            guard let id = state.incidents.last else { return }
            _ = try await api.send("POST", "/api/v1/incidents/\(id)/resolve", CommandBody(note: "drill \(run.id): resolved as \(person)"), allowConflict: true)
        case .fire:
            try await fire(drill, status: .firing, run: run, state: &state)
        case .clear:
            try await fire(drill, status: .resolved, run: run, state: &state)
        case .receiverDown(let medium, let until):
            receiver.outages.down(medium: medium, until: start.addingTimeInterval(until))
        case .restart:
            try await restart()
        }
    }

    /// Runs the restart command, then waits until `/readyz` answers 200.
    private func restart() async throws(Failure) {
        guard let command = options.restartCommand else { return }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        do {
            try process.run()
        } catch {
            throw Failure(message: "cannot run the restart command: \(error)")
        }
        while process.isRunning {
            try? await Task.sleep(for: .milliseconds(50))
        }
        guard process.terminationStatus == 0 else {
            throw Failure(message: "the restart command exited with status \(process.terminationStatus)")
        }
        let deadline = Date().addingTimeInterval(options.readyTimeout)
        while Date() < deadline {
            if let answer = try? await api.send("GET", "/readyz", Optional<String>.none), answer.status == 200 { return }
            try? await Task.sleep(for: .milliseconds(100))
        }
        throw Failure(message: "Tocsin was not ready \(Int(options.readyTimeout))s after the restart command")
    }

    /// Clears the drill's alerts, resolves any incident still open and finishes the run.
    private func cleanUp(_ drill: Drill, run: DrillRun, state: inout RunState) async {
        try? await fire(drill, status: .resolved, run: run, state: &state)
        struct CommandBody: Encodable { var note: String }
        for id in state.incidents {
            _ = try? await api.send("POST", "/api/v1/incidents/\(id)/resolve", CommandBody(note: "drill \(run.id) finished"), allowConflict: true)
        }
        _ = try? await api.send("POST", "/api/v1/drills/\(run.id)/finish", Optional<String>.none)
    }

    private func sleep(until instant: Date) async throws(Failure) {
        let seconds = instant.timeIntervalSinceNow
        guard seconds > 0 else { return }
        do {
            try await Task.sleep(for: .milliseconds(Int64(seconds * 1000)))
        } catch {
            throw Failure(message: "the drill was cancelled")
        }
    }
}

/// The few calls a live drill makes to the server, off the concurrency pool.
struct LiveDrillAPI: Sendable {
    let options: LiveDrill.Options

    struct Answer: Sendable {
        var status: Int
        var body: [UInt8]
    }

    func send(
        _ method: String, _ path: String, _ body: (some Encodable)?, token: String? = nil, allowConflict: Bool = false
    ) async throws(LiveDrill.Failure) -> Answer {
        var headers: [(name: String, value: String)] = [("Accept", "application/json")]
        if let bearer = path.hasPrefix("/api/v1/ingest") ? token : options.token {
            headers.append(("Authorization", "Bearer \(bearer)"))
        }
        var bytes: [UInt8]?
        if let body {
            headers.append(("Content-Type", "application/json"))
            bytes = try? Array(TocsinJSON.encoder().encode(body))
        }
        let request = HTTPTransferRequest(
            method: method, url: options.serverURL + path, headers: headers, body: bytes, connectTimeout: 5, totalTimeout: 30)
        let response: HTTPTransferResponse
        do {
            response = try await HTTPTransfer.performOffPool(request)
        } catch {
            throw LiveDrill.Failure(message: "cannot reach Tocsin at \(options.serverURL): \(error.message)", kind: .unreachable)
        }
        guard (200..<300).contains(response.status) || (allowConflict && response.status == 409) || path == "/readyz" else {
            let detail = String(decoding: response.body.prefix(300), as: UTF8.self)
            throw LiveDrill.Failure(
                message: "\(method) \(path) answered HTTP \(response.status): \(detail)", kind: .refused(status: response.status))
        }
        return Answer(status: response.status, body: response.body)
    }

    func decode<T: Decodable>(_ answer: Answer) throws(LiveDrill.Failure) -> T {
        do {
            return try TocsinJSON.decoder().decode(T.self, from: Data(answer.body))
        } catch {
            throw LiveDrill.Failure(message: "unexpected answer from \(options.serverURL): \(error)")
        }
    }
}
