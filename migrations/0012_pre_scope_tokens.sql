-- Tocsin schema, version 12: tokens issued before scopes existed were given every right by
-- version 6 ('admin'). They become 'read,respond' (what `tocsin users add` gives), and each change
-- is written to the audit trail. Such a token is one whose creation the audit trail never
-- recorded: the trail and scopes arrived together, and every token issued since is recorded.

INSERT INTO audit_events (at, kind, actor, source, detail)
SELECT strftime('%Y-%m-%d %H:%M:%f', 'now'), 'token.scopes_changed', users.name, 'migration',
       'token #' || api_tokens.id || ' for ' || users.name
           || ' was issued before scopes existed: its scopes changed from admin to read,respond'
FROM api_tokens JOIN users ON users.id = api_tokens.user_id
WHERE api_tokens.scopes = 'admin' AND NOT EXISTS (
    SELECT 1 FROM audit_events WHERE kind = 'token.created' AND detail LIKE 'token #' || api_tokens.id || ' for %');

UPDATE api_tokens SET scopes = 'read,respond'
WHERE scopes = 'admin' AND NOT EXISTS (
    SELECT 1 FROM audit_events WHERE kind = 'token.created' AND detail LIKE 'token #' || api_tokens.id || ' for %');
