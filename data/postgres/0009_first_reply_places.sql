-- okpay's PostgreSQL schema, version 9: a ticket's place among those waiting for their first
-- answer (`ticket show`) from the queue groups' counts. Each open summary says whether it waits
-- for its first answer, so that a group's count of them is part of the aggregate over the queue
-- index, which is made again to cover the new column (its least and latest facts are min and max
-- over the columns it already covers). The open summaries a database already holds are filled
-- from their documents, in the same transaction as this file.

ALTER TABLE ticket_summaries
  ADD COLUMN queue_first_reply boolean;
UPDATE ticket_summaries SET queue_first_reply = (doc->>'waitingForFirstReply')::boolean WHERE queue_group IS NOT NULL;
ALTER TABLE ticket_summaries
  DROP CONSTRAINT ticket_summaries_queue_facts,
  ADD CONSTRAINT ticket_summaries_queue_facts CHECK (
    queue_group IS NULL
    OR (queue_elapsed_minutes IS NOT NULL AND queue_unreached IS NOT NULL AND queue_created_ms IS NOT NULL AND queue_first_reply IS NOT NULL)
  );
DROP INDEX ticket_summaries_queue;
CREATE INDEX ticket_summaries_queue ON ticket_summaries (queue_group)
  INCLUDE (queue_elapsed_minutes, queue_running_since_ms, queue_unreached, queue_due_at_ms, queue_created_ms, queue_first_reply)
  WHERE queue_group IS NOT NULL;
