// Fixture files: users, agents, transfers, withdrawals and tickets, in order, with `${name.field}`
// references to entries defined earlier, and an `expect` section. Everything is checked here,
// before anything is written: a bad entry is reported with its file, entry and field.

import { AppError } from './errors.js';
import { isLanguage, LANGUAGES, type Language } from './language.js';
import type { KycStatus, LockReason } from './state.js';
import { PRIORITIES, TICKET_CATEGORIES, TICKET_CHANNELS } from './ticket-kinds.js';
import { TICKET_STATUSES } from './ticket-record.js';
import type { TxStatus } from './tx-view.js';

export interface Where {
  readonly file: string;
  readonly entry: string;
}

export interface FixtureUser {
  readonly kind: 'user' | 'agent';
  readonly name: string;
  readonly email: string;
  readonly password: string;
  readonly fullName: string | null;
  readonly phone: string | null;
  readonly country: string | null;
  readonly language: Language | null;
  readonly role: 'user' | 'agent' | 'admin';
  readonly status: 'active' | 'pending';
  readonly balances: Readonly<Record<string, string>>;
  readonly twoFactorSecret: string | null;
  readonly kyc: KycStatus;
  readonly lock: { readonly reason: LockReason; readonly note: string | null } | null;
  readonly antiPhishingPhrase: string | null;
  readonly tier: 1 | 2 | 3 | null;
  readonly languages: readonly Language[];
  readonly at: string | null;
  readonly where: Where;
}

export interface FixtureTransfer {
  readonly name: string | null;
  readonly from: string;
  readonly to: string;
  readonly amount: string;
  readonly currency: string;
  readonly toCurrency: string | null;
  readonly memo: string | null;
  readonly at: string | null;
  readonly where: Where;
}

export type FixtureMethod =
  | {
      readonly type: 'bank';
      readonly holder: string;
      readonly iban: string | null;
      readonly accountNumber: string | null;
      readonly routingNumber: string | null;
      readonly country: string | null;
    }
  | { readonly type: 'ewallet'; readonly provider: string; readonly account: string };

const FIXTURE_WITHDRAWAL_STATUSES = ['requested', 'processing', 'completed', 'failed', 'cancelled'] as const;

export interface FixtureWithdrawal {
  readonly name: string | null;
  readonly user: string;
  readonly method: FixtureMethod;
  readonly amount: string;
  readonly currency: string;
  readonly status: (typeof FIXTURE_WITHDRAWAL_STATUSES)[number];
  readonly at: string | null;
  readonly where: Where;
}

export interface FixtureMessage {
  readonly from: string;
  readonly body: string;
  readonly internal: boolean;
  readonly at: string | null;
}

export interface FixtureTicket {
  readonly name: string | null;
  readonly customer: string;
  readonly category: string;
  readonly subject: string;
  readonly body: string;
  readonly channel: string | null;
  readonly language: string | null;
  readonly tx: string | null;
  readonly priority: string | null;
  readonly status: string | null;
  readonly assignee: string | null;
  readonly messages: readonly FixtureMessage[];
  readonly rating: { readonly score: number; readonly comment: string | null } | null;
  readonly escalation: string | null;
  readonly refund: { readonly agent: string } | null;
  readonly at: string | null;
  readonly where: Where;
}

export interface FixtureExpect {
  /** Checked once this many entries are loaded: right after the entries of its own file. */
  readonly afterEntries: number;
  readonly balances: Readonly<Record<string, Readonly<Record<string, string>>>>;
  readonly held: Readonly<Record<string, Readonly<Record<string, string>>>>;
  readonly statuses: Readonly<Record<string, string>>;
  readonly counts: Readonly<Record<string, number>>;
  readonly where: Where;
}

export type FixtureEntry =
  | { readonly kind: 'user'; readonly value: FixtureUser }
  | { readonly kind: 'transfer'; readonly value: FixtureTransfer }
  | { readonly kind: 'withdrawal'; readonly value: FixtureWithdrawal }
  | { readonly kind: 'ticket'; readonly value: FixtureTicket };

