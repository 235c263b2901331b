-- okpay's PostgreSQL schema, version 3: the customer mails `okpay ticket import` turned into tickets
-- or replies, one row per Message-ID (the key is a hash of it), so the same mail is imported once
-- however often it is offered; the ticket it went to is kept for threading later replies.

CREATE TABLE mail_imports (
  key text PRIMARY KEY CHECK (key ~ '^[0-9a-f]{64}$'),
  doc jsonb NOT NULL,
  message_id text NOT NULL UNIQUE GENERATED ALWAYS AS (doc->>'messageId') STORED,
  ticket integer NOT NULL GENERATED ALWAYS AS ((doc->>'ticket')::integer) STORED CHECK (ticket > 0)
);
CREATE INDEX mail_imports_of_ticket ON mail_imports (ticket);
