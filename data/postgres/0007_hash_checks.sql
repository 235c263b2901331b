-- okpay's PostgreSQL schema, version 7: the same rule for every stored SHA-256 hex hash (64
-- lower-case hex digits), checked as a length and a character class. PostgreSQL's regex engine
-- expands a bounded repeat like [0-9a-f]{64} into a large automaton: about 20 µs a value, four
-- values per journal and audit entry, most of the server's time in a batch's INSERT of 10,000
-- entries of each; `length(…) = 64 AND … ~ '^[0-9a-f]+$'` accepts exactly the same texts in a
-- tenth of that.

ALTER TABLE journal DROP CONSTRAINT journal_prev_hash_check, DROP CONSTRAINT journal_hash_check,
  ADD CONSTRAINT journal_prev_hash_check CHECK (length(prev_hash) = 64 AND prev_hash ~ '^[0-9a-f]+$'),
  ADD CONSTRAINT journal_hash_check CHECK (length(hash) = 64 AND hash ~ '^[0-9a-f]+$');

ALTER TABLE audit DROP CONSTRAINT audit_prev_hash_check, DROP CONSTRAINT audit_hash_check,
  ADD CONSTRAINT audit_prev_hash_check CHECK (length(prev_hash) = 64 AND prev_hash ~ '^[0-9a-f]+$'),
  ADD CONSTRAINT audit_hash_check CHECK (length(hash) = 64 AND hash ~ '^[0-9a-f]+$');

ALTER TABLE chain_heads DROP CONSTRAINT chain_heads_hash_check,
  ADD CONSTRAINT chain_heads_hash_check CHECK (length(hash) = 64 AND hash ~ '^[0-9a-f]+$');

ALTER TABLE mail_imports DROP CONSTRAINT mail_imports_key_check,
  ADD CONSTRAINT mail_imports_key_check CHECK (length(key) = 64 AND key ~ '^[0-9a-f]+$');
