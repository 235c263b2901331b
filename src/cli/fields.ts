// The fields `--json FIELDS` may name, per command: the keys of the record a command prints (a
// list's items, or the one record it shows). Declared here, in one place, so a field list is
// checked before the command runs (a typo never follows a payment) and lists check it even when
// empty. A command not listed here is checked against the document it prints.

import { AppError } from '../domain/errors.js';

const TRANSACTION = [
  'id',
  'type',
  'status',
  'direction',
  'amount',
  'currency',
  'fee',
  'feeCurrency',
  'receiveAmount',
  'receiveCurrency',
  'rate',
  'from',
  'to',
  'memo',
  'net',
  'createdAt',
  'links',
];
const RECEIPT = [...TRANSACTION, 'seq', 'hash', 'midRate', 'feeLines', 'postings', 'followedBy'];
const USER = [
  'id',
  'email',
  'name',
  'phone',
  'country',
  'language',
  'role',
  'status',
  'lock',
  'twoFactor',
  'kyc',
  'agent',
  'idNumber',
  'antiPhishingPhrase',
  'createdAt',
  'activatedAt',
  'lastLoginAt',
  'passwordChangedAt',
];
const WITHDRAWAL = [
  'id',
  'status',
  'amount',
  'currency',
  'fee',
  'total',
  'methodId',
  'methodType',
  'method',
  'requestedAt',
  'processingAt',
  'expectedBy',
  'finishedAt',
  'failureReason',
  'transaction',
];
const METHOD = ['id', 'type', 'label', 'holder', 'provider', 'country', 'number', 'routingNumber', 'createdAt'];
const QUOTE = [
  'id',
  'kind',
  'to',
  'amount',
  'currency',
  'fee',
  'feeLines',
  'total',
  'scope',
  'midRate',
  'rate',
  'receiveAmount',
  'receiveCurrency',
  'createdAt',
  'expiresAt',
  'methodId',
  'method',
];
const TICKET_SUMMARY = ['number', 'status', 'priority', 'category', 'subject', 'language', 'tier', 'assignee', 'customer', 'createdAt', 'updatedAt'];
const TICKET = [
  ...TICKET_SUMMARY,
  'channel',
  'origin',
  'relatedTo',
  'mergedInto',
  'followUps',
  'escalationRequest',
  'rating',
  'transaction',
  'messages',
  'history',
  'sla',
  'queue',
  'duplicate',
  'tags',
];
/** What a bulk change (`ticket assign 4 7 …`) prints instead of one ticket. */
const BULK = ['action', 'selected', 'changed', 'failed'];
const QUEUE_ENTRY = [
  'number',
  'urgency',
  'sla',
  'status',
  'priority',
  'tier',
  'category',
  'language',
  'subject',
  'customer',
  'assignee',
  'escalationRequested',
  'createdAt',
];
const MAIL = ['id', 'date', 'to', 'kind', 'subject', 'language', 'antiPhishingPhrase', 'inReplyTo', 'text', 'file', 'delivery'];
const ARTICLE = ['id', 'topic', 'title', 'body', 'language', 'fallback', 'score'];
/** What `transfer --batch` prints: its summary (the rows are not a record of their own). */
const BATCH = ['rows', 'paid', 'waiting', 'alreadyPaid', 'failed', 'notSent', 'totals', 'atomic', 'dryRun'];
const KYC = ['status', 'document', 'submittedAt', 'decidedAt', 'reason', 'limits'];
const PROFILE = [...USER, 'missing', 'phoneToVerify'];
/** A refund waiting for its second agent prints no transaction: the document itself is the record. */
const REFUND = [...TRANSACTION, 'refund', 'of', 'ticket', 'approval'];
/** The answer that never says whether an address has an account. */
const SENT = ['sent'];