export interface FixturePlan {
  readonly entries: readonly FixtureEntry[];
  readonly expectations: readonly FixtureExpect[];
}

/** The fields a reference may name, per kind of entry. */
const REFERENCE_FIELDS: Readonly<Record<string, readonly string[]>> = {
  user: ['id', 'email', 'phone', 'name'],
  transfer: ['id'],
  withdrawal: ['id', 'methodId'],
  ticket: ['number'],
};

export const COUNTABLE = ['users', 'agents', 'transactions', 'withdrawalsInFlight', 'tickets', 'openTickets'] as const;
const SECTIONS = ['users', 'agents', 'transfers', 'withdrawals', 'tickets', 'expect'];
const REFERENCE = /\$\{([A-Za-z][A-Za-z0-9_-]*)\.([A-Za-z]+)\}/g;
const NAME = /^[A-Za-z][A-Za-z0-9_-]{0,39}$/;
const RELATIVE_TIME = /^-(\d{1,5})([mhd])$/;
const UNIT_MS: Readonly<Record<string, number>> = { m: 60_000, h: 3_600_000, d: 86_400_000 };

/** The instant an entry's `at` stands for: absolute, or relative to the moment of loading. */
export function fixtureTime(at: string | null, nowMs: number): string {
  if (at === null) return new Date(nowMs).toISOString();
  const relative = RELATIVE_TIME.exec(at);
  if (relative) return new Date(nowMs - Number(relative[1]) * (UNIT_MS[relative[2] ?? 'm'] ?? 60_000)).toISOString();
  return at;
}
// Whole base32 groups of at least 20 bytes (what `okpay 2fa enable` makes): shorter secrets or
// stray padding bits are refused by the TOTP library at sign-in, long after the load succeeded.
const BASE32_SECRET = /^(?:[A-Z2-7]{8}){4,8}$/;
/** What `expect.statuses` may say about a transfer: the statuses `okpay tx show` reports for one. */
const TRANSFER_STATUSES: readonly TxStatus[] = ['completed', 'unclaimed', 'claimed', 'returned', 'refunded'];
const ISO_TIME = /^(\d{4})-(\d{2})-(\d{2})T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

/** The fields each kind of entry may have: anything else is a typo that would be silently lost. */
const FIELDS = {
  user: [
    'name',
    'email',
    'password',
    'fullName',
    'phone',
    'country',
    'language',
    'role',
    'status',
    'balances',
    'twoFactorSecret',
    'kyc',
    'lock',
    'antiPhishingPhrase',
    'at',
  ],
  agent: [
    'name',
    'email',
    'password',
    'fullName',
    'phone',
    'country',
    'language',
    'status',
    'balances',
    'twoFactorSecret',
    'kyc',
    'lock',
    'antiPhishingPhrase',
    'tier',
    'languages',
    'at',
  ],
  lock: ['reason', 'note'],
  transfer: ['name', 'from', 'to', 'amount', 'currency', 'toCurrency', 'memo', 'at'],
  withdrawal: ['name', 'user', 'method', 'amount', 'currency', 'status', 'at'],
  bank: ['type', 'holder', 'iban', 'accountNumber', 'routingNumber', 'country'],
  ewallet: ['type', 'provider', 'account'],
  ticket: [
    'name',
    'customer',
    'category',
    'subject',
    'body',
    'channel',
    'language',
    'tx',
    'priority',
    'status',
    'assignee',
    'messages',
    'rating',
    'escalation',
    'refund',
    'at',
  ],
  message: ['from', 'body', 'internal', 'at'],
  rating: ['score', 'comment'],
  refund: ['agent'],
} as const;

const MAX_FIXTURE_ENTRIES = 10_000;

type Json = Record<string, unknown>;

