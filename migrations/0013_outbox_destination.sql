-- Tocsin schema, version 13: each notification names its destination (the SMTP server, 'email', for
-- every email; the origin of a webhook's URL, `scheme://host:port`), and the notifications waiting to
-- be sent are indexed by destination too. A claim that finds the oldest notifications all bound for
-- destinations already at their limit of deliveries in flight then reaches the others by a few index
-- seeks, instead of reading the whole backlog of the busy ones (a burst of thousands of pages to one
-- receiver made every claim do that).

ALTER TABLE outbox ADD COLUMN destination TEXT NOT NULL DEFAULT '';

-- Every row gets its destination (a dead one can be queued again by hand). The authority is what
-- follows `://` up to the first `/`, `?` or `#`; an address without one stands for itself.
UPDATE outbox SET destination = CASE
    WHEN medium = 'email' THEN 'email'
    WHEN authority_length IS NULL OR authority_length = 0 THEN address
    ELSE substr(address, 1, instr(address, '://') + 2 + authority_length)
    END
FROM (
    SELECT id AS row_id, CASE WHEN instr(address, '://') = 0 THEN NULL ELSE min(
        CASE instr(rest, '/') WHEN 0 THEN length(rest) ELSE instr(rest, '/') - 1 END,
        CASE instr(rest, '?') WHEN 0 THEN length(rest) ELSE instr(rest, '?') - 1 END,
        CASE instr(rest, '#') WHEN 0 THEN length(rest) ELSE instr(rest, '#') - 1 END) END AS authority_length
    FROM (SELECT id, address, substr(address, instr(address, '://') + 3) AS rest FROM outbox)
) WHERE outbox.id = row_id;

CREATE INDEX outbox_ready_by_destination ON outbox (destination, due_at, id) WHERE state IN ('pending', 'retry');
