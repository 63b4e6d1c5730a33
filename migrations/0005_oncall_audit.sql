-- Tocsin schema, version 5: on-call overrides (operational, so kept here rather than in the
-- reviewed policy files) and the append-only audit trail of security-relevant events.

CREATE TABLE schedule_overrides (
    id          INTEGER PRIMARY KEY,
    schedule    TEXT NOT NULL,
    person      TEXT NOT NULL,
    starts_at   TEXT NOT NULL,
    ends_at     TEXT NOT NULL,
    note        TEXT,
    created_by  TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    CHECK (ends_at > starts_at)
);
CREATE INDEX schedule_overrides_end ON schedule_overrides (ends_at);

CREATE TABLE audit_events (
    id      INTEGER PRIMARY KEY,
    at      TEXT NOT NULL,
    kind    TEXT NOT NULL,
    actor   TEXT NOT NULL,
    source  TEXT NOT NULL DEFAULT '',
    detail  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_events_at ON audit_events (at);

-- The trail is append-only: rows can be added, never changed or removed.
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
