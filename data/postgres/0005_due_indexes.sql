-- okpay's PostgreSQL schema, version 5: what `admin settle` looks for is found by time through an
-- index, not by reading every row: withdrawals in flight by the moment settlement may move them on
-- (their request while requested, their expected arrival while processing; domain settleDueAt),
-- solved tickets by when they were solved (they close some days later), and expired quotes and
-- idempotency keys by their expiry, for pruning.

ALTER TABLE withdrawals
  ADD COLUMN due_at text NOT NULL GENERATED ALWAYS AS (CASE WHEN doc->>'status' = 'processing' THEN doc->>'expectedBy' ELSE doc->>'requestedAt' END) STORED;
CREATE INDEX withdrawals_due ON withdrawals (due_at, id);

ALTER TABLE quotes ADD COLUMN expires_at text NOT NULL GENERATED ALWAYS AS (doc->>'expiresAt') STORED;
CREATE INDEX quotes_expiry ON quotes (expires_at, id);

CREATE INDEX idempotency_expiry ON idempotency (expires_at, user_id, key);

ALTER TABLE ticket_summaries
  ADD COLUMN solved_at text GENERATED ALWAYS AS (CASE WHEN doc->>'status' = 'solved' THEN doc->>'solvedAt' END) STORED;
CREATE INDEX ticket_summaries_solved ON ticket_summaries (solved_at, number) WHERE solved_at IS NOT NULL;
