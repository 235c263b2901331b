// Fixture files: users, agents, transfers, withdrawals and tickets, in order, with `${name.field}`
// references to entries defined earlier, and an `expect` section. Everything is checked here,
// before anything is written: each entry against its schema (fixture-schemas.ts), then the rules
// that span entries (unique names, references, what `expect` names). Every problem is reported
// with its file, entry and field.

import { AppError } from './errors.js';
import {
  ENTRY_SCHEMAS,
  FIXTURE_WITHDRAWAL_STATUSES,
  MAX_FIXTURE_ENTRIES,
  fixtureExpectSchema,
  fixtureFileSchema,
  NAME,
  RELATIVE_TIME,
  type FixtureTicket,
  type FixtureTransfer,
  type FixtureUser,
  type FixtureWithdrawal,
  type Where,
} from './fixture-schemas.js';
import { checkWithSchema, formatPath, type Problem } from './schema.js';
import { TICKET_STATUSES } from './ticket-record.js';
import type { TxStatus } from './tx-view.js';

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

const REFERENCE = /\$\{([A-Za-z][A-Za-z0-9_-]*)\.([A-Za-z]+)\}/g;
const UNIT_MS: Readonly<Record<string, number>> = { m: 60_000, h: 3_600_000, d: 86_400_000 };

/** The instant an entry's `at` stands for: absolute, or relative to the moment of loading. */
export function fixtureTime(at: string | null, nowMs: number): string {
  if (at === null) return new Date(nowMs).toISOString();
  const relative = RELATIVE_TIME.exec(at);
  if (relative) return new Date(nowMs - Number(relative[1]) * (UNIT_MS[relative[2] ?? 'm'] ?? 60_000)).toISOString();
  return at;
}
/** What `expect.statuses` may say about a transfer: the statuses `okpay tx show` reports for one. */
const TRANSFER_STATUSES: readonly TxStatus[] = ['completed', 'unclaimed', 'claimed', 'returned', 'refunded'];

const MAX_PROBLEMS = 100;
const NOTHING_CHANGED = 'the file was checked before anything was written; nothing changed';

interface Planning {
  /** name → kind of the entry that defined it */
  readonly known: Map<string, string>;
  readonly entries: FixtureEntry[];
  readonly expectations: FixtureExpect[];
  readonly problems: string[];
}

/**
 * Checks every file; names must be unique and references must point at entries defined before.
 * Every problem is reported (up to MAX_PROBLEMS), each on its own line in the refusal's details.
 */
export function planFixtures(files: readonly { file: string; data: unknown }[]): FixturePlan {
  const plan: Planning = { known: new Map(), entries: [], expectations: [], problems: [] };
  for (const { file, data } of files) planFile(plan, file, data);
  const problems = plan.problems.slice(0, MAX_PROBLEMS);
  if (problems.length === 1) throw new AppError('INVALID_FILE', problems[0] ?? '', { hint: NOTHING_CHANGED });
  if (problems.length > 1) {
    const count = `${problems.length}${plan.problems.length > MAX_PROBLEMS ? ' or more' : ''}`;
    throw new AppError('INVALID_FILE', `the fixture files have ${count} problems`, { hint: NOTHING_CHANGED, details: { problems } });
  }
  return { entries: plan.entries, expectations: plan.expectations };
}

function report(plan: Planning, where: string, problems: readonly Problem[]): void {
  for (const problem of problems) plan.problems.push([where, formatPath(problem.path), problem.message].filter(Boolean).join(': '));
}

const KIND_OF_SECTION = { users: 'user', agents: 'user', transfers: 'transfer', withdrawals: 'withdrawal', tickets: 'ticket' } as const;

function planFile(plan: Planning, file: string, data: unknown): void {
  const checked = checkWithSchema(fixtureFileSchema, data);
  if (!checked.ok) report(plan, file, checked.problems);
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return;
  const doc = data as Record<string, unknown>;
  for (const key of Object.keys(ENTRY_SCHEMAS) as (keyof typeof ENTRY_SCHEMAS)[]) {
    entriesOf(doc[key]).forEach((raw, index) => planEntry(plan, key, { file, entry: entryLabel(key, index, raw) }, raw));
  }
  if (doc['expect'] !== undefined && doc['expect'] !== null) planExpect(plan, { file, entry: 'expect' }, doc['expect']);
}

/** The objects of a section that is a list; the file schema reports everything else. */
function entriesOf(section: unknown): Record<string, unknown>[] {
  if (!Array.isArray(section) || section.length > MAX_FIXTURE_ENTRIES) return [];
  return section.filter((item): item is Record<string, unknown> => item !== null && typeof item === 'object' && !Array.isArray(item));
}

function entryLabel(key: string, index: number, raw: Record<string, unknown>): string {
  return `${key}[${index}]${typeof raw['name'] === 'string' ? ` (${raw['name']})` : ''}`;
}