export const COMMAND_FIELDS: Readonly<Record<string, readonly string[]>> = {
  history: TRANSACTION,
  'tx show': RECEIPT,
  deposit: TRANSACTION,
  transfer: [...TRANSACTION, ...BATCH],
  'fee quote transfer': QUOTE,
  'fee quote withdraw': QUOTE,
  balance: ['currency', 'available', 'held'],
  withdraw: WITHDRAWAL,
  'withdraw list': WITHDRAWAL,
  'withdraw cancel': WITHDRAWAL,
  'withdraw methods list': METHOD,
  'withdraw methods add bank': METHOD,
  'withdraw methods add ewallet': METHOD,
  'withdraw methods remove': METHOD,
  whoami: USER,
  'ticket list': TICKET_SUMMARY,
  'ticket show': TICKET,
  'ticket new': TICKET,
  // Commands that change something are declared so that a mistyped field stops them before the change.
  'ticket reply': TICKET,
  'ticket note': TICKET,
  'ticket escalate': TICKET,
  'ticket reopen': TICKET,
  'ticket assign': [...TICKET, ...BULK],
  'ticket set': [...TICKET, ...BULK],
  'ticket resolve': [...TICKET, ...BULK],
  'ticket close': [...TICKET, ...BULK],
  'ticket rate': TICKET,
  'ticket merge': TICKET,
  'ticket import': ['file', 'messageId', 'outcome', 'ticket', 'detail', 'neutralised'],
  'agent lock': USER,
  'agent unlock': USER,
  'agent refund': REFUND,
  'agent kyc approve': USER,
  'agent kyc reject': USER,
  'admin init': USER,
  'admin agent add': USER,
  'admin kyc approve': USER,
  'admin kyc reject': USER,
  'admin payout bounce': [...TRANSACTION, 'bounce', 'of'],
  'admin settle': [
    'at',
    'processing',
    'completed',
    'failed',
    'unclaimedReturned',
    'returnsHeld',
    'heldReturns',
    'transactions',
    'ticketsClosed',
    'quotesPruned',
    'idempotencyKeysPruned',
  ],
  'profile set': PROFILE,
  'profile verify-phone': PROFILE,
  'kyc submit': KYC,
  register: USER,
  activate: [...USER, ...SENT],
  login: USER,
  logout: ['signedOut'],
  lock: USER,
  unlock: USER,
  'password change': USER,
  'password reset': [...USER, ...SENT],
  '2fa enable': ['secret', 'uri', 'recoveryCodes', 'confirmed'],
  '2fa confirm': USER,
  '2fa disable': USER,
  '2fa recovery-codes': ['recoveryCodes'],
  'outbox send': ['server', 'results', 'sent', 'failed', 'untried', 'notWaiting'],
  'dev init': ['testStore', 'marked'],
  'store migrate': ['location', 'applied', 'schemaVersion', 'testStore'],
  'store copy': ['from', 'to', 'copied', 'verify'],
  'agent queue': QUEUE_ENTRY,
  'outbox list': ['id', 'date', 'to', 'kind', 'subject', 'delivery'],
  'outbox show': MAIL,
  faq: ARTICLE,
};

/**
 * Commands that change nothing: a field list is checked against the document they print. Any
 * other command that is not declared above refuses a field list before it runs, so a command
 * added later cannot make its change and only then find the list wrong.
 */
export const READ_ONLY_COMMANDS: ReadonlySet<string> = new Set([
  'profile',
  'kyc status',
  'ticket export',
  'ticket why',
  'agent user show',
  'agent macros',
  'agent stats',
  'support',
  'fixtures export',
  'dev otp',
  'store info',
  'verify',
  'help',
  'version',
]);

/** The fields `command` declares (none for a read-only one: its document says); a field list for any other is a usage error. */
export function declaredFields(command: string, fields: readonly string[] | null): readonly string[] | undefined {
  if (Object.hasOwn(COMMAND_FIELDS, command)) return COMMAND_FIELDS[command];
  if (fields !== null && !READ_ONLY_COMMANDS.has(command))
    throw new AppError('USAGE', `\`okpay ${command}\` takes --json without a field list`, { hint: 'use --jq to pick from its JSON document' });
  return undefined;
}

const FIELD_LIST = /^[A-Za-z][A-Za-z0-9_]*(?:,[A-Za-z][A-Za-z0-9_]*)*$/;
const ALL_FIELDS = new Set(Object.values(COMMAND_FIELDS).flat());