function isCalendarTime(value: string): boolean {
  const match = ISO_TIME.exec(value);
  if (!match || !Number.isFinite(Date.parse(value))) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  return new Date(Date.UTC(year, month - 1, day)).getUTCDate() === day;
}

class Checker {
  constructor(
    readonly where: Where,
    private readonly raw: Json,
    /** Where this object sits inside the entry (`lock.`, `method.`), so a message names the whole field. */
    private readonly prefix = '',
  ) {}

  fail(field: string, message: string): never {
    throw new AppError('INVALID_FILE', `${this.where.file}: ${this.where.entry}: ${this.prefix}${field}: ${message}`, { hint: NOTHING_CHANGED });
  }

  /** A checker for an object inside this one, or null when the field is absent. */
  nested(field: string): Checker | null {
    const value = this.object(field);
    return value === null ? null : new Checker(this.where, value, `${this.prefix}${field}.`);
  }

  string(field: string, options: { required?: boolean; max?: number } = {}): string | null {
    const value = this.raw[field];
    if (value === undefined || value === null) {
      if (options.required) this.fail(field, 'is required');
      return null;
    }
    if (typeof value !== 'string' && typeof value !== 'number') this.fail(field, `must be text, not ${Array.isArray(value) ? 'a list' : typeof value}`);
    const text = String(value);
    if (text.trim() === '' && options.required) this.fail(field, 'is empty');
    if (text.length > (options.max ?? 5000)) this.fail(field, `is longer than ${options.max ?? 5000} characters`);
    return text;
  }

  required(field: string, max?: number): string {
    return this.string(field, { required: true, ...(max === undefined ? {} : { max }) }) ?? '';
  }

  oneOf<T extends string>(field: string, allowed: readonly T[], fallback: T | null): T | null {
    const value = this.string(field);
    if (value === null) return fallback;
    if (!(allowed as readonly string[]).includes(value)) this.fail(field, `must be one of ${allowed.join(', ')} (got "${value.slice(0, 30)}")`);
    return value as T;
  }

  object(field: string): Json | null {
    const value = this.raw[field];
    if (value === undefined || value === null) return null;
    if (typeof value !== 'object' || Array.isArray(value)) this.fail(field, 'must be an object');
    return value as Json;
  }

  /** Refuses fields this kind of entry does not have (a misspelt field would otherwise be ignored). */
  only(allowed: readonly string[]): void {
    for (const key of Object.keys(this.raw)) {
      if (!allowed.includes(key)) this.fail(key, `is not a field here (use ${allowed.join(', ')})`);
    }
  }

  boolean(field: string): boolean {
    const value = this.raw[field];
    if (value === undefined || value === null) return false;
    if (typeof value !== 'boolean') this.fail(field, 'must be true or false');
    return value;
  }

  list(field: string): unknown[] {
    const value = this.raw[field];
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value)) this.fail(field, 'must be a list');
    return value;
  }

  /** An ISO 8601 time with a zone, or a time relative to the load, such as -2d, -3h, -45m. */
  time(field: string): string | null {
    const value = this.string(field);
    if (value === null || RELATIVE_TIME.test(value)) return value;
    // No reference stands for a time, and Date.parse rolls 2026-02-30 over into March: both refused.
    if (!isCalendarTime(value)) {
      this.fail(field, `"${value.slice(0, 40)}" is not an ISO 8601 time with a zone (2026-11-20T10:00:00Z) or a time before now (-2d, -3h, -45m)`);
    }
    return new Date(Date.parse(value)).toISOString();
  }
}

const MAX_PROBLEMS = 100;
const NOTHING_CHANGED = 'the file was checked before anything was written; nothing changed';

/**
 * Checks every file; names must be unique and references must point at entries defined before.
 * Every bad entry is reported (the first problem of each, up to MAX_PROBLEMS), not only the first.
 */
