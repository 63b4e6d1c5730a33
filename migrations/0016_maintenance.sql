-- Tocsin schema, version 16: maintenance windows. While a window is open, alerts matching its
-- matchers start no escalation; each one held is recorded (maintenance_holds), which marks the
-- incident and the alert as in maintenance. When the window closes (its end, or its removal), the
-- escalator pages the held alerts still firing as new, and records that it did (released_at).
-- Also: an escalation stopped by a reassignment (stopped_at) never restarts, not after an
-- acknowledgement expires, not when a new alert joins, not when someone escalates by hand.

CREATE TABLE maintenance_windows (
    id          INTEGER PRIMARY KEY,
    matchers    TEXT NOT NULL,            -- JSON list of matchers in Alertmanager's syntax
    starts_at   TEXT NOT NULL,
    ends_at     TEXT NOT NULL,
    note        TEXT,
    created_by  TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    removed_at  TEXT,
    released_at TEXT
);
CREATE INDEX maintenance_windows_unreleased ON maintenance_windows (ends_at) WHERE released_at IS NULL;

CREATE TABLE maintenance_holds (
    window_id   INTEGER NOT NULL REFERENCES maintenance_windows (id),
    incident_id INTEGER NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    fingerprint TEXT NOT NULL,
    held_at     TEXT NOT NULL,
    released_at TEXT,
    PRIMARY KEY (window_id, incident_id, fingerprint)
);
CREATE INDEX maintenance_holds_incident ON maintenance_holds (incident_id);

ALTER TABLE escalations ADD COLUMN stopped_at TEXT;
