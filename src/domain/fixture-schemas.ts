// The shape of a fixture file, as valibot schemas (docs/SCHEMAS.md): each field's rule is written once
// here and the entry types are inferred from it. Rules that span entries (names, references, what
// `expect` may name) need the entries before them and stay in fixture-plan.ts.

import * as v from 'valibot';
import { int, looseObject, number, record, strictObject, variant, type Issue, type Schema } from './schema.js';
import { LANGUAGES } from './language.js';
import { PRIORITIES, TICKET_CATEGORIES, TICKET_CHANNELS } from './ticket-kinds.js';
import { TICKET_STATUSES } from './ticket-record.js';

export const SECTIONS = ['users', 'agents', 'transfers', 'withdrawals', 'tickets', 'expect'] as const;
export const COUNTABLE = ['users', 'agents', 'transactions', 'withdrawalsInFlight', 'tickets', 'openTickets'] as const;
export const FIXTURE_WITHDRAWAL_STATUSES = ['requested', 'processing', 'completed', 'failed', 'cancelled'] as const;
export const MAX_FIXTURE_ENTRIES = 10_000;
export const NAME = /^[A-Za-z][A-Za-z0-9_-]{0,39}$/;
export const RELATIVE_TIME = /^-(\d{1,5})([mhd])$/;

// Whole base32 groups of at least 20 bytes (what `okpay 2fa enable` makes): shorter secrets or
// stray padding bits are refused by the TOTP library at sign-in, long after the load succeeded.
const BASE32_SECRET = /^(?:[A-Z2-7]{8}){4,8}$/;
const ISO_TIME = /^(\d{4})-(\d{2})-(\d{2})T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;
const MAX_TEXT = 5000;

function kindOf(input: unknown): string {
  return Array.isArray(input) ? 'a list' : typeof input;
}

const absent = (issue: Issue) => issue.input === undefined || issue.input === null;

/** Text, or a number as YAML writes amounts and tiers, read as text. */
function text(max: number, missing = 'is required') {
  return v.pipe(
    v.pipe(
      v.union([v.string(), number()], (issue) => (absent(issue) ? missing : `must be text, not ${kindOf(issue.input)}`)),
      v.check((value) => String(value).length <= max, `is longer than ${max} characters`),
    ),
    v.transform((value) => String(value)),
  );
}

/** Text that must be there and hold more than spaces. */
function required(max = MAX_TEXT, missing?: string) {
  return v.pipe(
    text(max, missing),
    v.pipe(
      v.string(),
      v.check((value) => value.trim() !== '', 'is empty'),
    ),
  );
}

/** An optional field: absent or null reads as `fallback`. */
function orElse<T extends Schema, const F>(schema: T, fallback: F) {
  return v.pipe(
    v.nullish(schema, null),
    v.transform((value): v.InferOutput<T> | F => value ?? fallback),
  );
}

const optionalText = (max = MAX_TEXT) => orElse(text(max), null);

/** One of a list of words (a number is read as text: YAML's `score: 4`). */
function choice<const T extends string>(values: readonly T[], missing = 'is required') {
  const allowed = v.picklist(values, (issue) => `must be one of ${values.join(', ')} (got "${String(issue.input).slice(0, 30)}")`);
  return v.pipe(text(MAX_TEXT, missing), allowed);
}

const optionalChoice = <const T extends string, const F>(values: readonly T[], fallback: F) => orElse(choice(values), fallback);

function isCalendarTime(value: string): boolean {
  const match = ISO_TIME.exec(value);
  if (!match || !Number.isFinite(Date.parse(value))) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  return new Date(Date.UTC(year, month - 1, day)).getUTCDate() === day;
}

/** An ISO 8601 time with a zone (kept in UTC), or a time relative to the load, such as -2d, -3h, -45m. */
const time = orElse(
  v.pipe(
    text(MAX_TEXT),
    v.pipe(
      // No reference stands for a time, and Date.parse rolls 2026-02-30 over into March: both refused.
      v.pipe(
        v.string(),
        v.check(
          (value) => RELATIVE_TIME.test(value) || isCalendarTime(value),
          (issue) => `"${String(issue.input).slice(0, 40)}" is not an ISO 8601 time with a zone (2026-11-20T10:00:00Z) or a time before now (-2d, -3h, -45m)`,
        ),
      ),
      v.transform((value) => (RELATIVE_TIME.test(value) ? value : new Date(Date.parse(value)).toISOString())),
    ),
  ),
  null,
);

