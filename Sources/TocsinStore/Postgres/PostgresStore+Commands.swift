import Foundation
import PostgresNIO
import TocsinCore

extension PostgresStore {
    public func acknowledge(id: Int64, by actor: Actor, note: String?, now: Date) async throws(StoreError) -> IncidentCommandResult {
        try await apply(.acknowledge, id: id, actor: actor, note: note, now: now)
    }

    public func resolve(id: Int64, by actor: Actor, note: String?, now: Date) async throws(StoreError) -> IncidentCommandResult {
        try await apply(.resolve, id: id, actor: actor, note: note, now: now)
    }

    /// Applies `command` to the incident, its row locked for the transaction (an escalator's pass
    /// on another instance waits for it, and sees the incident as it leaves it).
    private func apply(_ command: IncidentCommand, id: Int64, actor: Actor, note: String?, now: Date) async throws(StoreError)
        -> IncidentCommandResult
    {
        try await work { work in
            guard let values = try await work.values(of: "incidents", "WHERE t.id = $1 FOR UPDATE", Self.binding(id)).first else {
                throw StoreError.notFound(what: "incident", id: "#\(id)")
            }
            let incident = try Incident(stored: values)
            guard let change = try command.change(of: incident, id: id, by: actor, note: note, now: now) else {
                return IncidentCommandResult(incident: incident, changed: false)
            }
            work.afterCommit.append(change.metrics)
            try await work.save(change.incident)
            try await work.insert([(id, change.event, false)])
            try await Self.insertAudit(change.audit, on: work.connection, logger: work.logger)
            if let event = change.finish {
                try await work.finishEscalations(of: change.incident, event: event, actor: actor.name, note: note, now: now)
            }
            return IncidentCommandResult(incident: change.incident, changed: true)
        }
    }
}
