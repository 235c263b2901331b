-- okpay's PostgreSQL schema, version 6: the journal's index of links. Each entry that follows up an
-- earlier transaction (a claim or a return of unclaimed money, a refund, a payout's completion,
-- release or return) is filed under the id of the transaction it links to, in the same statement
-- batch as the entry, so `okpay tx show` finds a transaction's follow-ups in one indexed query
-- instead of reading the payer's later history. Append-only, like the journal it indexes.

CREATE TABLE journal_links (
  tx_id text NOT NULL,
  seq bigint NOT NULL,
  PRIMARY KEY (tx_id, seq)
);

CREATE TRIGGER journal_links_append_only BEFORE UPDATE OR DELETE ON journal_links FOR EACH ROW EXECUTE FUNCTION append_only();
CREATE TRIGGER journal_links_entry AFTER INSERT ON journal_links REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION entries_named();

-- The links of the entries already written: each linked id once per entry.
INSERT INTO journal_links (tx_id, seq)
  SELECT DISTINCT link.tx_id, j.seq FROM journal j CROSS JOIN LATERAL json_array_elements_text(j.content->'links') AS link(tx_id);
