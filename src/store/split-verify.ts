// `verify` of the split file store: reads every file of one committed version and writes nothing.
// Checks each bucket and manifest (digest, place, commit), that every record sits in the bucket
// its key hashes to, every index record against the records it is derived from, the user count,
// both hash chains, every balance and live record against the replayed journal, the per-user
// journal index against the journal's parties and the index of links against its links, and the
// outbox against the mail counter.

import { readdirSync } from 'node:fs';
import path from 'node:path';
import { AppError } from '../domain/errors.js';
import { parseEml } from '../domain/mail.js';
import type { UnclaimedTransfer, Withdrawal } from '../domain/state.js';
import { auditChecker, compareWithState, LedgerReplay, MAX_PROBLEMS, type Totals } from '../domain/integrity-check.js';
import { errnoOf } from './durable-file.js';
import { mailIdForSeq } from './record-transaction.js';
import { mailSegmentPath, MAILS, OLD_OUTBOX, oldMailPath } from './split-layout.js';
import {
  DIRECTORY_KEY,
  fileLinks,
  indexEntries,
  INDEX_KINDS,
  isOrderedKind,
  KINDS,
  currentSince,
  RECORD_KINDS,
  SLOTS_KEY,
  type IndexKind,
  type Kind,
  type RecordKind,
} from './record-kinds.js';
import { queueIndexes } from './record-view.js';
import { checkedRecord } from './record-schemas.js';
import { IndexTally, sortedJson } from './index-tally.js';
import type { SegmentLog } from './segment-log.js';
import type { AuditEntry } from '../domain/audit.js';
import type { StoredJournalEntry } from '../domain/ledger.js';
import type { ChainHead } from '../domain/state.js';
import type { JournalIndexes } from './store.js';

/** What verify reads of the split store (passed in, so that this module does not import it back). */
export interface SplitStoreFiles {
  file(relative: string): string;
  readonly journalLog: SegmentLog<StoredJournalEntry>;
  readonly auditLogFiles: SegmentLog<AuditEntry>;
}

/** One committed version, read strictly: any mismatch is damage. */
export interface VerifiedVersion {
  readonly root: {
    readonly schemaVersion: number;
    readonly counts: { readonly users: number };
    readonly meta: { readonly journal: ChainHead; readonly audit: ChainHead; readonly mailSeq: number };
    /** Absent in a store of the layout before schema 11 (a file per mail), which verify reads as it is. */
    readonly layout?: { readonly mailsPerSegment: number };
  };
  manifest(kind: Kind): Promise<string[]>;
  /** `keep`: whether the snapshot may keep what it read (verify keeps nothing it has checked). */
  bucketRecords(kind: Kind, bucket: string, keep?: boolean): Promise<Readonly<Record<string, unknown>>>;
  mailSegment(segment: number, keep?: boolean): Promise<string[]>;
  textOf(relative: string): string | null;
}

export interface SplitVerifyReport {
  readonly problems: string[];
  readonly journalEntries: number;
  readonly journalSegments: number;
  readonly auditEntries: number;
  readonly accounts: number;
}

type KindRecords = Map<string, unknown>;

/** The kinds whose records the check of balances against the journal needs (when verify replays the journal itself). */
const LIVE_KINDS: ReadonlySet<Kind> = new Set<Kind>(['balances', 'unclaimed', 'withdrawals']);

/**
 * Every check of the files. With `checked`, the journal is read by the caller (`okpay verify`'s
 * threads, which also check the chain, the balances and the audit log): only the files and the
 * indexes are checked here, the journal's against what the caller finds in it, waited for once every
 * file is read. The caller then reads the balances and live records, which are kept for it.
 */
