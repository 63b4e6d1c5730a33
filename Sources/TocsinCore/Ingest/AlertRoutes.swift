/// Which escalation policies each firing alert of a batch routes to, by its own labels.
///
/// Routing is per alert, as in Alertmanager: a group's common labels are never a routing key, so a
/// critical alert grouped with warnings still reaches the critical policy. An incident escalates by
/// every policy its alerts route to.
public struct AlertRoutes: Sendable, Equatable {
    /// The policies of each firing alert, in route order, by fingerprint.
    public var byFingerprint: [Fingerprint: [String]]
    /// The firing alerts a maintenance window holds (they route to no policy), with the window.
    public var held: [Fingerprint: MaintenanceWindow] = [:]

    public init(byFingerprint: [Fingerprint: [String]] = [:]) {
        self.byFingerprint = byFingerprint
    }

    /// Holds every firing alert of `batch` that a window of `hold` matches: it routes to no policy.
    public mutating func apply(_ hold: MaintenanceHold, to batch: AlertBatch) {
        guard !hold.windows.isEmpty else { return }
        for alert in batch.alerts where alert.status == .firing {
            if let window = hold.window(holding: alert.labels) {
                held[alert.fingerprint] = window
                byFingerprint[alert.fingerprint] = []
            }
        }
    }

    /// Routes every firing alert of `batch` through `routes` (first match wins unless `continue`).
    public init(_ batch: AlertBatch, routes: [Route]) {
        var byFingerprint: [Fingerprint: [String]] = [:]
        byFingerprint.reserveCapacity(batch.alerts.count)
        for alert in batch.alerts where alert.status == .firing {
            byFingerprint[alert.fingerprint] = Route.policies(for: alert.labels, in: routes)
        }
        self.byFingerprint = byFingerprint
    }

    /// The policies `alert` routes to (none when it is not firing).
    public func policies(for alert: Alert) -> [String] {
        byFingerprint[alert.fingerprint] ?? []
    }

    /// The policies that `alerts` (in order) route to and that are not in `running`, each with the
    /// first alert that routes to it.
    public func starts(for alerts: [Alert], running: Set<String>) -> [IngestPlan.PolicyStart] {
        var started: [IngestPlan.PolicyStart] = []
        var seen = running
        var previous: [String]?
        for alert in alerts {
            let routed = policies(for: alert)
            // Alerts of a batch mostly route alike: the same policies again start nothing new.
            guard routed != previous else { continue }
            previous = routed
            for policy in routed where seen.insert(policy).inserted {
                started.append(IngestPlan.PolicyStart(policy: policy, alert: alert))
            }
        }
        return started
    }

    /// Whether `alerts` do not all route to the same policies.
    public func differ(among alerts: [Alert]) -> Bool {
        guard let first = alerts.first else { return false }
        let policies = policies(for: first)
        return alerts.dropFirst().contains { self.policies(for: $0) != policies }
    }
}
