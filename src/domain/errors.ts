// Every expected failure is `throw new AppError(code, message, { hint })` with a code from ERRORS,
// the one table of codes: its exit code, what it means and what usually helps. The shell
// (src/cli/main.ts) turns a code into its exit code; `okpay help errors` and docs/ERRORS.md list
// the table. Codes and exit codes are a contract (docs/ERRORS.md): add codes, never rename one.

interface ErrorSpec {
  readonly exitCode: 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 10 | 130;
  readonly meaning: string;
  readonly hint: string;
}

export const ERRORS = {
  INTERNAL: { exitCode: 1, meaning: 'an unexpected error: a bug in okpay', hint: 'run again with OKPAY_DEBUG=1 and report the output' },
  // invalid usage or input (exit 2); nothing was changed
  USAGE: {
    exitCode: 2,
    meaning: 'the command line is wrong: an unknown option, a missing value, a value a prompt would ask for without a terminal',
    hint: 'see `okpay COMMAND --help`',
  },
  INVALID_AMOUNT: {
    exitCode: 2,
    meaning: 'an amount is not a positive decimal with at most the currency’s minor digits, or is above the per-transaction maximum',
    hint: 'write it like 12.50 (JPY: 1200)',
  },
  INVALID_CURRENCY: {
    exitCode: 2,
    meaning: 'a currency code is not one okpay supports, or an amount is in another currency than expected',
    hint: 'use a code such as USD, EUR, GBP, CNY or JPY',
  },
  INVALID_EMAIL: { exitCode: 2, meaning: 'an email address is malformed', hint: 'for example alice@example.com' },
  INVALID_PHONE: {
    exitCode: 2,
    meaning: 'a phone number is malformed or not a mobile number of its country',
    hint: 'write it with + and the country code, e.g. +14155550100',
  },
  INVALID_RECIPIENT: {
    exitCode: 2,
    meaning: 'a recipient is neither an email address nor a phone number',
    hint: 'for example alice@example.com or +14155550100',
  },
  INVALID_COUNTRY: {
    exitCode: 2,
    meaning: 'a country code is unknown, or does not match the country of an IBAN',
    hint: 'use a two-letter ISO 3166 code such as US or DE',
  },
  INVALID_IBAN: { exitCode: 2, meaning: 'an IBAN has the wrong length, characters or check digits', hint: 'copy it from a bank statement; spaces are allowed' },
  INVALID_ROUTING_NUMBER: {
    exitCode: 2,
    meaning: 'a US routing number is not 9 digits with a valid ABA checksum',
    hint: 'copy it from a cheque or bank statement',
  },
  INVALID_ACCOUNT_NUMBER: { exitCode: 2, meaning: 'a US bank account number is not 4 to 17 digits', hint: 'leave out spaces and dashes' },
  INVALID_DOCUMENT: { exitCode: 2, meaning: 'an identity document number does not follow its document type’s rules', hint: 'see `okpay kyc submit --help`' },
  INVALID_TEXT: {
    exitCode: 2,
    meaning: 'a text value is empty, too short, too long, holds control or invisible characters, or (on standard input) is not valid UTF-8',
    hint: 'remove invisible and control characters and keep within the stated length',
  },
  INVALID_NAME: {
    exitCode: 2,
    meaning: 'a person’s name holds characters other than letters, spaces, apostrophes, hyphens and dots',
    hint: 'write the name as on an identity document',
  },
  INVALID_DATE: { exitCode: 2, meaning: 'a date or time is not ISO 8601, or not a real calendar date', hint: 'write it as YYYY-MM-DD or 2026-11-20T10:00:00Z' },
  INVALID_PERIOD: { exitCode: 2, meaning: 'a period’s end is not after its start, or the period is too long', hint: 'check --since and --until' },
  INVALID_NUMBER: { exitCode: 2, meaning: 'a number (a count, a score, a ticket number) is not a whole number in its range', hint: 'use the digits 0-9' },
  INVALID_CHOICE: {
    exitCode: 2,
    meaning: 'a value is not one of the values an option accepts (a language, category, tier, format, …)',
    hint: 'the message lists the accepted values',
  },
  INVALID_TAG: {
    exitCode: 2,
    meaning: 'a ticket tag holds characters other than a-z, 0-9 and hyphens, or there are too many tags',
    hint: 'for example --tags refund,card-payment',
  },
  INVALID_IDEMPOTENCY_KEY: {
    exitCode: 2,
    meaning: 'an idempotency key is not 1-64 characters of letters, digits and . _ : -',
    hint: 'for example --idempotency-key invoice-2026-0042',
  },
  INVALID_FILE: {
    exitCode: 2,
    meaning: 'a file named on the command line cannot be read, is not a regular file, is too large, or its content is wrong',
    hint: 'the message names the file and what is wrong in it',
  },
  INPUT_TOO_LARGE: { exitCode: 2, meaning: 'standard input is larger than okpay reads', hint: 'pass at most 8 MiB' },
  DUPLICATE_REFERENCE: { exitCode: 2, meaning: 'two rows of a batch file use the same reference', hint: 'give every row its own reference' },
  WEAK_PASSWORD: {
    exitCode: 2,
    meaning: 'a new password does not meet the policy (at least 8 characters with a letter, a digit and a symbol; at most 72 bytes)',
    hint: 'choose a longer password with a letter, a digit and a symbol',
  },
  PASSWORD_MISMATCH: { exitCode: 2, meaning: 'the new password and its repetition differ', hint: 'type the same password twice' },
  TERMS_NOT_ACCEPTED: { exitCode: 2, meaning: 'the terms of service were not accepted', hint: 'pass --accept-terms' },
  MAIL_NOT_IMPORTED: {
    exitCode: 2,
    meaning:
      '`ticket import` could not import some mails: refused (broken, hostile, no Message-ID or sender) or held (no customer account has the sender’s address)',
    hint: 'the report lists each mail and why; the others were imported',
  },
  SMTP_NOT_CONFIGURED: {
    exitCode: 2,
    meaning: 'a command that talks to the mail server ran without OKPAY_SMTP_URL',
    hint: 'set OKPAY_SMTP_URL=smtps://user:password@mail.example.com:465 (see docs/MAIL.md)',
  },
  CONFIRMATION_REQUIRED: {
    exitCode: 2,
    meaning: 'a money-moving or destructive command needs confirmation and there is no terminal to ask on',
    hint: 'pass --yes (-y)',
  },
  CANCELLED: { exitCode: 2, meaning: 'the question was answered no', hint: 'nothing was changed; run the command again to go ahead' },
  SELF_TRANSFER: { exitCode: 2, meaning: 'a payment names the sender as its recipient', hint: 'send to someone else' },
  QUOTE_MISMATCH: {
    exitCode: 2,
    meaning: 'a quote was made for another kind of payment, recipient, amount or currency than the command asks for',
    hint: 'leave out the options the quote already fixes, or get a new quote',
  },
  CUSTOMER_MISMATCH: {
    exitCode: 2,
    meaning: 'a ticket and a transaction or customer named with it belong to different customers',
    hint: 'check the ticket number and the transaction id',
  },
  TOO_MANY_TICKETS: {
    exitCode: 2,
    meaning: 'a bulk ticket change selects more tickets than one change takes',
    hint: 'narrow the selection with more filters, or change them in parts',
  },
  INVALID_MERGE: { exitCode: 2, meaning: 'a ticket cannot be merged into itself', hint: 'name two different tickets' },
  // authentication (exit 3)
  NOT_LOGGED_IN: { exitCode: 3, meaning: 'the command needs a signed-in user and there is no session', hint: 'sign in with `okpay login --email …`' },
  BAD_CREDENTIALS: { exitCode: 3, meaning: 'the email or the password is wrong', hint: 'forgot the password? `okpay password reset --email …`' },
  BAD_OTP: {
    exitCode: 3,
    meaning: 'a one-time code (or recovery code) is wrong, malformed or already used',
    hint: 'use the current code of your authenticator app, or a recovery code',
  },
  SESSION_EXPIRED: {
    exitCode: 3,
    meaning: 'the session ended: signed out, idle for 30 minutes, older than 12 hours, or revoked',
    hint: 'sign in again with `okpay login`',
  },
  INVALID_TOKEN: {
    exitCode: 3,
    meaning: 'an activation, password-reset or unlock token is wrong, used or expired',
    hint: 'copy the token from the newest mail (`okpay outbox list`), or ask for a new one',
  },
  // authorisation (exit 4)
  FORBIDDEN: {
    exitCode: 4,
    meaning: 'the signed-in user’s role or relation to the record does not allow this',
    hint: 'agent commands need an agent, admin commands an administrator',
  },
  // not found (exit 5)
  USER_NOT_FOUND: { exitCode: 5, meaning: 'no account has this email or phone number', hint: 'check the spelling' },
  AGENT_NOT_FOUND: {
    exitCode: 5,
    meaning: 'no available agent can take the ticket (tier and language)',
    hint: 'choose one with --to EMAIL, or add one with `okpay admin agent add`',
  },
  TX_NOT_FOUND: { exitCode: 5, meaning: 'there is no transaction with this id that you may see', hint: 'see yours with `okpay history`' },
  TICKET_NOT_FOUND: { exitCode: 5, meaning: 'there is no ticket with this number that you may see', hint: 'see yours with `okpay ticket list`' },
  QUOTE_NOT_FOUND: { exitCode: 5, meaning: 'there is no quote with this id that you may use', hint: 'get one with `okpay fee quote …`' },
  METHOD_NOT_FOUND: { exitCode: 5, meaning: 'there is no withdrawal method with this id among yours', hint: 'see yours with `okpay withdraw methods list`' },
  WITHDRAWAL_NOT_FOUND: { exitCode: 5, meaning: 'there is no withdrawal with this id among yours', hint: 'see yours with `okpay withdraw list`' },
  MAIL_NOT_FOUND: { exitCode: 5, meaning: 'there is no mail with this id in the outbox', hint: 'list them with `okpay outbox list`' },
  MACRO_NOT_FOUND: { exitCode: 5, meaning: 'there is no saved reply (macro) with this name', hint: 'list them with `okpay agent macros`' },
  FAQ_NOT_FOUND: { exitCode: 5, meaning: 'there is no FAQ article with this id', hint: 'search with `okpay faq QUERY`' },
  // conflicting state (exit 6)
  ACCOUNT_LOCKED: {
    exitCode: 6,
    meaning: 'the account is locked (by its owner, after failed sign-ins, or by an agent)',
    hint: 'the message says why and how to unlock it',
  },
  NOT_ACTIVATED: { exitCode: 6, meaning: 'the account has not been activated yet', hint: 'use the token from the activation mail: `okpay activate TOKEN`' },
  INVALID_TRANSITION: {
    exitCode: 6,
    meaning: 'the record is not in a state that allows this (already done, cancelled, closed, …)',
    hint: 'show the record to see its state',
  },
  IDEMPOTENCY_CONFLICT: { exitCode: 6, meaning: 'an idempotency key was used before with a different request', hint: 'use a new key for a new request' },
  QUOTE_EXPIRED: { exitCode: 6, meaning: 'the quote has expired or was already used', hint: 'get a new quote' },
  ALREADY_EXISTS: { exitCode: 6, meaning: 'something with this email, phone, name or role exists already', hint: 'use the existing one, or choose another' },
  EXPECTATION_FAILED: {
    exitCode: 6,
    meaning: 'fixtures loaded but their expect section did not hold; nothing was written',
    hint: 'fix the fixtures or their expectations',
  },
  ACCOUNT_CHANGED: {
    exitCode: 6,
    meaning: 'the account’s password was changed (or reset) while the password given was being checked, each time it was checked again; nothing was changed',
    hint: 'try again; if the password was just changed, with the new one',
  },
  STORE_NOT_EMPTY: {
    exitCode: 6,
    meaning: 'store copy was given a target that already holds a store (records, journal, audit log or mails); nothing was written',
    hint: 'copy into a new directory or an empty database',
  },
  // money (exit 7, 8)
  INSUFFICIENT_FUNDS: {
    exitCode: 7,
    meaning: 'the available balance does not cover the amount and its fee',
    hint: 'see `okpay balance`, deposit, or send less',
  },
  LIMIT_EXCEEDED: {
    exitCode: 8,
    meaning: 'the payment is above a per-transaction, daily or monthly limit, or a balance cap',
    hint: 'the message says which limit and what remains',
  },
  KYC_REQUIRED: {
    exitCode: 8,
    meaning: 'the payment is above the unverified limits until an agent approves the identity check',
    hint: 'submit one with `okpay kyc submit`',
  },
  // the data store (exit 10)
  STORE_LOCKED: {
    exitCode: 10,
    meaning: 'the store stayed busy (locked by another okpay) or changed under the command; nothing was changed',
    hint: 'try again',
  },
  STORE_CORRUPT: { exitCode: 10, meaning: 'the store is damaged, or `okpay verify` found a mismatch', hint: 'run `okpay verify`; restore from a backup' },
  STORE_TOO_NEW: { exitCode: 10, meaning: 'the store was written by a newer okpay', hint: 'upgrade okpay' },
  STORE_UNAVAILABLE: {
    exitCode: 10,
    meaning: 'the store cannot be read or written (permissions, disk, database connection)',
    hint: 'the message says what failed',
  },
  STORE_UNSAFE: {
    exitCode: 10,
    meaning: 'the store’s files or directories can be changed by another user, or are links; nothing was written',
    hint: 'fix the owner and permissions (0700 directories, 0600 files)',
  },
  // Ctrl-C (exit 130, as a shell reports a process ended by SIGINT)
  INTERRUPTED: { exitCode: 130, meaning: 'Ctrl-C was pressed at a question or a confirmation; nothing was changed', hint: 'run the command again to go ahead' },
} as const satisfies Readonly<Record<string, ErrorSpec>>;

export type ErrorCode = keyof typeof ERRORS;

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(code: ErrorCode, message: string, options: { hint?: string | undefined; details?: Record<string, unknown> | undefined } = {}) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.hint = options.hint;
    this.details = options.details;
  }

  get exitCode(): number {
    return ERRORS[this.code].exitCode;
  }
}

export function isAppError(value: unknown): value is AppError {
  return value instanceof AppError;
}
