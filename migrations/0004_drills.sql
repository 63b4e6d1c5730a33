-- Tocsin schema, version 4: live drill runs. Alerts labelled tocsin_drill=<run id> open incidents
-- marked with their run; their pages go to the run's capture receiver, not to real people.

CREATE TABLE drill_runs (
    id            TEXT    PRIMARY KEY,
    name          TEXT    NOT NULL,
    receiver_url  TEXT,
    real_targets  INTEGER NOT NULL DEFAULT 0,
    started_by    TEXT    NOT NULL,
    started_at    TEXT    NOT NULL,
    finished_at   TEXT
);

ALTER TABLE incidents ADD COLUMN drill_run TEXT;