export function planFixtures(files: readonly { file: string; data: unknown }[]): FixturePlan {
  const plan: Planning = { known: new Map(), entries: [], expectations: [], problems: [] };
  for (const { file, data } of files) collect(plan, () => planFile(plan, file, data));
  if (plan.problems.length === 1) throw plan.problems[0];
  if (plan.problems.length > 1) {
    const messages = plan.problems.map((problem) => problem.message);
    throw new AppError(
      'INVALID_FILE',
      `the fixture files have ${messages.length}${messages.length >= MAX_PROBLEMS ? ' or more' : ''} problems: ${messages.join('; ')}`,
      {
        hint: NOTHING_CHANGED,
        details: { problems: messages },
      },
    );
  }
  return { entries: plan.entries, expectations: plan.expectations };
}

interface Planning {
  readonly known: Map<string, string>;
  readonly entries: FixtureEntry[];
  readonly expectations: FixtureExpect[];
  readonly problems: AppError[];
}

/** Runs one check; a refusal is kept for the report and checking goes on with the next entry. */
function collect(plan: Planning, check: () => void): void {
  if (plan.problems.length >= MAX_PROBLEMS) return;
  try {
    check();
  } catch (error) {
    if (!(error instanceof AppError) || error.code !== 'INVALID_FILE') throw error;
    plan.problems.push(error);
  }
}

const ENTRY_KINDS: readonly (readonly [string, FixtureEntry['kind'], (c: Checker) => FixtureEntry])[] = [
  ['users', 'user', (c) => ({ kind: 'user', value: userEntry(c, 'user') })],
  ['agents', 'user', (c) => ({ kind: 'user', value: userEntry(c, 'agent') })],
  ['transfers', 'transfer', (c) => ({ kind: 'transfer', value: transferEntry(c) })],
  ['withdrawals', 'withdrawal', (c) => ({ kind: 'withdrawal', value: withdrawalEntry(c) })],
  ['tickets', 'ticket', (c) => ({ kind: 'ticket', value: ticketEntry(c) })],
];

function planFile(plan: Planning, file: string, data: unknown): void {
  if (data === null || typeof data !== 'object' || Array.isArray(data))
    fail(file, 'the file must hold an object with users, agents, transfers, withdrawals, tickets and expect');
  const doc = data as Json;
  for (const key of Object.keys(doc))
    if (!SECTIONS.includes(key)) collect(plan, () => fail(file, `unknown section "${key}" (expected ${SECTIONS.join(', ')})`));
  for (const [key, kind, check] of ENTRY_KINDS) {
    section(plan, file, doc, key).forEach((raw, index) => planEntry(plan, kind, new Checker({ file, entry: entryLabel(key, index, raw) }, raw), raw, check));
  }
  const expect = doc['expect'];
  if (expect !== undefined && expect !== null) {
    collect(plan, () => {
      plan.expectations.push({ ...expectEntry(new Checker({ file, entry: 'expect' }, expect as Json), expect, plan.known), afterEntries: plan.entries.length });
    });
  }
}

function entryLabel(key: string, index: number, raw: Json): string {
  return `${key}[${index}]${typeof raw['name'] === 'string' ? ` (${raw['name']})` : ''}`;
}

/** The objects of one section; a section that is not a list of objects is a problem of its own. */
function section(plan: Planning, file: string, doc: Json, key: string): Json[] {
  const value = doc[key];
  if (value === undefined || value === null) return [];
  const problem = !Array.isArray(value)
    ? `"${key}" must be a list`
    : value.length > MAX_FIXTURE_ENTRIES
      ? `"${key}" has more than ${MAX_FIXTURE_ENTRIES} entries`
      : null;
  if (problem !== null || !Array.isArray(value)) {
    collect(plan, () => fail(file, problem ?? `"${key}" must be a list`));
    return [];
  }
  return value.flatMap((item, index) => {
    if (item !== null && typeof item === 'object' && !Array.isArray(item)) return [item as Json];
    collect(plan, () => fail(file, `${key}[${index}] must be an object`));
    return [];
  });
}

