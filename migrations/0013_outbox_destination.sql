-- Tocsin schema, version 13: each notification names its destination (the SMTP server, 'email', for
-- every email; the origin of a webhook's URL, `scheme://host:port`), and the notifications waiting to
-- be sent are indexed by destination too. A claim that finds the oldest notifications all bound for
-- destinations already at their limit of deliveries in flight then reaches the others by a few index
-- seeks, instead of reading the whole backlog of the busy ones (a burst of thousands of pages to one
-- receiver made every claim do that).

ALTER TABLE outbox ADD COLUMN destination TEXT NOT NULL DEFAULT '';

-- Rows still to deliver get their destination; finished ones are never claimed again.
UPDATE outbox SET destination = CASE
    WHEN medium = 'email' THEN 'email'
    WHEN instr(address, '://') = 0 THEN address
    ELSE substr(address, 1, instr(address, '://') + 2 + min(
        CASE instr(substr(address, instr(address, '://') + 3), '/') WHEN 0 THEN length(address) ELSE instr(substr(address, instr(address, '://') + 3), '/') - 1 END,
        CASE instr(substr(address, instr(address, '://') + 3), '?') WHEN 0 THEN length(address) ELSE instr(substr(address, instr(address, '://') + 3), '?') - 1 END,
        CASE instr(substr(address, instr(address, '://') + 3), '#') WHEN 0 THEN length(address) ELSE instr(substr(address, instr(address, '://') + 3), '#') - 1 END))
    END
WHERE state IN ('pending', 'sending', 'retry');

CREATE INDEX outbox_ready_by_destination ON outbox (destination, due_at, id) WHERE state IN ('pending', 'retry');
