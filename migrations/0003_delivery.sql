-- Tocsin schema, version 3: delivery of the outbox.

-- A claimed row is `sending` until lease_until; a process that died mid-delivery leaves it to be
-- retried (same idempotency key) once the lease expires. `rendered` is the body sent on the
-- first attempt, so every retry sends the same bytes. `step` says which policy step queued it.
ALTER TABLE outbox ADD COLUMN lease_until TEXT;
ALTER TABLE outbox ADD COLUMN rendered TEXT;
ALTER TABLE outbox ADD COLUMN step TEXT;
ALTER TABLE outbox ADD COLUMN sent_at TEXT;

-- Every delivery attempt, with the receiver's status code or the transport error.
CREATE TABLE delivery_attempts (
    id          INTEGER PRIMARY KEY,
    outbox_id   INTEGER NOT NULL REFERENCES outbox (id) ON DELETE CASCADE,
    attempt     INTEGER NOT NULL,
    started_at  TEXT    NOT NULL,
    finished_at TEXT    NOT NULL,
    status_code INTEGER,
    error       TEXT,
    outcome     TEXT    NOT NULL CHECK (outcome IN ('sent', 'retry', 'dead'))
);
CREATE INDEX delivery_attempts_outbox ON delivery_attempts (outbox_id, id);

-- Server-wide settings, such as the key that signs acknowledgement links.
CREATE TABLE settings (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