export async function verifySplitStore(
  store: SplitStoreFiles,
  snapshot: VerifiedVersion,
  helpers: { bucketOf(kind: Kind, key: string): string; bucketPath(kind: Kind, bucket: string): string; manifestPath(kind: Kind): string },
  checked?: Promise<JournalIndexes>,
): Promise<SplitVerifyReport> {
  const problems: string[] = [];
  const push = (text: string) => {
    if (problems.length < MAX_PROBLEMS) problems.push(text);
  };
  const kept = (kind: IndexKind) => currentSince(kind) <= snapshot.root.schemaVersion;
  // Read once, a bucket at a time: what the indexes hold is tallied; only what the balance check needs is kept.
  const tally = new IndexTally(kept);
  const live = { balances: new Map<string, unknown>(), unclaimed: new Map<string, unknown>(), withdrawals: new Map<string, unknown>() };
  let users = 0;
  let accounts = 0;
  for (const kind of KINDS) {
    if (kind === 'meta' || kind === 'counts') continue;
    const keep = checked || !LIVE_KINDS.has(kind) ? null : live[kind as keyof typeof live];
    // The caller reads these again (okpay verify's comparison of them with the journal's totals): from memory.
    const cache = checked !== undefined && LIVE_KINDS.has(kind);
    await eachRecord(store, snapshot, kind, helpers, push, cache, (key, value, placed) => {
      // A record of the wrong shape (edited by hand) is damage, named as such: nothing is derived from it.
      const damage = damageOf(kind, key, value);
      if (damage === null) tally.add(kind, key, value, placed);
      else push(damage);
      // A record in another bucket than its key's is reported there, and counted only where it belongs (a copy is not a second record).
      if (!placed) return;
      if (kind === 'users') users += 1;
      if (kind === 'balances') accounts += 1;
      keep?.set(key, value);
    });
  }
  const journal = checked
    ? { ...(await checked), balances: null, count: snapshot.root.meta.journal.seq, segments: 0 }
    : await replayJournal(store, snapshot, push);
  const ofJournal = { 'journal-of-user': journal.parties, 'journal-links': journal.links };
  // An index that differs is compared again record by record, to name each entry (the whole store in memory, only then).
  // A store not yet upgraded has no files of the indexes added since (or older ones of those refolded since): its next writer builds them.
  if (!tally.agrees(ofJournal)) checkIndexes(await readAll(store, snapshot, helpers), ofJournal, kept, push);
  if (snapshot.root.counts.users !== users) push(`the store counts ${snapshot.root.counts.users} users but holds ${users}`);
  await checkOutbox(store, snapshot, push);
  if (journal.balances === null) return { problems, journalEntries: journal.count, journalSegments: 0, auditEntries: 0, accounts };
  compareWithState(
    {
      balances: new Map([...live.balances].map(([account, row]) => [account, new Map(rowEntries(row))])),
      unclaimed: live.unclaimed as Map<string, UnclaimedTransfer>,
      withdrawals: live.withdrawals as Map<string, Withdrawal>,
    },
    journal.balances,
    problems,
  );
  const auditEntries = await checkAudit(store, snapshot, push);
  return { problems, journalEntries: journal.count, journalSegments: journal.segments, auditEntries, accounts };
}

/**
 * The kinds whose records are checked against their schema here: the records, which the indexes are
 * derived from, and the queue's groups, which its directory and shapes are folded from. The other
 * index records are compared as JSON texts with what the records and the journal make them, so one
 * of another shape than that is a difference found anyway (and building each index kind's schema
 * for it cost more than the check).
 */
const SHAPE_CHECKED: ReadonlySet<Kind> = new Set<Kind>([...RECORD_KINDS, 'queue-groups']);

/** Why a record does not have its kind's shape (the message readers give), or null. */
function damageOf(kind: Kind, key: string, value: unknown): string | null {
  if (!SHAPE_CHECKED.has(kind)) return null;
  try {
    checkedRecord(kind, key, value);
    return null;
  } catch (error) {
    if (error instanceof AppError) return error.message;
    throw error;
  }
}

