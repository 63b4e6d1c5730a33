-- Tocsin schema, version 1: incidents, their alerts and timelines, users and API tokens.
-- Times are UTC text 'YYYY-MM-DD HH:MM:SS.SSS' (sortable); label maps are JSON objects.

CREATE TABLE incidents (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    title            TEXT    NOT NULL,
    severity         TEXT    NOT NULL,
    state            TEXT    NOT NULL CHECK (state IN ('triggered', 'acknowledged', 'resolved')),
    source           TEXT    NOT NULL,
    receiver         TEXT    NOT NULL,
    group_key        TEXT    NOT NULL,
    group_labels     TEXT    NOT NULL DEFAULT '{}',
    external_url     TEXT    NOT NULL DEFAULT '',
    created_at       TEXT    NOT NULL,
    last_seen_at     TEXT    NOT NULL,
    acknowledged_at  TEXT,
    acknowledged_by  TEXT,
    resolved_at      TEXT,
    resolved_by      TEXT,
    alert_count      INTEGER NOT NULL DEFAULT 0,
    firing_count     INTEGER NOT NULL DEFAULT 0,
    truncated_alerts INTEGER NOT NULL DEFAULT 0
);

-- At most one open incident per (receiver, group key); the newest one is found by id.
CREATE UNIQUE INDEX incidents_open_key ON incidents (receiver, group_key) WHERE state != 'resolved';
CREATE INDEX incidents_key ON incidents (receiver, group_key, id);
CREATE INDEX incidents_state ON incidents (state, id);

CREATE TABLE incident_alerts (
    id            INTEGER PRIMARY KEY,
    incident_id   INTEGER NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    fingerprint   TEXT    NOT NULL,
    status        TEXT    NOT NULL CHECK (status IN ('firing', 'resolved')),
    labels        TEXT    NOT NULL,
    annotations   TEXT    NOT NULL DEFAULT '{}',
    starts_at     TEXT    NOT NULL,
    ends_at       TEXT,
    generator_url TEXT    NOT NULL DEFAULT '',
    first_seen_at TEXT    NOT NULL,
    last_seen_at  TEXT    NOT NULL,
    UNIQUE (incident_id, fingerprint)
);

CREATE TABLE timeline_events (
    id          INTEGER PRIMARY KEY,
    incident_id INTEGER NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    at          TEXT    NOT NULL,
    kind        TEXT    NOT NULL,
    actor       TEXT    NOT NULL,
    channel     TEXT    NOT NULL,
    note        TEXT
);
CREATE INDEX timeline_events_incident ON timeline_events (incident_id, id);

CREATE TABLE users (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    email      TEXT NOT NULL,
    created_at TEXT NOT NULL
);

-- Only the SHA-256 of a token is stored; the token itself is shown once, when created.
CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash   TEXT    NOT NULL UNIQUE,
    created_at   TEXT    NOT NULL,
    revoked_at   TEXT
);