function planEntry(plan: Planning, kind: FixtureEntry['kind'], checker: Checker, raw: Json, check: (c: Checker) => FixtureEntry): void {
  let named = false;
  collect(plan, () => {
    checkReferences(checker, raw, plan.known);
    const entry = check(checker);
    named = true;
    register(plan.known, kind, entry.value.name, checker);
    plan.entries.push(entry);
  });
  // A refused entry still defines its name, so later entries that refer to it are not refused too.
  const name = raw['name'];
  if (!named && typeof name === 'string' && NAME.test(name) && !plan.known.has(name)) plan.known.set(name, kind);
}

function register(known: Map<string, string>, kind: string, name: string | null, checker: Checker): void {
  if (name === null) return;
  if (!NAME.test(name)) checker.fail('name', 'must start with a letter and use letters, digits, - or _ (at most 40)');
  if (known.has(name)) checker.fail('name', `"${name}" is already used by an earlier entry`);
  known.set(name, kind);
}

function fail(file: string, message: string): never {
  throw new AppError('INVALID_FILE', `${file}: ${message}`, { hint: NOTHING_CHANGED });
}

/** Every `${name.field}` in the entry must name an earlier entry and a field it has. */
function checkReferences(checker: Checker, value: unknown, known: ReadonlyMap<string, string>, path = ''): void {
  if (typeof value === 'string') {
    for (const match of value.matchAll(REFERENCE)) {
      const [, name = '', field = ''] = match;
      const kind = known.get(name);
      if (!kind) checker.fail(path || 'value', `refers to "${name}", which no earlier entry defines`);
      if (!REFERENCE_FIELDS[kind]?.includes(field))
        checker.fail(path || 'value', `"${name}" is a ${kind}; it has ${REFERENCE_FIELDS[kind]?.join(', ')}, not "${field}"`);
    }
    if (value.includes('${') && value.replace(REFERENCE, '').includes('${')) checker.fail(path || 'value', 'has a malformed reference (write ${name.field})');
  } else if (Array.isArray(value)) {
    value.forEach((item, i) => checkReferences(checker, item, known, `${path}[${i}]`));
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) checkReferences(checker, item, known, path ? `${path}.${key}` : key);
  }
}

function moneyMap(checker: Checker, field: string): Record<string, string> {
  const raw = checker.object(field) ?? {};
  const out: Record<string, string> = {};
  for (const [code, amount] of Object.entries(raw)) {
    if (!/^[A-Z]{3}$/.test(code)) checker.fail(`${field}.${code}`, 'must be a currency code such as USD');
    if (typeof amount !== 'string' && typeof amount !== 'number') checker.fail(`${field}.${code}`, 'must be an amount such as "100.00"');
    out[code] = String(amount);
  }
  return out;
}