async function guarded<T>(push: (text: string) => void, fallback: T, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    push(error.message);
    return fallback;
  }
}

/** Every record of a kind, checking its manifest, each listed bucket, and files nobody lists; no bucket is kept once read. */
async function eachRecord(
  store: SplitStoreFiles,
  snapshot: VerifiedVersion,
  kind: Kind,
  helpers: Parameters<typeof verifySplitStore>[2],
  push: (text: string) => void,
  keep: boolean,
  visit: (key: string, value: unknown, placed: boolean) => void,
): Promise<void> {
  const manifest = await guarded(push, [] as string[], () => snapshot.manifest(kind));
  // A set: a kind lists up to 4,096 buckets, and a list looked through for each file was 16 million comparisons.
  const listed = new Set(manifest);
  const directory = store.file(path.dirname(helpers.manifestPath(kind)));
  for (const name of listDirectory(directory)) {
    const bucket = name.replace(/\.json$/, '');
    if (name !== 'buckets.json' && !name.startsWith('.') && !listed.has(bucket))
      push(`${path.join(directory, name)}: a ${kind} file that the list of ${kind} files does not name`);
  }
  for (const bucket of manifest) {
    const inBucket = await guarded(push, {} as Readonly<Record<string, unknown>>, () => snapshot.bucketRecords(kind, bucket, keep));
    for (const [key, value] of Object.entries(inBucket)) {
      const placed = helpers.bucketOf(kind, key) === bucket;
      if (!placed) push(`${store.file(helpers.bucketPath(kind, bucket))}: ${kind} record ${key} belongs in bucket ${helpers.bucketOf(kind, key)}`);
      visit(key, value, placed);
    }
  }
}

/** Every record of every kind in memory, for the exact comparison of the indexes (what the files lack was reported on the first reading). */
async function readAll(store: SplitStoreFiles, snapshot: VerifiedVersion, helpers: Parameters<typeof verifySplitStore>[2]): Promise<Map<Kind, KindRecords>> {
  const records = new Map<Kind, KindRecords>();
  for (const kind of KINDS) {
    if (kind === 'meta' || kind === 'counts') continue;
    const found: KindRecords = new Map();
    await eachRecord(
      store,
      snapshot,
      kind,
      helpers,
      () => undefined,
      false,
      // A damaged record was reported on the first reading: the indexes are compared with the sound ones.
      (key, value) => (damageOf(kind, key, value) === null ? found.set(key, value) : undefined),
    );
    records.set(kind, found);
  }
  return records;
}

function listDirectory(directory: string): string[] {
  try {
    return readdirSync(directory);
  } catch (error) {
    if (errnoOf(error) === 'ENOENT') return [];
    throw error;
  }
}

/** Index records as the records say they must be, compared with those stored. */
function checkIndexes(
  records: Map<Kind, KindRecords>,
  ofJournal: Readonly<Record<'journal-of-user' | 'journal-links', ReadonlyMap<string, readonly number[]>>>,
  kept: (kind: IndexKind) => boolean,
  push: (text: string) => void,
): void {
  const expected = new Map<IndexKind, Map<string, Record<string, unknown>>>(INDEX_KINDS.map((kind) => [kind, new Map()]));
  for (const kind of RECORD_KINDS) {
    for (const [key, value] of records.get(kind) ?? []) {
      for (const entry of indexEntries(kind as RecordKind, key, value)) {
        const index = expected.get(entry.kind)!;
        // Added to in place: copying an index record for each member made a day's index of n members cost n² copies.
        // Without a prototype, so that a member named __proto__ is a member like any other.
        const members = index.get(entry.key) ?? (Object.create(null) as Record<string, unknown>);
        members[entry.member] = entry.value;
        index.set(entry.key, members);
      }
    }
  }
  for (const [kind, index] of expected) {
    if (isOrderedKind(kind) && index.size > 0) index.set(SLOTS_KEY, Object.fromEntries([...index.keys()].map((slot) => [slot, true])));
  }
  const groups = [...(expected.get('queue-groups') ?? [])].map(([key, members]) => ({ key, members }));
  const queue = queueIndexes(groups);
  if (groups.length > 0) expected.get('queue-directory')?.set(DIRECTORY_KEY, queue.directory);
  for (const [shape, days] of queue.days) expected.get('queue-days')?.set(shape, days);
  for (const kind of INDEX_KINDS.filter(kept)) {
    const stored = records.get(kind) ?? new Map();
    const wanted: ReadonlyMap<string, unknown> = kind === 'journal-of-user' || kind === 'journal-links' ? ofJournal[kind] : (expected.get(kind) ?? new Map());
    for (const [key, value] of wanted) {
      if (!stored.has(key)) push(`index ${kind} lacks ${key}`);
      else if (!sameJson(stored.get(key), value)) push(`index ${kind} entry ${key} does not match the records it is derived from`);
    }
    for (const key of stored.keys()) if (!wanted.has(key)) push(`index ${kind} holds ${key}, which no record has`);
  }
}

