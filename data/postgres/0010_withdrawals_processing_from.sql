-- okpay's PostgreSQL schema, version 10: a requested withdrawal is due for settlement from the
-- moment its processing may start (the next opening of its payout region, recorded when it is
-- requested as processingFrom), so that `admin settle` reads none that is still waiting for its
-- region to open; a withdrawal requested before that field existed stays due from its request
-- (domain settleDueAt). The generated column and its index are made again.

ALTER TABLE withdrawals DROP COLUMN due_at;
ALTER TABLE withdrawals
  ADD COLUMN due_at text NOT NULL GENERATED ALWAYS AS (
    CASE WHEN doc->>'status' = 'processing' THEN doc->>'expectedBy' ELSE coalesce(doc->>'processingFrom', doc->>'requestedAt') END
  ) STORED;
CREATE INDEX withdrawals_due ON withdrawals (due_at, id);
