-- Tocsin schema, version 17: sessions of the web console. Signing in at /ui/login exchanges an API
-- token for a session; the cookie's value is shown to the browser only, and stored here as its
-- SHA-256. A session has the scopes of the token it came from, and ends with it: when it expires,
-- when its user signs out (ended_at), or when the token is revoked.

CREATE TABLE console_sessions (
    id           INTEGER PRIMARY KEY,
    session_hash TEXT    NOT NULL UNIQUE,
    token_id     INTEGER NOT NULL REFERENCES api_tokens (id) ON DELETE CASCADE,
    created_at   TEXT    NOT NULL,
    expires_at   TEXT    NOT NULL,
    ended_at     TEXT
);
CREATE INDEX console_sessions_token ON console_sessions (token_id);
