-- Tocsin schema, version 19: pages cancelled while they are claimed.
--
-- An acknowledgement, a resolve or a reassignment cancels the incident's pages still waiting. A page
-- already claimed (`sending`) may be on the wire, or waiting in its worker's lane: it keeps its
-- claim, and cancel_reason says why it must not be tried again. A claim given back, an attempt that
-- would be retried, a lease that ran out or a restart then ends it `cancelled`; an attempt the
-- receiver accepted still ends it `sent`, and one it refused `dead`. Queuing it again by hand clears it.
ALTER TABLE outbox ADD COLUMN cancel_reason TEXT;