/** "id, amount" → ["id", "amount"]; a usage error for anything that is not a list of names. */
function parseFieldList(text: string): string[] {
  const compact = text.replace(/\s+/g, '');
  if (!FIELD_LIST.test(compact))
    throw new AppError('USAGE', `--json takes a comma-separated list of field names, not "${text.slice(0, 60)}"`, {
      hint: 'for example --json id,amount,status',
    });
  return [...new Set(compact.split(','))];
}

/** What the command tree says about the words of a command line. */
export interface CommandWords {
  isCommand(word: string): boolean;
  /** Whether the word at `index` would be one of the command's arguments if --json did not take it. */
  isArgument(argv: readonly string[], index: number): boolean;
  /** The command the words name, as in COMMAND_FIELDS (`ticket note`). */
  path(argv: readonly string[]): string;
}

/**
 * Whether the word after --json is meant as its field list: a list, a known field that is not a
 * command, or any name the command has no argument left for (`history --json idx` is a field
 * list with a typo, which gets the list of valid fields, not "too many arguments"). A declared
 * command knows only its own fields: `faq --json refund` searches for "refund".
 */
function looksLikeFieldList(argv: readonly string[], index: number, words: CommandWords): boolean {
  const word = argv[index] ?? '';
  if (!FIELD_LIST.test(word) || words.isCommand(word)) return false;
  const path = words.path(argv);
  const known = Object.hasOwn(COMMAND_FIELDS, path) ? COMMAND_FIELDS[path]?.includes(word) : ALL_FIELDS.has(word);
  return word.includes(',') || known === true || !words.isArgument(argv, index);
}

/** The key of the record(s) a document holds (its first key, when that is an object or a list), or null: the document is the record. */
function recordKey(document: unknown): string | null {
  if (!isObject(document)) return null;
  const first = Object.keys(document)[0];
  if (first === undefined) return null;
  const value = document[first];
  return isObject(value) || (Array.isArray(value) && value.every(isObject)) ? first : null;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function recordsOf(document: unknown): Record<string, unknown>[] {
  const key = recordKey(document);
  const value = key === null ? document : (document as Record<string, unknown>)[key];
  return (Array.isArray(value) ? value : [value]).filter(isObject);
}

/** The fields a document offers: those declared for its command and those it has. */
export function availableFields(document: unknown, declared: readonly string[] | undefined): string[] {
  const seen = new Set(declared ?? []);
  for (const record of recordsOf(document)) for (const key of Object.keys(record)) seen.add(key);
  return [...seen].sort();
}

export function checkFields(fields: readonly string[], valid: readonly string[]): void {
  const unknown = fields.filter((field) => !valid.includes(field));
  if (unknown.length === 0) return;
  throw new AppError('USAGE', `unknown JSON field${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}`, { hint: `available fields: ${valid.join(', ')}` });
}

/** The document with each record cut down to `fields`, in that order (other top-level keys are dropped). */
export function selectFields(document: unknown, fields: readonly string[]): unknown {
  const pick = (record: unknown) => (isObject(record) ? Object.fromEntries(fields.map((field) => [field, record[field] ?? null])) : record);
  const key = recordKey(document);
  if (key === null) return pick(document);
  const value = (document as Record<string, unknown>)[key];
  return { [key]: Array.isArray(value) ? value.map(pick) : pick(value) };
}

/**
 * The command line without --json's field list, and that list: `--json=id,amount`, or
 * `--json id,amount` when the word after --json is a field list (see looksLikeFieldList).
 */
export function splitJsonFields(argv: readonly string[], words: CommandWords): { argv: string[]; fields: string[] | null } {
  const out: string[] = [];
  let fields: string[] | null = null;
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] ?? '';
    if (arg === '--') {
      out.push(...argv.slice(i));
      break;
    }
    if (arg.startsWith('--json=')) {
      fields = parseFieldList(arg.slice('--json='.length));
      out.push('--json');
    } else if (arg === '--json' && looksLikeFieldList(argv, i + 1, words)) {
      fields = parseFieldList(argv[i + 1] ?? '');
      out.push('--json');
      i += 1;
    } else out.push(arg);
  }
  return { argv: out, fields };
}
