-- Tocsin schema, version 10: alerts are routed one by one, so an incident's escalations can start
-- at different times, each because of one alert: an escalation records when it was created and
-- which alert started it (both empty for escalations stored before).

ALTER TABLE escalations ADD COLUMN started_by TEXT;
ALTER TABLE escalations ADD COLUMN created_at TEXT;
