-- okpay's PostgreSQL schema, version 8: the open queue in groups (src/domain/queue-groups.ts), so
-- that the first page of `agent queue` reads the few groups that can reach it instead of every
-- open ticket. okpay writes each open summary's group and its facts beside it (the group rule is
-- code, not SQL: one source of truth); the groups' facts are one aggregate over the index below,
-- and a group's tickets one scan of it. `store migrate` fills these columns for the open tickets a
-- database already holds, in the same transaction as this file.

ALTER TABLE ticket_summaries
  ADD COLUMN queue_group text,
  ADD COLUMN queue_elapsed_minutes double precision,
  ADD COLUMN queue_running_since_ms bigint,
  ADD COLUMN queue_unreached boolean,
  ADD COLUMN queue_due_at_ms bigint,
  ADD COLUMN queue_created_ms bigint,
  ADD CONSTRAINT ticket_summaries_queue_facts CHECK (
    queue_group IS NULL OR (queue_elapsed_minutes IS NOT NULL AND queue_unreached IS NOT NULL AND queue_created_ms IS NOT NULL)
  );
CREATE INDEX ticket_summaries_queue ON ticket_summaries (queue_group)
  INCLUDE (queue_elapsed_minutes, queue_running_since_ms, queue_unreached, queue_due_at_ms, queue_created_ms)
  WHERE queue_group IS NOT NULL;
