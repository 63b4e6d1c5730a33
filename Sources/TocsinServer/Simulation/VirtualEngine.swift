import Foundation
import Logging
import TocsinCore
import TocsinDelivery
import TocsinStore

/// The production engine on a virtual clock: the ``Escalator``'s pass (steps prepared ahead
/// included) and the ``Dispatcher``'s, against a SQLite database of its own, with deliveries
/// handed to `transport` instead of the network. `tocsin policy simulate` and virtual drills both
/// run on it, so what they report is what a real incident would do.
struct VirtualEngine {
    let path: String
    let store: TocsinStore
    let escalator: Escalator
    let dispatcher: Dispatcher

    /// Opens (or, after a simulated restart, reopens) the database at `path`. Deliveries give up
    /// after `deliveryMaxAge`, as the dispatcher would.
    init(
        path: String, configuration: TocsinConfiguration, clock: ManualClock, transport: any NotificationTransport,
        deliveryMaxAge: TimeInterval
    ) throws {
        self.path = path
        store = try TocsinStore(path: path, configuration: .init(durability: .normal))
        var logger = Logger(label: "tocsin-virtual")
        logger.logLevel = .critical
        // No heartbeat beats in a simulation: watching them would open HeartbeatMissed incidents
        // that no real sender ever missed.
        var simulated = configuration
        simulated.heartbeats = []
        escalator = Escalator(store: store, clock: clock, logger: logger, configuration: { [simulated] in simulated })
        // Mail is "sent" through `transport` too: the SMTP settings only let the dispatcher render it.
        let settings = DeliverySettings(
            publicURL: "http://virtual.invalid", smtp: SMTPSettings(url: "smtp://virtual.invalid", from: "tocsin@virtual.invalid"),
            policy: DeliveryPolicy(maxAttempts: 50, maxAge: deliveryMaxAge))
        dispatcher = Dispatcher(
            store: store, clock: clock, settings: settings, linkKey: Array("virtual".utf8),
            webhookSettings: { _ in WebhookSettings() }, transport: transport, random: { 0.5 }, logger: logger)
    }

    /// A database file in a new temporary directory, and a way to remove it.
    static func temporaryPath(_ name: String) -> (path: String, remove: @Sendable () -> Void) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tocsin-\(name)-\(UUID().uuidString)")
        return (directory.appendingPathComponent("\(name).sqlite").path, { try? FileManager.default.removeItem(at: directory) })
    }

    /// Runs, at the clock's instant, every escalation step due (preparing those due within the
    /// escalator's lead, as in production, but none due at or after `nextAction`: a person's
    /// action at a step's due time comes first, as it would in the instant before) and every
    /// delivery due; returns when something of the engine's next falls due.
    func settle(nextAction: Date?) async throws -> Date? {
        let nextStep = try await escalator.tick(preparingBefore: nextAction)
        while try await dispatcher.dispatchReadyNow() > 0 {}
        return [nextStep, try await store.nextDeliveryDue()].compactMap { $0 }.min()
    }

    /// Drives the engine from `clock`'s instant until `end`: at each instant, `act` performs the
    /// people's actions due then (and returns the engine to go on with: a simulated restart
    /// opens a new one), then the engine settles; the clock then jumps to the earliest of the
    /// engine's next due time and `nextAction()`. Returns the engine it ended with.
    static func drive(
        _ engine: VirtualEngine, clock: ManualClock, until end: Date, nextAction: () -> Date?,
        act: (VirtualEngine) async throws -> VirtualEngine
    ) async throws -> VirtualEngine {
        var engine = engine
        while true {
            engine = try await act(engine)
            let nextDue = try await engine.settle(nextAction: nextAction())
            guard let next = [nextDue, nextAction()].compactMap({ $0 }).min(), next <= end else { return engine }
            // Always move forward, so the run ends even if something stays due without progress.
            clock.set(to: max(next, clock.now.addingTimeInterval(0.001)))
        }
    }
}
