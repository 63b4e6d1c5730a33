-- Tocsin schema, version 6: what each API token may do (comma-separated scopes: ingest, read,
-- respond, admin). Tokens issued before scopes existed keep full rights.

ALTER TABLE api_tokens ADD COLUMN scopes TEXT NOT NULL DEFAULT 'admin';
