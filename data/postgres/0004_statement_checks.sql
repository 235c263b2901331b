-- okpay's PostgreSQL schema, version 4: the chain and zero-sum checks run once per INSERT statement
-- over every row it added (a transition table), not once per row. A batch of 10,000 transfers
-- inserts 10,000 journal entries, 10,000 audit entries and 30,000 postings in one statement each;
-- a row trigger ran a query for every one of them (the chain check a dynamic, re-planned query),
-- which took most of the server's time in that commit. The rules themselves are unchanged.

DROP TRIGGER journal_chain ON journal;
DROP TRIGGER audit_chain ON audit;
DROP FUNCTION chain_links();

-- Each new chain entry follows the one before it: the previous entry (new in the same statement,
-- or already there) has the number before it and the hash it names; entry 1 follows the genesis hash.
CREATE FUNCTION journal_links() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  broken bigint;
BEGIN
  SELECT n.seq INTO broken FROM new_entries n LEFT JOIN journal p ON p.seq = n.seq - 1
   WHERE n.prev_hash IS DISTINCT FROM (CASE WHEN n.seq = 1 THEN repeat('0', 64) ELSE p.hash END)
   ORDER BY n.seq LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'journal entry % does not follow entry %', broken, broken - 1 USING ERRCODE = 'check_violation';
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER journal_chain AFTER INSERT ON journal REFERENCING NEW TABLE AS new_entries
  FOR EACH STATEMENT EXECUTE FUNCTION journal_links();

CREATE FUNCTION audit_links() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  broken bigint;
BEGIN
  SELECT n.seq INTO broken FROM new_entries n LEFT JOIN audit p ON p.seq = n.seq - 1
   WHERE n.prev_hash IS DISTINCT FROM (CASE WHEN n.seq = 1 THEN repeat('0', 64) ELSE p.hash END)
   ORDER BY n.seq LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'audit entry % does not follow entry %', broken, broken - 1 USING ERRCODE = 'check_violation';
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER audit_chain AFTER INSERT ON audit REFERENCING NEW TABLE AS new_entries
  FOR EACH STATEMENT EXECUTE FUNCTION audit_links();

-- A journal entry's postings sum to zero in each currency: checked after each INSERT into
-- journal_postings for every entry it added postings to, over all of that entry's postings (an
-- entry's postings are written in one statement; postings are append-only, so none change later).
DROP TRIGGER journal_postings_balance ON journal_postings;
DROP FUNCTION postings_balance();

CREATE FUNCTION postings_balance() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  unbalanced record;
BEGIN
  SELECT p.seq, p.currency, sum(p.amount_minor) AS total INTO unbalanced
    FROM journal_postings p WHERE p.seq IN (SELECT DISTINCT seq FROM new_postings)
   GROUP BY p.seq, p.currency HAVING sum(p.amount_minor) <> 0 ORDER BY p.seq LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'the postings of journal entry % sum to % in %, not zero', unbalanced.seq, unbalanced.total, unbalanced.currency
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER journal_postings_balance AFTER INSERT ON journal_postings REFERENCING NEW TABLE AS new_postings
  FOR EACH STATEMENT EXECUTE FUNCTION postings_balance();

-- Postings and parties name an existing journal entry: checked once per statement too, instead of
-- a foreign key, whose per-row check also locked the entry it found.
ALTER TABLE journal_postings DROP CONSTRAINT journal_postings_seq_fkey;
ALTER TABLE journal_parties DROP CONSTRAINT journal_parties_seq_fkey;

CREATE FUNCTION entries_named() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  missing bigint;
BEGIN
  SELECT n.seq INTO missing FROM (SELECT DISTINCT seq FROM new_rows) n
   WHERE NOT EXISTS (SELECT 1 FROM journal j WHERE j.seq = n.seq) ORDER BY n.seq LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION '% names journal entry %, which does not exist', TG_TABLE_NAME, missing USING ERRCODE = 'foreign_key_violation';
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER journal_postings_entry AFTER INSERT ON journal_postings REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION entries_named();
CREATE TRIGGER journal_parties_entry AFTER INSERT ON journal_parties REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION entries_named();
