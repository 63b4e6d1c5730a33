import GRDB
import TocsinCore

// The columns queries filter and sort by, named once per record from its coding keys (the
// column names), as GRDB recommends: a renamed column fails to compile instead of to query.

extension Incident {
    public enum Columns {
        public static let id = Column(CodingKeys.id)
        public static let state = Column(CodingKeys.state)
    }
}

extension IncidentAlert {
    public enum Columns {
        public static let id = Column(CodingKeys.id)
        public static let incidentID = Column(CodingKeys.incidentID)
        public static let status = Column(CodingKeys.status)
    }
}

extension TimelineEvent {
    public enum Columns {
        public static let id = Column(CodingKeys.id)
        public static let incidentID = Column(CodingKeys.incidentID)
        public static let at = Column(CodingKeys.at)
    }
}

extension Escalation {
    public enum Columns {
        public static let id = Column(CodingKeys.id)
        public static let incidentID = Column(CodingKeys.incidentID)
    }
}

extension OutboxEntry {
    public enum Columns {
        public static let id = Column(CodingKeys.id)
        public static let incidentID = Column(CodingKeys.incidentID)
        public static let state = Column(CodingKeys.state)
    }
}

extension User {
    public enum Columns {
        public static let name = Column(CodingKeys.name)
    }
}

extension DrillRun {
    public enum Columns {
        public static let startedAt = Column(CodingKeys.startedAt)
    }
}

extension StoredOverride {
    public enum Columns {
        public static let id = Column(CodingKeys.id)
        public static let startsAt = Column(CodingKeys.startsAt)
        public static let endsAt = Column(CodingKeys.endsAt)
    }
}

extension AuditEvent {
    public enum Columns {
        // AuditEvent's coding keys are synthesized (not visible here): its columns are its property names.
        public static let id = Column("id")
        public static let at = Column("at")
    }
}
