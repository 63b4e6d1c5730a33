-- Tocsin schema, version 7: the correlation id of the request that opened an incident, carried
-- by its notifications, so one id follows an alert from ingest to every delivery attempt's log.

ALTER TABLE incidents ADD COLUMN correlation_id TEXT;
ALTER TABLE outbox ADD COLUMN correlation_id TEXT;
