import Foundation

/// A live drill registered with a running server: alerts labelled `tocsin_drill=<id>` belong to
/// it, and their pages go to its capture receiver instead of to the people in the policies.
public struct DrillRun: Sendable, Equatable, Codable {
    /// The label that marks an alert as part of a drill; its value is the run's id.
    public static let label = "tocsin_drill"

    public var id: String
    public var name: String
    /// Where the drill's pages go (a loopback URL the drill runner listens on); nil drops them.
    public var receiverURL: String?
    /// Page the policies' real contacts instead of the receiver.
    public var realTargets: Bool
    public var startedBy: String
    public var startedAt: Date
    public var finishedAt: Date?

    public init(
        id: String, name: String, receiverURL: String?, realTargets: Bool, startedBy: String, startedAt: Date,
        finishedAt: Date? = nil
    ) {
        self.id = id
        self.name = name
        self.receiverURL = receiverURL
        self.realTargets = realTargets
        self.startedBy = startedBy
        self.startedAt = startedAt
        self.finishedAt = finishedAt
    }

    public enum CodingKeys: String, CodingKey {
        case id, name
        case receiverURL = "receiver_url"
        case realTargets = "real_targets"
        case startedBy = "started_by"
        case startedAt = "started_at"
        case finishedAt = "finished_at"
    }

    /// Whether a notification to `address` goes to this run's own capture receiver (the port it
    /// registered, not any loopback address): only those are written as Tocsin's own payload
    /// whatever the real target's format, as the runner reads it.
    public func isCapture(_ address: String) -> Bool {
        guard !realTargets, let receiverURL else { return false }
        let base = receiverURL.hasSuffix("/") ? String(receiverURL.dropLast()) : receiverURL
        return address.hasPrefix(base + "/")
    }

    /// Whether `url` may receive drill pages: plain HTTP on a loopback address, so that a drill
    /// can never be pointed at somebody else's machine.
    public static func isAllowedReceiver(_ url: String) -> Bool {
        guard let components = URLComponents(string: url), components.scheme == "http",
            let host = components.host?.lowercased()
        else { return false }
        return host == "127.0.0.1" || host == "localhost" || host == "::1" || host == "[::1]"
    }
}

extension PolicySnapshot {
    /// The snapshot for an incident of a drill: its pages go to the run's receiver (see
    /// ``deliverable(_:target:)``), or to nobody when the run is unknown or finished. With
    /// `realTargets` the snapshot is unchanged.
    public func forDrill(_ run: DrillRun?) -> PolicySnapshot {
        if run?.realTargets == true { return self }
        var redirected = self
        redirected.drill = DrillRedirect(receiverURL: run?.receiverURL)
        return redirected
    }
}
