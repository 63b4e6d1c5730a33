import Foundation
import Logging
import TocsinAPI
import TocsinClient
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
        public var message: String
        /// When the server failed the run (unreachable, or refusing with a status), how: the CLI
        /// exits with the code it documents. Nil for the run's own failures (the receiver, the
        /// restart command, a cancelled run).
        public var server: TocsinClient.Failure.Kind?
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
        let result: Result<DrillReport, Failure>
        do throws(Failure) {
            result = .success(try await run(drill, receiver: receiver, receiverURL: receiverURL))
        } catch {
            result = .failure(error)
        }
        await receiver.stop()
        return try result.get()
    }

    /// The drill, its pages captured by `receiver` (listening at `receiverURL`).
    private func run(_ drill: Drill, receiver: DrillReceiver, receiverURL: String) async throws(Failure) -> DrillReport {
        let run = try await api.post(
            "/api/v1/drills", body: DrillStartBody(name: drill.name, receiverURL: receiverURL, realTargets: options.realTargets),
            as: DrillRunResource.self)
        let start = Date()
        var state = RunState(start: start)
        receiver.begin(at: start)
        let outcome: Result<Void, Failure>
        do throws(Failure) {
            // A maintenance window at +0s is open before the alerts first fire.
            for action in drill.windowsOpenAtStart {
                try await perform(action, drill: drill, run: run, receiver: receiver, start: start, state: &state)
            }
            try await fire(drill, status: .firing, run: run, state: &state)
            for timed in drill.actions where !(timed.at == 0 && drill.windowsOpenAtStart.contains(timed.action)) {
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
        var starts: [DrillPolicyStart] = []
        for id in state.incidents {
            guard let detail = try? await api.get("/api/v1/incidents/\(id)", as: IncidentDetailResource.self) else { continue }
            starts += detail.escalations.map {
                DrillPolicyStart(
                    incidentID: id, policy: $0.policyName, offset: max(0, ($0.createdAt ?? $0.startedAt).timeIntervalSince(start)),
                    startedBy: $0.startedBy)
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

    /// The server's API, as the run's user, its failures told as the run's.
    private var api: LiveDrillAPI { LiveDrillAPI(client: TocsinClient(baseURL: options.serverURL, token: options.token, userAgent: "tocsin-drill")) }
    /// The ingest endpoint, with the ingest token (or none).
    private var ingest: LiveDrillAPI {
        LiveDrillAPI(client: TocsinClient(baseURL: options.serverURL, token: options.ingestToken, userAgent: "tocsin-drill"))
    }

    private func fire(_ drill: Drill, status: AlertStatus, run: DrillRunResource, state: inout RunState) async throws(Failure) {
        let now = Date()
        let webhook = drill.webhook(status: status, at: now, elapsed: now.timeIntervalSince(state.start), runID: run.id)
        let answer = try await ingest.post("/api/v1/ingest/alertmanager", body: webhook, as: IngestResultResource.self)
        for id in answer.incidentIDs where !state.incidents.contains(id) {
            state.incidents.append(id)
        }
    }

    private func perform(
        _ action: Drill.Action, drill: Drill, run: DrillRunResource, receiver: DrillReceiver, start: Date, state: inout RunState
    ) async throws(Failure) {
        switch action {
        case .acknowledge(let person):
            guard let id = state.incidents.last else { return }
            try await api.command(.ack, incident: id, note: "drill \(run.id): acknowledged as \(person)")
        case .resolve(let person):
            guard let id = state.incidents.last else { return }
            try await api.command(.resolve, incident: id, note: "drill \(run.id): resolved as \(person)")
        case .fire:
            try await fire(drill, status: .firing, run: run, state: &state)
        case .clear:
            try await fire(drill, status: .resolved, run: run, state: &state)
        case .receiverDown(let medium, let until):
            receiver.outages.down(medium: medium, until: start.addingTimeInterval(until))
        case .restart:
            try await restart()
        case .escalate(let step):
            guard let id = state.incidents.last else { return }
            try await api.send("/api/v1/incidents/\(id)/escalate", EscalateBody(toStep: step, note: "drill \(run.id)", channel: "api"))
        case .note(let text):
            guard let id = state.incidents.last else { return }
            try await api.send("/api/v1/incidents/\(id)/notes", NoteCreateBody(note: "drill \(run.id): \(text)", channel: "api"))
        case .maintenance(let matchers, let until):
            // Scoped to the drill's own alerts: a live drill never holds back a real page.
            let scoped = matchers.map(\.description) + ["\(DrillRun.label)=\"\(run.id)\""]
            try await api.send(
                "/api/v1/maintenance",
                MaintenanceCreateBody(matchers: scoped, until: start.addingTimeInterval(until), note: "drill \(run.id)"))
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
            if (try? await api.client.send("GET", "/readyz")) != nil { return }
            try? await Task.sleep(for: .milliseconds(100))
        }
        throw Failure(message: "Tocsin was not ready \(Int(options.readyTimeout))s after the restart command")
    }

    /// Clears the drill's alerts, resolves any incident still open and finishes the run.
    private func cleanUp(_ drill: Drill, run: DrillRunResource, state: inout RunState) async {
        try? await fire(drill, status: .resolved, run: run, state: &state)
        for id in state.incidents {
            try? await api.command(.resolve, incident: id, note: "drill \(run.id) finished")
        }
        _ = try? await api.client.send("POST", "/api/v1/drills/\(run.id)/finish")
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

/// The calls a live drill makes to the server, through the API's client, each failure told as
/// the run's (with the status the server answered).
struct LiveDrillAPI: Sendable {
    let client: TocsinClient

    func get<T: Decodable>(_ path: String, as type: T.Type) async throws(LiveDrill.Failure) -> T {
        try await told("GET", path) { () async throws(TocsinClient.Failure) in try await client.get(path, as: T.self) }
    }

    func post<T: Decodable>(_ path: String, body: some Encodable & Sendable, as type: T.Type) async throws(LiveDrill.Failure) -> T {
        try await told("POST", path) { () async throws(TocsinClient.Failure) in try await client.post(path, body: body, as: T.self) }
    }

    /// Acknowledges or resolves an incident as the drill's user; an incident already past it (409) is fine.
    /// POSTs `body` to `path`; a 409 (a resolved incident, a spent chain) is taken as done.
    func send(_ path: String, _ body: some Encodable & Sendable) async throws(LiveDrill.Failure) {
        _ = try await told("POST", path) { () async throws(TocsinClient.Failure) in
            try await client.send("POST", path, body: body, accepting: [409])
        }
    }

    func command(_ action: LinkAction, incident id: Int64, note: String) async throws(LiveDrill.Failure) {
        let path = "/api/v1/incidents/\(id)/\(action.rawValue)"
        _ = try await told("POST", path) { () async throws(TocsinClient.Failure) in
            try await client.send("POST", path, body: IncidentCommandBody(note: note, channel: "api"), accepting: [409])
        }
    }

    private func told<T>(
        _ method: String, _ path: String, _ call: () async throws(TocsinClient.Failure) -> T
    ) async throws(LiveDrill.Failure) -> T {
        do {
            return try await call()
        } catch {
            if case .refused(let status) = error.kind {
                throw LiveDrill.Failure(message: "\(method) \(path) answered HTTP \(status): \(error.message)", server: error.kind)
            }
            throw LiveDrill.Failure(message: error.message, server: error.kind)
        }
    }
}
