-- Tocsin schema, version 14: heartbeats (dead man's switches). One row per heartbeat Tocsin
-- watches; its window counts from `watching_since` (the last beat, or when watching began or began
-- again after Tocsin was down), so the deadline follows a reload that changes the interval. A missed
-- heartbeat's incident is an ordinary incident (source 'heartbeat'); the row only says it is missed.

CREATE TABLE heartbeats (
    name TEXT PRIMARY KEY NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('waiting', 'healthy', 'missed')),
    watching_since TEXT NOT NULL,
    last_beat_at TEXT,
    beats INTEGER NOT NULL DEFAULT 0 CHECK (beats >= 0),
    missed_at TEXT,
    -- When Tocsin, starting after the beat fell due, gave the sender one more window (at most once
    -- per silence: a Tocsin that keeps crashing cannot keep a dead sender unnoticed).
    resumed_at TEXT
);