/** Whether two values have the same sortedJson text; a journal index of a million entries is not made into text twice to say so. */
function sameJson(a: unknown, b: unknown): boolean {
  // A structure alike says the texts are alike; a difference (a damaged store) is confirmed by the texts.
  return alike(a, b, true) || sortedJson(a) === sortedJson(b);
}

/**
 * True only where the texts are surely the same: `sorted` as sortedJson writes an object (its
 * keys in any order), else as JSON.stringify writes it (keys in order, plain objects only).
 */
function alike(a: unknown, b: unknown, sorted: boolean): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length || hasToJson(a) || hasToJson(b)) return false;
    for (let i = 0; i < a.length; i += 1) if (!alike(a[i], b[i], false)) return false;
    return true;
  }
  if (!sorted && (!plainObject(a) || !plainObject(b))) return false;
  const first = a as Record<string, unknown>;
  const second = b as Record<string, unknown>;
  const keys = Object.keys(first);
  const others = Object.keys(second);
  if (keys.length !== others.length) return false;
  for (let i = 0; i < keys.length; i += 1) {
    const key = keys[i]!;
    if (sorted ? !Object.prototype.propertyIsEnumerable.call(second, key) : others[i] !== key) return false;
    if (!alike(first[key], second[key], sorted)) return false;
  }
  return true;
}

const hasToJson = (value: object): boolean => typeof (value as { toJSON?: unknown }).toJSON === 'function';

function plainObject(value: object): boolean {
  const prototype: unknown = Object.getPrototypeOf(value);
  return (prototype === Object.prototype || prototype === null) && !hasToJson(value);
}

/** A balance record's currencies and amounts (none for a record that is not an object: its schema check reports it). */
function rowEntries(row: unknown): [string, number][] {
  return typeof row === 'object' && row !== null ? (Object.entries(row) as [string, number][]) : [];
}

async function replayJournal(
  store: SplitStoreFiles,
  snapshot: VerifiedVersion,
  push: (text: string) => void,
): Promise<{ balances: Totals; count: number; segments: number; parties: Map<string, number[]>; links: Map<string, number[]> }> {
  const head = snapshot.root.meta.journal;
  const log = store.journalLog;
  const problems: string[] = [];
  const replay = new LedgerReplay(log.segmentSize, problems);
  const parties = new Map<string, number[]>();
  const links = new Map<string, number[]>();
  let segments = 0;
  for (let segment = 0; head.seq > 0 && segment <= log.segmentOf(head.seq); segment += 1) {
    const entries = await guarded(push, null, () => log.readSegment(segment));
    if (entries === null) {
      push(`${log.fileOf(segment)}: journal segment ${segment} is missing`);
      break;
    }
    const committed = entries.filter((e) => e.seq <= head.seq);
    replay.addSegment(segment, committed, log.fileOf(segment));
    for (const entry of committed) {
      fileLinks(parties, entry.seq, entry.tx.parties);
      fileLinks(links, entry.seq, entry.tx.links);
    }
    segments += 1;
  }
  replay.chain.finish(head);
  problems.forEach(push);
  return { balances: replay.balances, count: replay.chain.count, segments, parties, links };
}