function userEntry(c: Checker, kind: 'user' | 'agent'): FixtureUser {
  c.only(FIELDS[kind]);
  const name = c.required('name', 40);
  const secret = c.string('twoFactorSecret');
  if (secret !== null && !BASE32_SECRET.test(secret))
    c.fail('twoFactorSecret', 'must be 32, 40, 48, 56 or 64 base32 characters (A–Z, 2–7), such as the secret `okpay 2fa enable` prints');
  const lock = c.nested('lock');
  lock?.only(FIELDS.lock);
  const lockReason = lock ? lock.oneOf<LockReason>('reason', ['self', 'failed-logins', 'agent'], null) : null;
  if (lock && !lockReason) lock.fail('reason', 'is required (self, failed-logins or agent)');
  const language = c.oneOf('language', LANGUAGES, null);
  const languages = c.list('languages').map((l, i) => (isLanguage(l) ? l : c.fail(`languages[${i}]`, `must be one of ${LANGUAGES.join(', ')}`)));
  const tierText = c.string('tier');
  const tier = tierText === null ? null : ['1', '2', '3'].includes(tierText) ? (Number(tierText) as 1 | 2 | 3) : c.fail('tier', 'must be 1, 2 or 3');
  if (kind === 'agent' && tier === null) c.fail('tier', 'is required for an agent (1, 2 or 3)');
  if (kind === 'agent' && languages.length === 0) c.fail('languages', 'an agent needs at least one language');
  return {
    kind,
    name,
    email: c.required('email', 254),
    password: c.required('password', 200),
    fullName: c.string('fullName', { max: 100 }),
    phone: c.string('phone', { max: 30 }),
    country: c.string('country', { max: 2 }),
    language,
    role: kind === 'agent' ? 'agent' : (c.oneOf('role', ['user', 'admin'] as const, 'user') ?? 'user'),
    status: c.oneOf('status', ['active', 'pending'] as const, 'active') ?? 'active',
    balances: moneyMap(c, 'balances'),
    twoFactorSecret: secret,
    kyc: c.oneOf<KycStatus>('kyc', ['none', 'pending', 'approved', 'rejected'], 'none') ?? 'none',
    lock: lock && lockReason ? { reason: lockReason, note: lock.string('note', { max: 200 }) } : null,
    antiPhishingPhrase: c.string('antiPhishingPhrase', { max: 40 }),
    tier,
    languages,
    at: c.time('at'),
    where: c.where,
  };
}

function transferEntry(c: Checker): FixtureTransfer {
  c.only(FIELDS.transfer);
  return {
    name: c.string('name', { max: 40 }),
    from: c.required('from', 254),
    to: c.required('to', 254),
    amount: c.required('amount', 32),
    currency: c.required('currency', 3),
    toCurrency: c.string('toCurrency', { max: 3 }),
    memo: c.string('memo', { max: 140 }),
    at: c.time('at'),
    where: c.where,
  };
}

function methodEntry(c: Checker): FixtureMethod {
  const m = c.nested('method') ?? c.fail('method', 'is required: { type: bank, holder, iban } or { type: ewallet, provider, account }');
  const type = m.oneOf('type', ['bank', 'ewallet'] as const, null) ?? m.fail('type', 'is required (bank or ewallet)');
  m.only(FIELDS[type]);
  if (type === 'ewallet') return { type, provider: m.required('provider', 40), account: m.required('account', 100) };
  const iban = m.string('iban', { max: 50 });
  const accountNumber = m.string('accountNumber', { max: 20 });
  const routingNumber = m.string('routingNumber', { max: 12 });
  if (iban === null && (accountNumber === null || routingNumber === null)) m.fail('iban', 'a bank method needs iban, or accountNumber and routingNumber');
  return { type, holder: m.required('holder', 100), iban, accountNumber, routingNumber, country: m.string('country', { max: 2 }) };
}

function withdrawalEntry(c: Checker): FixtureWithdrawal {
  c.only(FIELDS.withdrawal);
  return {
    name: c.string('name', { max: 40 }),
    user: c.required('user', 254),
    method: methodEntry(c),
    amount: c.required('amount', 32),
    currency: c.required('currency', 3),
    status: c.oneOf('status', FIXTURE_WITHDRAWAL_STATUSES, 'requested') ?? 'requested',
    at: c.time('at'),
    where: c.where,
  };
}

function messageEntry(c: Checker, item: unknown, index: number): FixtureMessage {
  if (item === null || typeof item !== 'object' || Array.isArray(item)) c.fail(`messages[${index}]`, 'must be an object { from, body }');
  const m = new Checker(c.where, item as Json, `messages[${index}].`);
  m.only(FIELDS.message);
  return { from: m.required('from', 254), body: m.required('body'), internal: m.boolean('internal'), at: m.time('at') };
}

function ratingEntry(c: Checker): FixtureTicket['rating'] {
  const rating = c.nested('rating');
  if (!rating) return null;
  rating.only(FIELDS.rating);
  const score = rating.oneOf('score', ['1', '2', '3', '4', '5'], null) ?? rating.fail('score', 'is required (1 to 5)');
  return { score: Number(score), comment: rating.string('comment', { max: 500 }) };
}

