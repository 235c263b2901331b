-- okpay's PostgreSQL schema, version 2: the SMTP delivery of each outbox mail made while a mail
-- server was configured (queued, sent with the server's answer, or failed with its attempts and
-- last error). Deliveries not yet sent are found through a partial index, so `okpay outbox send`
-- never reads the sent ones.

CREATE TABLE mail_deliveries (
  mail_id text PRIMARY KEY,
  doc jsonb NOT NULL CHECK (doc->>'mailId' = mail_id),
  status text NOT NULL GENERATED ALWAYS AS (doc->>'status') STORED CHECK (status IN ('queued', 'sent', 'failed')),
  attempts integer NOT NULL GENERATED ALWAYS AS ((doc->>'attempts')::integer) STORED CHECK (attempts >= 0)
);
CREATE INDEX mail_deliveries_waiting ON mail_deliveries (mail_id) WHERE status <> 'sent';
