import Foundation
import Hummingbird
import TocsinAPI
import TocsinCore
import TocsinStore

/// The path every source's alerts take into the store once decoded: routed per alert, committed
/// in one transaction, counted, logged, and the engine woken. Also finds the integration a key
/// belongs to, for the sources that authenticate with one.
struct Ingestor {
    let store: any StateStore
    let clock: any TocsinClock
    let configuration: ConfigurationStore
    /// Tells the escalator (timers changed) and, with `true`, the dispatcher (notifications queued).
    let wakeEngine: @Sendable (_ deliveries: Bool) -> Void

    /// Commits `batch`; answered only after the commit.
    func commit(_ batch: AlertBatch, now: Date, context: TocsinRequestContext) async throws -> IngestResult {
        let result = try await store.ingest(
            batch, configuration: configuration.configuration, now: now, correlationID: context.correlationID)
        ServerMetrics.received(batch)
        if result.escalationChanged || result.notificationsQueued {
            wakeEngine(result.notificationsQueued)
        }
        context.logger.info(
            "ingested",
            metadata: [
                "source": .string(batch.source),
                "receiver": .string(batch.receiver),
                "incident_id": .string(result.incidentID.map(String.init) ?? "none"),
                "alerts_new": .stringConvertible(result.counts.new),
                "alerts_resolved": .stringConvertible(result.counts.resolved),
            ])
        return result
    }

    /// The unrevoked integration of `source` whose key is `key`; otherwise a 401 (audited, as a
    /// failed login) naming `field`, where the key was expected.
    func integration(
        presenting key: String?, source: Integration.Source, field: String, request: Request, context: TocsinRequestContext
    ) async throws -> Integration {
        guard let key, !key.isEmpty else {
            throw APIError(
                .unauthorized, code: "unauthorized", field: field,
                message: "\(field) must carry the key of a \(source.rawValue) integration (tocsin integrations add NAME --source \(source.rawValue))",
                headers: [.wwwAuthenticate: "Bearer"])
        }
        if let found = try await store.integration(forKeyHash: APIToken.hash(key)), found.source == source {
            return found
        }
        await store.auditFailedAuthentication(
            client: context.remoteAddress, detail: "unknown \(source.rawValue) integration key on \(request.method) \(IngestGate.loggable(request.uri.path))",
            now: clock.now)
        throw APIError(
            .unauthorized, code: "unauthorized", field: field,
            message: "\(field) is not the key of a \(source.rawValue) integration (unknown, revoked, or of another source)",
            headers: [.wwwAuthenticate: "Bearer"])
    }

    /// Runs `body`, counting a refusal by the status it is answered with (a conflict is a 409, not a 503).
    static func counted<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch {
            ServerMetrics.rejected(status: Int(APIError(answering: error).status.code))
            throw error
        }
    }
}
