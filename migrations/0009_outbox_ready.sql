-- Tocsin schema, version 9: the notifications waiting to be sent, in the order the dispatcher takes
-- them, so that a claim reads only the few it takes, not every notification due (a burst of
-- thousands of pages made each claim sort them all).

CREATE INDEX outbox_ready ON outbox (due_at, id) WHERE state IN ('pending', 'retry');