async function checkAudit(store: SplitStoreFiles, snapshot: VerifiedVersion, push: (text: string) => void): Promise<number> {
  const head = snapshot.root.meta.audit;
  const log = store.auditLogFiles;
  const problems: string[] = [];
  const audits = auditChecker(log.segmentSize, problems);
  for (let segment = 0; head.seq > 0 && segment <= log.segmentOf(head.seq); segment += 1) {
    const entries = await guarded(push, null, () => log.readSegment(segment));
    if (entries === null) {
      push(`${log.fileOf(segment)}: audit segment ${segment} is missing`);
      break;
    }
    audits.addSegment(
      segment,
      entries.filter((e) => e.seq <= head.seq),
      log.fileOf(segment),
    );
  }
  audits.finish(head);
  problems.forEach(push);
  return audits.count;
}

async function checkOutbox(store: SplitStoreFiles, snapshot: VerifiedVersion, push: (text: string) => void): Promise<void> {
  const layout = snapshot.root.layout;
  if (layout) await checkMailSegments(store, snapshot, layout.mailsPerSegment, push);
  else checkOldOutbox(store, snapshot, push);
}

/** Every mail segment up to the mail counter: each holds its mails, all okpay's, in order; no other segment exists. */
async function checkMailSegments(store: SplitStoreFiles, snapshot: VerifiedVersion, perSegment: number, push: (text: string) => void): Promise<void> {
  const mailSeq = snapshot.root.meta.mailSeq;
  const directory = store.file(MAILS);
  const extra = new Set(listDirectory(directory).filter((name) => !name.startsWith('.')));
  for (let segment = 0; segment * perSegment < mailSeq; segment += 1) {
    const file = store.file(mailSegmentPath(segment));
    extra.delete(path.basename(file));
    const mails = await guarded(push, null, () => snapshot.mailSegment(segment, false));
    if (mails === null) continue;
    const expected = Math.min(perSegment, mailSeq - segment * perSegment);
    if (mails.length !== expected) push(`${file}: it holds ${mails.length} mails, not the ${expected} the store says were sent into it`);
    mails.forEach((raw, index) => {
      const id = mailIdForSeq(segment * perSegment + index + 1);
      if (parseEml(raw)?.id !== id) push(`${file}: mail ${id} in it is not a mail okpay wrote`);
    });
  }
  for (const name of extra) push(`${path.join(directory, name)}: a file of mails past the last one the store sent (${mailSeq})`);
}

/** The layout before schema 11: a file per mail up to the mail counter, each okpay's; none past it. */
function checkOldOutbox(store: SplitStoreFiles, snapshot: VerifiedVersion, push: (text: string) => void): void {
  const mailSeq = snapshot.root.meta.mailSeq;
  const directory = store.file(OLD_OUTBOX);
  const extra = new Set(listDirectory(directory).filter((name) => /^msg_[0-9]+\.eml$/.test(name)));
  for (let seq = 1; seq <= mailSeq; seq += 1) {
    const relative = oldMailPath(seq);
    const file = store.file(relative);
    extra.delete(path.basename(file));
    try {
      const raw = snapshot.textOf(relative);
      if (raw === null) push(`${file}: mail ${seq} is missing, but the store says it was sent`);
      else if (parseEml(raw)?.id !== mailIdForSeq(seq)) push(`${file}: it is not a mail okpay wrote`);
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      push(error.message);
    }
  }
  for (const name of extra) push(`${path.join(directory, name)}: a mail past the last one the store sent (${mailSeq})`);
}