function ticketEntry(c: Checker): FixtureTicket {
  c.only(FIELDS.ticket);
  const refund = c.nested('refund');
  refund?.only(FIELDS.refund);
  return {
    name: c.string('name', { max: 40 }),
    customer: c.required('customer', 254),
    category: c.oneOf('category', TICKET_CATEGORIES, null) ?? c.fail('category', `is required (${TICKET_CATEGORIES.join(', ')})`),
    subject: c.required('subject', 150),
    body: c.required('body'),
    channel: c.oneOf('channel', TICKET_CHANNELS, null),
    language: c.oneOf('language', LANGUAGES, null),
    tx: c.string('tx', { max: 40 }),
    priority: c.oneOf('priority', PRIORITIES, null),
    status: c.oneOf('status', TICKET_STATUSES, null),
    assignee: c.string('assignee', { max: 254 }),
    messages: c.list('messages').map((item, i) => messageEntry(c, item, i)),
    rating: ratingEntry(c),
    escalation: c.string('escalation', { max: 500 }),
    refund: refund ? { agent: refund.required('agent', 254) } : null,
    at: c.time('at'),
    where: c.where,
  };
}

/** The statuses an entry of each kind can be in, for checking `expect.statuses` before loading. */
const STATUSES_OF: Readonly<Record<string, readonly string[]>> = {
  transfer: TRANSFER_STATUSES,
  withdrawal: FIXTURE_WITHDRAWAL_STATUSES,
  ticket: TICKET_STATUSES,
};

function expectedStatuses(c: Checker, known: ReadonlyMap<string, string>): Record<string, string> {
  const statuses: Record<string, string> = {};
  for (const [name, status] of Object.entries(c.object('statuses') ?? {})) {
    const allowed = STATUSES_OF[known.get(name) ?? ''];
    if (!allowed) c.fail(`statuses.${name}`, `"${name}" is not a transfer, withdrawal or ticket defined in the fixtures`);
    if (typeof status !== 'string') c.fail(`statuses.${name}`, 'must be a status name');
    if (!allowed.includes(status)) c.fail(`statuses.${name}`, `a ${known.get(name)} is ${allowed.join(', ')}, never "${status.slice(0, 30)}"`);
    statuses[name] = status;
  }
  return statuses;
}

function expectEntry(c: Checker, raw: unknown, known: ReadonlyMap<string, string>): Omit<FixtureExpect, 'afterEntries'> {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) c.fail('expect', 'must be an object with balances, held, statuses or counts');
  c.only(['balances', 'held', 'statuses', 'counts']);
  const perUser = (field: 'balances' | 'held') => {
    const out: Record<string, Record<string, string>> = {};
    const section = c.nested(field);
    for (const name of Object.keys(c.object(field) ?? {})) {
      if (known.get(name) !== 'user') c.fail(`${field}.${name}`, `"${name}" is not a user defined in the fixtures`);
      out[name] = moneyMap(section ?? c, name);
    }
    return out;
  };
  const counts: Record<string, number> = {};
  for (const [key, count] of Object.entries(c.object('counts') ?? {})) {
    if (!(COUNTABLE as readonly string[]).includes(key)) c.fail(`counts.${key}`, `can count ${COUNTABLE.join(', ')}`);
    if (typeof count !== 'number' || !Number.isInteger(count) || count < 0) c.fail(`counts.${key}`, 'must be a whole number');
    counts[key] = count;
  }
  return { balances: perUser('balances'), held: perUser('held'), statuses: expectedStatuses(c, known), counts, where: c.where };
}

/** Replaces `${name.field}` with the value recorded when that entry was created. */
export function resolveReferences(text: string, values: ReadonlyMap<string, Readonly<Record<string, string>>>): string {
  return text.replace(REFERENCE, (_, name: string, field: string) => values.get(name)?.[field] ?? `\${${name}.${field}}`);
}
