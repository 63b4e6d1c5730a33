-- Tocsin schema, version 8: escalation steps prepared ahead of their due time mark their timeline
-- events, so that an acknowledgement or resolve before the due time takes back those steps and
-- nothing else (not even after the clock was set back).

ALTER TABLE timeline_events ADD COLUMN prepared INTEGER NOT NULL DEFAULT 0;
CREATE INDEX timeline_events_prepared ON timeline_events (at) WHERE prepared = 1;
