-- Tocsin schema, version 11: the audit trail may shed events older than `serve --audit-retention`
-- (by default it keeps everything). Its rows still cannot be changed, and only rows older than the
-- cutoff the retention job writes to `settings` (`audit_retention_cutoff`) can be deleted.

DROP TRIGGER audit_events_no_delete;
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
WHEN OLD.at >= COALESCE((SELECT value FROM settings WHERE name = 'audit_retention_cutoff'), '')
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only (only events older than --audit-retention are ever deleted)'); END;
