-- Tocsin schema, version 15: integrations, the senders that authenticate with a key of their own
-- (a PagerDuty Events v2 routing key, a generic event's bearer key, the path of an SNS
-- subscription). Only the SHA-256 of a key is stored; a revoked key stays, so its name is not
-- reused by mistake and the audit trail keeps meaning something.

CREATE TABLE integrations (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    source TEXT NOT NULL CHECK (source IN ('pagerduty', 'generic', 'cloudwatch')),
    key_hash TEXT NOT NULL UNIQUE,
    labels TEXT NOT NULL DEFAULT '{}',
    -- CloudWatch only: what an alarm's INSUFFICIENT_DATA state does (fire, resolve or ignore).
    insufficient_data TEXT CHECK (insufficient_data IN ('fire', 'resolve', 'ignore')),
    -- CloudWatch only: the one SNS topic it takes messages from (given, or the first that signed one).
    topic_arn TEXT,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);
