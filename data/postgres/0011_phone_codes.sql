-- okpay's PostgreSQL schema, version 11: each phone number's one-time codes across every account in
-- the last day (the codes texted to it, with the account each was for), which bound how many texts
-- one number is sent (and so the guesses at it), whichever accounts ask. One row per
-- number, keyed by a hash of it, so the table does not list numbers.

CREATE TABLE phone_codes (
  key text PRIMARY KEY CHECK (length(key) = 64 AND key ~ '^[0-9a-f]+$'),
  doc jsonb NOT NULL CHECK (jsonb_typeof(doc->'sent') = 'array')
);