function planEntry(plan: Planning, section: keyof typeof ENTRY_SCHEMAS, where: Where, raw: Record<string, unknown>): void {
  const label = `${where.file}: ${where.entry}`;
  const before = plan.problems.length;
  report(plan, label, referenceProblems(raw, plan.known));
  const checked = checkWithSchema<unknown>(ENTRY_SCHEMAS[section], raw);
  if (!checked.ok) report(plan, label, checked.problems);
  const name = raw['name'];
  if (typeof name === 'string' && NAME.test(name)) {
    if (plan.known.has(name)) report(plan, label, [{ path: ['name'], message: `"${name}" is already used by an earlier entry` }]);
    // A refused entry still defines its name, so later entries that refer to it are not refused too.
    else plan.known.set(name, KIND_OF_SECTION[section]);
  }
  if (checked.ok && plan.problems.length === before) plan.entries.push(entryOf(section, checked.value, where));
}

function entryOf(section: keyof typeof ENTRY_SCHEMAS, value: unknown, where: Where): FixtureEntry {
  const kind = KIND_OF_SECTION[section];
  // The schema of `section` made `value`: its type is the one of that kind's entries.
  return { kind, value: { ...(value as object), where } } as FixtureEntry;
}

/** Every `${name.field}` in the entry must name an earlier entry and a field it has. */
function referenceProblems(value: unknown, known: ReadonlyMap<string, string>, path: PropertyKey[] = []): Problem[] {
  if (Array.isArray(value)) return value.flatMap((item, index) => referenceProblems(item, known, [...path, index]));
  if (value !== null && typeof value === 'object') return Object.entries(value).flatMap(([key, item]) => referenceProblems(item, known, [...path, key]));
  if (typeof value !== 'string') return [];
  const at = path.length === 0 ? ['value'] : path;
  const problems = [...value.matchAll(REFERENCE)].flatMap(([, name = '', field = '']): Problem[] => {
    const kind = known.get(name);
    if (!kind) return [{ path: at, message: `refers to "${name}", which no earlier entry defines` }];
    if (REFERENCE_FIELDS[kind]?.includes(field)) return [];
    return [{ path: at, message: `"${name}" is a ${kind}; it has ${REFERENCE_FIELDS[kind]?.join(', ')}, not "${field}"` }];
  });
  if (value.includes('${') && value.replace(REFERENCE, '').includes('${'))
    problems.push({ path: at, message: 'has a malformed reference (write ${name.field})' });
  return problems;
}

/** The statuses an entry of each kind can be in, for checking `expect.statuses` before loading. */
const STATUSES_OF: Readonly<Record<string, readonly string[]>> = {
  transfer: TRANSFER_STATUSES,
  withdrawal: FIXTURE_WITHDRAWAL_STATUSES,
  ticket: TICKET_STATUSES,
};

function planExpect(plan: Planning, where: Where, raw: unknown): void {
  const label = `${where.file}: ${where.entry}`;
  const checked = checkWithSchema(fixtureExpectSchema, raw);
  if (!checked.ok) return report(plan, label, checked.problems);
  const { balances, held, statuses, counts } = checked.value;
  const problems = [...namedUsers(plan.known, 'balances', balances), ...namedUsers(plan.known, 'held', held), ...statusProblems(plan.known, statuses)];
  report(plan, label, problems);
  if (problems.length === 0) plan.expectations.push({ balances, held, statuses, counts, where, afterEntries: plan.entries.length });
}

function namedUsers(known: ReadonlyMap<string, string>, field: string, perUser: Readonly<Record<string, unknown>>): Problem[] {
  return Object.keys(perUser)
    .filter((name) => known.get(name) !== 'user')
    .map((name) => ({ path: [field, name], message: `"${name}" is not a user defined in the fixtures` }));
}

function statusProblems(known: ReadonlyMap<string, string>, statuses: Readonly<Record<string, string>>): Problem[] {
  return Object.entries(statuses).flatMap(([name, status]): Problem[] => {
    const kind = known.get(name) ?? '';
    const allowed = STATUSES_OF[kind];
    if (!allowed) return [{ path: ['statuses', name], message: `"${name}" is not a transfer, withdrawal or ticket defined in the fixtures` }];
    if (allowed.includes(status)) return [];
    return [{ path: ['statuses', name], message: `a ${kind} is ${allowed.join(', ')}, never "${status.slice(0, 30)}"` }];
  });
}

/** Replaces `${name.field}` with the value recorded when that entry was created. */
export function resolveReferences(text: string, values: ReadonlyMap<string, Readonly<Record<string, string>>>): string {
  return text.replace(REFERENCE, (_, name: string, field: string) => values.get(name)?.[field] ?? `\${${name}.${field}}`);
}