/** An object whose unknown fields are refused by name: a misspelt field would otherwise be lost. */
function entryObject<const S extends v.ObjectEntries>(shape: S, notAnObject = 'must be an object') {
  const fields = Object.keys(shape).join(', ');
  return strictObject(shape, (issue: Issue) =>
    issue.expected === 'never' ? `is not a field here (use ${fields})` : absent(issue) ? 'is required' : notAnObject,
  );
}

const amounts = v.pipe(
  record(
    v.pipe(v.string(), v.regex(/^[A-Z]{3}$/, 'must be a currency code such as USD')),
    v.union([v.string(), number()], 'must be an amount such as "100.00"'),
  ),
  v.transform((map): Record<string, string> => Object.fromEntries(Object.entries(map).map(([code, amount]) => [code, String(amount)]))),
);
const moneyMap = orElse(amounts, {});

const nameField = v.pipe(
  required(40),
  v.pipe(v.string(), v.regex(/^[A-Za-z][A-Za-z0-9_-]*$/, 'must start with a letter and use letters, digits, - or _ (at most 40)')),
);

const lockSchema = orElse(
  entryObject({ reason: choice(['self', 'failed-logins', 'agent'] as const, 'is required (self, failed-logins or agent)'), note: optionalText(200) }),
  null,
);

/** The fields users and agents share. */
const personShape = {
  name: nameField,
  email: required(254),
  password: required(200),
  fullName: optionalText(100),
  phone: optionalText(30),
  country: optionalText(2),
  language: optionalChoice(LANGUAGES, null),
  status: optionalChoice(['active', 'pending'] as const, 'active'),
  balances: moneyMap,
  twoFactorSecret: orElse(
    v.pipe(
      text(MAX_TEXT),
      v.pipe(v.string(), v.regex(BASE32_SECRET, 'must be 32, 40, 48, 56 or 64 base32 characters (A–Z, 2–7), such as the secret `okpay 2fa enable` prints')),
    ),
    null,
  ),
  kyc: optionalChoice(['none', 'pending', 'approved', 'rejected'] as const, 'none'),
  lock: lockSchema,
  antiPhishingPhrase: optionalText(40),
};

const fixtureUserSchema = v.pipe(
  entryObject({ ...personShape, role: optionalChoice(['user', 'admin'] as const, 'user'), at: time }),
  v.transform((user) => ({ ...user, kind: 'user' as 'user' | 'agent', tier: null as 1 | 2 | 3 | null, languages: [] as (typeof LANGUAGES)[number][] })),
);

const fixtureAgentSchema = v.pipe(
  entryObject({
    ...personShape,
    tier: v.pipe(
      v.pipe(text(MAX_TEXT, 'is required for an agent (1, 2 or 3)'), v.picklist(['1', '2', '3'], 'must be 1, 2 or 3')),
      v.transform((tier) => Number(tier) as 1 | 2 | 3),
    ),
    languages: v.pipe(
      v.array(choice(LANGUAGES), (issue) => (absent(issue) ? 'an agent needs at least one language' : 'must be a list')),
      v.minLength(1, 'an agent needs at least one language'),
    ),
    at: time,
  }),
  v.transform((agent) => ({ ...agent, kind: 'agent' as 'user' | 'agent', role: 'agent' as 'user' | 'agent' | 'admin' })),
);

const fixtureTransferSchema = entryObject({
  name: orElse(nameField, null),
  from: required(254),
  to: required(254),
  amount: required(32),
  currency: required(3),
  toCurrency: optionalText(3),
  memo: optionalText(140),
  at: time,
});

const bankSchema = v.pipe(
  entryObject({
    type: v.literal('bank'),
    holder: required(100),
    iban: optionalText(50),
    accountNumber: optionalText(20),
    routingNumber: optionalText(12),
    country: optionalText(2),
  }),
  v.forward(
    v.check(
      (bank) => bank.iban !== null || (bank.accountNumber !== null && bank.routingNumber !== null),
      'a bank method needs iban, or accountNumber and routingNumber',
    ),
    ['iban'],
  ),
);

const ewalletSchema = entryObject({ type: v.literal('ewallet'), provider: required(40), account: required(100) });

