-- okpay's PostgreSQL schema, version 1: one table per kind of record. Each record is kept whole in
-- `doc` (jsonb, read back as the same value), and every field that a query looks up or that the
-- database must keep honest is a real column: keys, owners, statuses, amounts as bigint minor
-- units, emails, phones, tokens. Columns taken from `doc` are generated from it, so the two can
-- never disagree. The journal, the audit log and the outbox are append-only, hash-chained as in
-- the file store (the entry's exact JSON text is kept in `content`).

CREATE TABLE store_meta (
  only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
  created_at text NOT NULL,
  segment_size integer NOT NULL CHECK (segment_size > 0),
  test_store boolean NOT NULL DEFAULT false
);

-- Counters that move independently (a ticket reply does not touch the mail counter).
CREATE TABLE counters (
  name text PRIMARY KEY CHECK (name IN ('users', 'mail', 'ticket')),
  value bigint NOT NULL CHECK (value >= 0)
);

CREATE TABLE chain_heads (
  chain text PRIMARY KEY CHECK (chain IN ('journal', 'audit')),
  seq bigint NOT NULL CHECK (seq >= 0),
  hash text NOT NULL CHECK (hash ~ '^[0-9a-f]{64}$')
);

CREATE TABLE users (
  id text PRIMARY KEY,
  doc jsonb NOT NULL CHECK (doc->>'id' = id),
  email text NOT NULL UNIQUE GENERATED ALWAYS AS (doc->>'email') STORED
    CHECK (email = lower(email) AND email ~ '^[^@[:space:]]+@[^@[:space:]]+$'),
  phone text UNIQUE GENERATED ALWAYS AS (doc->>'phone') STORED CHECK (phone ~ '^\+[1-9][0-9]{5,14}$'),
  role text NOT NULL GENERATED ALWAYS AS (doc->>'role') STORED CHECK (role IN ('user', 'agent', 'admin')),
  failed_logins integer NOT NULL GENERATED ALWAYS AS ((doc->>'failedLogins')::integer) STORED CHECK (failed_logins >= 0),
  activation_token text GENERATED ALWAYS AS (doc->'activation'->>'tokenHash') STORED,
  password_reset_token text GENERATED ALWAYS AS (doc->'passwordReset'->>'tokenHash') STORED,
  unlock_token text GENERATED ALWAYS AS (doc->'unlockToken'->>'tokenHash') STORED
);
CREATE INDEX users_activation_token ON users (activation_token) WHERE activation_token IS NOT NULL;
CREATE INDEX users_password_reset_token ON users (password_reset_token) WHERE password_reset_token IS NOT NULL;
CREATE INDEX users_unlock_token ON users (unlock_token) WHERE unlock_token IS NOT NULL;
CREATE INDEX users_staff ON users (id) WHERE role IN ('agent', 'admin');

CREATE TABLE sessions (
  token_hash text PRIMARY KEY,
  doc jsonb NOT NULL,
  user_id text NOT NULL GENERATED ALWAYS AS (doc->>'userId') STORED
);
CREATE INDEX sessions_user ON sessions (user_id);

-- Signed minor units per account and currency; a customer's own and held money never goes below zero.
CREATE TABLE balances (
  account text NOT NULL,
  currency text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  amount_minor bigint NOT NULL CHECK (amount_minor >= 0 OR NOT (account LIKE 'user:%' OR account LIKE 'hold:%')),
  PRIMARY KEY (account, currency)
);

CREATE TABLE quotes (
  id text PRIMARY KEY,
  doc jsonb NOT NULL CHECK (doc->>'id' = id),
  user_id text NOT NULL GENERATED ALWAYS AS (doc->>'userId') STORED,
  amount_minor bigint NOT NULL GENERATED ALWAYS AS ((doc->>'amountMinor')::bigint) STORED CHECK (amount_minor > 0),
  fee_minor bigint NOT NULL GENERATED ALWAYS AS ((doc->>'feeMinor')::bigint) STORED CHECK (fee_minor >= 0),
  used_by text UNIQUE GENERATED ALWAYS AS (doc->>'usedBy') STORED
);

-- A quote is used once: once `usedBy` is set it never changes.
CREATE FUNCTION quote_used_once() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.used_by IS NOT NULL AND NEW.used_by IS DISTINCT FROM OLD.used_by THEN
    RAISE EXCEPTION 'quote % was already used by %', OLD.id, OLD.used_by USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER quotes_used_once BEFORE UPDATE ON quotes FOR EACH ROW EXECUTE FUNCTION quote_used_once();

CREATE TABLE idempotency (
  user_id text NOT NULL,
  key text NOT NULL,
  fingerprint text NOT NULL,
  tx_id text NOT NULL,
  expires_at text NOT NULL,
  PRIMARY KEY (user_id, key)
);

CREATE TABLE unclaimed (
  tx_id text PRIMARY KEY,
  doc jsonb NOT NULL CHECK (doc->>'txId' = tx_id),
  to_email text GENERATED ALWAYS AS (doc->>'toEmail') STORED,
  to_phone text GENERATED ALWAYS AS (doc->>'toPhone') STORED,
  amount_minor bigint NOT NULL GENERATED ALWAYS AS ((doc->>'amountMinor')::bigint) STORED CHECK (amount_minor > 0),
  created_at text NOT NULL GENERATED ALWAYS AS (doc->>'createdAt') STORED,
  expires_at text NOT NULL GENERATED ALWAYS AS (doc->>'expiresAt') STORED,
  CHECK (to_email IS NOT NULL OR to_phone IS NOT NULL)
);
CREATE INDEX unclaimed_email ON unclaimed (to_email) WHERE to_email IS NOT NULL;
CREATE INDEX unclaimed_phone ON unclaimed (to_phone) WHERE to_phone IS NOT NULL;
CREATE INDEX unclaimed_expiry ON unclaimed (expires_at, tx_id);

-- One refund per transaction, and a refund refunds one transaction.
CREATE TABLE refunds (
  refunded_tx_id text PRIMARY KEY,
  refund_tx_id text NOT NULL UNIQUE
);

-- Outgoing USD-equivalent minor units per user and UTC day.
CREATE TABLE limit_days (
  user_id text NOT NULL,
  day text NOT NULL CHECK (day ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'),
  usd_minor bigint NOT NULL CHECK (usd_minor > 0),
  PRIMARY KEY (user_id, day)
);

CREATE TABLE methods (
  id text PRIMARY KEY,
  doc jsonb NOT NULL CHECK (doc->>'id' = id),
  user_id text NOT NULL GENERATED ALWAYS AS (doc->>'userId') STORED
);
CREATE INDEX methods_user ON methods (user_id);

CREATE TABLE withdrawals (
  id text PRIMARY KEY,
  doc jsonb NOT NULL CHECK (doc->>'id' = id),
  user_id text NOT NULL GENERATED ALWAYS AS (doc->>'userId') STORED,
  hold_tx_id text NOT NULL UNIQUE GENERATED ALWAYS AS (doc->>'holdTxId') STORED,
  amount_minor bigint NOT NULL GENERATED ALWAYS AS ((doc->>'amountMinor')::bigint) STORED CHECK (amount_minor > 0),
  requested_at text NOT NULL GENERATED ALWAYS AS (doc->>'requestedAt') STORED
);
CREATE INDEX withdrawals_user ON withdrawals (user_id);
CREATE INDEX withdrawals_requested ON withdrawals (requested_at, id);

CREATE TABLE tickets (
  number integer PRIMARY KEY CHECK (number > 0),
  doc jsonb NOT NULL CHECK ((doc->>'number')::integer = number)
);

-- What the queue and the lists need of each ticket, written beside it.
CREATE TABLE ticket_summaries (
  number integer PRIMARY KEY REFERENCES tickets (number),
  doc jsonb NOT NULL CHECK ((doc->>'number')::integer = number),
  customer_id text NOT NULL GENERATED ALWAYS AS (doc->>'customerId') STORED,
  status text NOT NULL GENERATED ALWAYS AS (doc->>'status') STORED
);
CREATE INDEX ticket_summaries_customer ON ticket_summaries (customer_id, number DESC);
CREATE INDEX ticket_summaries_open ON ticket_summaries (number) WHERE status IN ('new', 'open', 'pending', 'on-hold');
CREATE INDEX ticket_summaries_status ON ticket_summaries (status, number DESC);

-- ---- append-only, hash-chained logs -------------------------------------------------------------

CREATE TABLE journal (
  seq bigint PRIMARY KEY CHECK (seq > 0),
  prev_hash text NOT NULL CHECK (prev_hash ~ '^[0-9a-f]{64}$'),
  hash text NOT NULL CHECK (hash ~ '^[0-9a-f]{64}$'),
  end_of_commit boolean NOT NULL,
  -- The stored transaction's JSON text exactly as hashed (json keeps the text as given).
  content json NOT NULL
);

CREATE TABLE journal_parties (
  user_id text NOT NULL,
  seq bigint NOT NULL REFERENCES journal (seq),
  PRIMARY KEY (user_id, seq)
);

CREATE TABLE journal_postings (
  seq bigint NOT NULL REFERENCES journal (seq),
  line integer NOT NULL,
  account text NOT NULL,
  currency text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  amount_minor bigint NOT NULL CHECK (amount_minor <> 0),
  PRIMARY KEY (seq, line)
);

-- A transaction's postings sum to zero in each currency: checked at commit, once all are in.
CREATE FUNCTION postings_balance() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  unbalanced record;
BEGIN
  SELECT currency, sum(amount_minor) AS total INTO unbalanced
    FROM journal_postings WHERE seq = NEW.seq GROUP BY currency HAVING sum(amount_minor) <> 0 LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'the postings of journal entry % sum to % in %, not zero', NEW.seq, unbalanced.total, unbalanced.currency
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER journal_postings_balance AFTER INSERT ON journal_postings
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION postings_balance();

CREATE TABLE audit (
  seq bigint PRIMARY KEY CHECK (seq > 0),
  prev_hash text NOT NULL CHECK (prev_hash ~ '^[0-9a-f]{64}$'),
  hash text NOT NULL CHECK (hash ~ '^[0-9a-f]{64}$'),
  end_of_commit boolean NOT NULL,
  content json NOT NULL
);

CREATE TABLE outbox (
  seq bigint PRIMARY KEY CHECK (seq > 0),
  id text NOT NULL UNIQUE,
  mail json NOT NULL
);

-- Each chain entry follows the one before it: the next number, and the previous entry's hash.
CREATE FUNCTION chain_links() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  previous text;
BEGIN
  IF NEW.seq = 1 THEN
    previous := repeat('0', 64);
  ELSE
    EXECUTE format('SELECT hash FROM %I WHERE seq = $1', TG_TABLE_NAME) INTO previous USING NEW.seq - 1;
  END IF;
  IF previous IS DISTINCT FROM NEW.prev_hash THEN
    RAISE EXCEPTION '% entry % does not follow entry %', TG_TABLE_NAME, NEW.seq, NEW.seq - 1 USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER journal_chain BEFORE INSERT ON journal FOR EACH ROW EXECUTE FUNCTION chain_links();
CREATE TRIGGER audit_chain BEFORE INSERT ON audit FOR EACH ROW EXECUTE FUNCTION chain_links();

CREATE FUNCTION append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER journal_append_only BEFORE UPDATE OR DELETE ON journal FOR EACH ROW EXECUTE FUNCTION append_only();
CREATE TRIGGER journal_parties_append_only BEFORE UPDATE OR DELETE ON journal_parties FOR EACH ROW EXECUTE FUNCTION append_only();
CREATE TRIGGER journal_postings_append_only BEFORE UPDATE OR DELETE ON journal_postings FOR EACH ROW EXECUTE FUNCTION append_only();
CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON audit FOR EACH ROW EXECUTE FUNCTION append_only();
CREATE TRIGGER outbox_append_only BEFORE UPDATE OR DELETE ON outbox FOR EACH ROW EXECUTE FUNCTION append_only();
CREATE TRIGGER journal_no_truncate BEFORE TRUNCATE ON journal FOR EACH STATEMENT EXECUTE FUNCTION append_only();
CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit FOR EACH STATEMENT EXECUTE FUNCTION append_only();
CREATE TRIGGER outbox_no_truncate BEFORE TRUNCATE ON outbox FOR EACH STATEMENT EXECUTE FUNCTION append_only();
