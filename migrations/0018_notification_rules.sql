-- Tocsin schema, version 18: texts and calls, and personal notification rules.
--
-- The outbox takes two more media, sms and voice (the table is rebuilt: SQLite cannot change a
-- CHECK constraint in place; the migrator runs this with foreign keys off, and checks them after).
--
-- A person's later rule (a text at +2m, a call at +5m) is a notification queued with its step and
-- due that much later. step_due_at is the step's own due time, so that taking back a step prepared
-- ahead takes back its rules with it, and never the later rules of a step that already ran (NULL:
-- the same as due_at).

CREATE TABLE outbox_new (
    id              INTEGER PRIMARY KEY,
    incident_id     INTEGER NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    idempotency_key TEXT    NOT NULL UNIQUE,
    event           TEXT    NOT NULL,
    target          TEXT    NOT NULL,
    medium          TEXT    NOT NULL CHECK (medium IN ('email', 'webhook', 'sms', 'voice')),
    address         TEXT    NOT NULL,
    urgent          INTEGER NOT NULL,
    subject         TEXT    NOT NULL,
    body            TEXT    NOT NULL,
    state           TEXT    NOT NULL CHECK (state IN ('pending', 'sending', 'sent', 'retry', 'dead', 'cancelled')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    created_at      TEXT    NOT NULL,
    due_at          TEXT    NOT NULL,
    updated_at      TEXT    NOT NULL,
    last_error      TEXT,
    lease_until     TEXT,
    rendered        TEXT,
    step            TEXT,
    sent_at         TEXT,
    correlation_id  TEXT,
    destination     TEXT    NOT NULL DEFAULT '',
    step_due_at     TEXT
);

INSERT INTO outbox_new (id, incident_id, idempotency_key, event, target, medium, address, urgent, subject, body, state,
                        attempts, created_at, due_at, updated_at, last_error, lease_until, rendered, step, sent_at,
                        correlation_id, destination)
SELECT id, incident_id, idempotency_key, event, target, medium, address, urgent, subject, body, state,
       attempts, created_at, due_at, updated_at, last_error, lease_until, rendered, step, sent_at,
       correlation_id, destination
FROM outbox;

DROP TABLE outbox;
ALTER TABLE outbox_new RENAME TO outbox;

CREATE INDEX outbox_due ON outbox (state, due_at);
CREATE INDEX outbox_incident ON outbox (incident_id, id);
CREATE INDEX outbox_ready ON outbox (due_at, id) WHERE state IN ('pending', 'retry');
CREATE INDEX outbox_ready_by_destination ON outbox (destination, due_at, id) WHERE state IN ('pending', 'retry');
-- The phone rate limit counts what went to one number in the last hour.
CREATE INDEX outbox_phone ON outbox (address, sent_at) WHERE medium IN ('sms', 'voice');