// An entry that is no object has no path of its own; an unknown `type` is named at `type`, its value the issue's input.
const methodSchema = variant('type', [bankSchema, ewalletSchema], (issue: Issue) => {
  if (issue.path === undefined)
    return absent(issue) ? 'is required: { type: bank, holder, iban } or { type: ewallet, provider, account }' : 'must be an object';
  return absent(issue) ? 'is required (bank or ewallet)' : `must be one of bank, ewallet (got "${String(issue.input).slice(0, 30)}")`;
});

const fixtureWithdrawalSchema = entryObject({
  name: orElse(nameField, null),
  user: required(254),
  method: methodSchema,
  amount: required(32),
  currency: required(3),
  status: optionalChoice(FIXTURE_WITHDRAWAL_STATUSES, 'requested'),
  at: time,
});

const messageSchema = entryObject(
  { from: required(254), body: required(), internal: orElse(v.boolean(), false), at: time },
  'must be an object { from, body }',
);

const ratingSchema = entryObject({
  score: v.pipe(choice(['1', '2', '3', '4', '5'] as const, 'is required (1 to 5)'), v.transform(Number)),
  comment: optionalText(500),
});

const fixtureTicketSchema = entryObject({
  name: orElse(nameField, null),
  customer: required(254),
  category: choice(TICKET_CATEGORIES, `is required (${TICKET_CATEGORIES.join(', ')})`),
  subject: required(150),
  body: required(),
  channel: optionalChoice(TICKET_CHANNELS, null),
  language: optionalChoice(LANGUAGES, null),
  tx: optionalText(40),
  priority: optionalChoice(PRIORITIES, null),
  status: optionalChoice(TICKET_STATUSES, null),
  assignee: optionalText(254),
  messages: orElse(v.array(messageSchema), []),
  rating: orElse(ratingSchema, null),
  escalation: optionalText(500),
  refund: orElse(entryObject({ agent: required(254) }), null),
  at: time,
});

const perUser = orElse(record(v.string(), amounts), {});

export const fixtureExpectSchema = entryObject(
  {
    balances: perUser,
    held: perUser,
    statuses: orElse(record(v.string(), v.string('must be a status name')), {}),
    counts: orElse(
      record(
        v.pipe(
          v.string(),
          v.check((key) => (COUNTABLE as readonly string[]).includes(key), `can count ${COUNTABLE.join(', ')}`),
        ),
        v.pipe(int('must be a whole number'), v.minValue(0, 'must be a whole number')),
      ),
      {},
    ),
  },
  'must be an object with balances, held, statuses or counts',
);

const section = orElse(
  v.pipe(v.array(looseObject({}, 'must be an object'), 'must be a list'), v.maxLength(MAX_FIXTURE_ENTRIES, `has more than ${MAX_FIXTURE_ENTRIES} entries`)),
  [],
);

/** A whole file, sections only: each entry is checked on its own, so a problem names its entry. */
export const fixtureFileSchema = strictObject(
  { users: section, agents: section, transfers: section, withdrawals: section, tickets: section, expect: v.optional(v.unknown()) },
  (issue: Issue) =>
    issue.expected === 'never'
      ? `is not a section (use ${SECTIONS.join(', ')})`
      : 'the file must hold an object with users, agents, transfers, withdrawals, tickets and expect',
);

/** The schema of each list section's entries, with the entry kind it makes. */
export const ENTRY_SCHEMAS = {
  users: fixtureUserSchema,
  agents: fixtureAgentSchema,
  transfers: fixtureTransferSchema,
  withdrawals: fixtureWithdrawalSchema,
  tickets: fixtureTicketSchema,
} as const;

export interface Where {
  readonly file: string;
  readonly entry: string;
}

type Located<T> = Readonly<T> & { readonly where: Where };
export type FixtureUser = Located<v.InferOutput<typeof fixtureUserSchema> | v.InferOutput<typeof fixtureAgentSchema>>;
export type FixtureTransfer = Located<v.InferOutput<typeof fixtureTransferSchema>>;
export type FixtureWithdrawal = Located<v.InferOutput<typeof fixtureWithdrawalSchema>>;
export type FixtureMethod = v.InferOutput<typeof methodSchema>;
export type FixtureTicket = Located<v.InferOutput<typeof fixtureTicketSchema>>;
