-- Tocsin schema, version 2: durable escalation timers and the notification outbox.

-- One row per incident and policy: where the incident stands in the policy's schedule.
-- next_due_at is when the engine must look again (NULL: nothing more will happen).
CREATE TABLE escalations (
    id          INTEGER PRIMARY KEY,
    incident_id INTEGER NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    policy_name TEXT    NOT NULL,
    snapshot    TEXT    NOT NULL,  -- the policy as it was when the incident opened, targets resolved (JSON)
    epoch       INTEGER NOT NULL DEFAULT 0,
    started_at  TEXT    NOT NULL,
    position    INTEGER NOT NULL DEFAULT 0,
    next_due_at TEXT,
    UNIQUE (incident_id, policy_name)
);
CREATE INDEX escalations_due ON escalations (next_due_at) WHERE next_due_at IS NOT NULL;

-- Every notification the engine decides on, before and after delivery.
-- The idempotency key is unique: a step can never queue the same page twice.
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    incident_id     INTEGER NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    idempotency_key TEXT    NOT NULL UNIQUE,
    event           TEXT    NOT NULL,
    target          TEXT    NOT NULL,
    medium          TEXT    NOT NULL CHECK (medium IN ('email', 'webhook')),
    address         TEXT    NOT NULL,
    urgent          INTEGER NOT NULL,
    subject         TEXT    NOT NULL,
    body            TEXT    NOT NULL,
    state           TEXT    NOT NULL CHECK (state IN ('pending', 'sending', 'sent', 'retry', 'dead', 'cancelled')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    created_at      TEXT    NOT NULL,
    due_at          TEXT    NOT NULL,
    updated_at      TEXT    NOT NULL,
    last_error      TEXT
);
CREATE INDEX outbox_due ON outbox (state, due_at);
CREATE INDEX outbox_incident ON outbox (incident_id, id);

ALTER TABLE timeline_events ADD COLUMN lateness_ms INTEGER;
