import Foundation

/// A live drill run registered with the server.
public struct DrillRunResource: Codable, Sendable, Equatable {
    /// `drill-` and 8 hex digits; alerts labelled `tocsin_drill=<id>` belong to the run.
    public var id: String
    public var name: String
    /// Where the drill's pages go (a loopback URL); absent when they go nowhere.
    public var receiverURL: String?
    /// Whether the policies' real contacts are paged instead of the receiver.
    public var realTargets: Bool
    public var startedBy: String
    public var startedAt: Date
    public var finishedAt: Date?

    public init(
        id: String, name: String, receiverURL: String? = nil, realTargets: Bool, startedBy: String, startedAt: Date,
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

    enum CodingKeys: String, CodingKey {
        case id, name
        case receiverURL = "receiver_url"
        case realTargets = "real_targets"
        case startedBy = "started_by"
        case startedAt = "started_at"
        case finishedAt = "finished_at"
    }
}

/// `GET /api/v1/drills`: drill runs, newest first.
public struct DrillListResource: Codable, Sendable, Equatable {
    public var drills: [DrillRunResource]

    public init(drills: [DrillRunResource]) {
        self.drills = drills
    }

    enum CodingKeys: String, CodingKey {
        case drills
    }
}

/// The body of `POST /api/v1/drills`.
public struct DrillStartBody: Codable, Sendable, Equatable {
    /// 1 to 200 characters.
    public var name: String
    /// The loopback URL that captures the drill's pages; without it the drill pages nobody.
    public var receiverURL: String?
    /// Page the policies' real contacts; false when absent.
    public var realTargets: Bool?

    public init(name: String, receiverURL: String? = nil, realTargets: Bool? = nil) {
        self.name = name
        self.receiverURL = receiverURL
        self.realTargets = realTargets
    }

    enum CodingKeys: String, CodingKey {
        case name
        case receiverURL = "receiver_url"
        case realTargets = "real_targets"
    }
}
