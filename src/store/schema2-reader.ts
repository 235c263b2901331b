// Reads a schema-2 store (the layout before the split store): a state file (balances, users, live
// objects) beside hash-chained journal and audit segments, per-user journal indexes and an outbox
// of .eml files. The upgrade to the split store (split-file-store.ts) uses it under the store lock,
// and a read (which writes nothing) to read the store as that upgrade would make it; nothing is
// ever committed in this layout again.
//
// A schema-2 commit wrote journal and audit segments first, then indexes and mails, then the state,
// which records the last applied sequence. So before the state is read for the upgrade, a commit
// that was cut short is completed as that release would have: complete journal entries beyond the
// state are redone through the same effects, and a torn tail (never acknowledged) is dropped.

import { promises as fs } from 'node:fs';
import path from 'node:path';
import { Low } from 'lowdb';
import type { AuditEntry } from '../domain/audit.js';
import { AppError } from '../domain/errors.js';
import { hydrateEntry, type StoredJournalEntry, type Transaction } from '../domain/ledger.js';
import { chainHash, sha256Hex } from '../domain/hashing.js';
import type { ChainHead, UserId } from '../domain/state.js';
import {
  corrupt,
  DurableJsonFile,
  ensureDirectory,
  errnoOf,
  fsyncDirectory,
  parseStoreJson,
  readTextIfExists,
  removeFile,
  unavailable,
} from './durable-file.js';
import { applyTransaction, upgradeState, type Schema2State } from './schema2-state.js';
import { SegmentLog, type ChainCodec, type ChainEntry } from './segment-log.js';
import { auditCodec, journalCodec } from './chain-codecs.js';

const DEFAULT_SEGMENT_SIZE = 1000;

export class Schema2Reader {
  readonly stateFile: string;
  private journalLog: SegmentLog<StoredJournalEntry>;
  private auditLogFiles: SegmentLog<AuditEntry>;
  private readonly indexDirectory: string;
  private readonly outboxDirectory: string;

  constructor(readonly directory: string) {
    this.stateFile = path.join(directory, 'state.json');
    this.journalLog = new SegmentLog(path.join(directory, 'journal'), DEFAULT_SEGMENT_SIZE);
    this.auditLogFiles = new SegmentLog(path.join(directory, 'audit'), DEFAULT_SEGMENT_SIZE);
    this.indexDirectory = path.join(directory, 'index');
    this.outboxDirectory = path.join(directory, 'outbox');
  }

  /** The committed state, after completing a commit that was cut short. The caller holds the store lock. */
  async recoveredState(): Promise<Schema2State> {
    const state = await this.readState();
    if (!(await this.consistent(state))) await this.recover(state);
    return state;
  }

  /**
   * The committed state for a read, which writes nothing: one whose last commit was cut short (its
   * journal or audit log goes on past the state) needs that commit completed first, a write.
   */
  async committedState(): Promise<Schema2State> {
    const state = await this.readState();
    if (await this.consistent(state)) return state;
    throw new AppError(
      'STORE_UNAVAILABLE',
      `the store at ${this.directory} is in the layout of okpay's first release (schema 2), and its last change was cut short: completing it is a write, which a command that only reads does not make`,
      { hint: 'run `okpay store migrate` (it upgrades the store and completes that change), then this command again' },
    );
  }

  private async readState(): Promise<Schema2State> {
    const low = new Low<Record<string, unknown> | null>(new DurableJsonFile<Record<string, unknown> | null>(this.stateFile), null);
    await low.read();
    if (low.data === null) throw corrupt(this.stateFile, 'it is missing');
    return this.configured(upgradeState(low.data, this.stateFile));
  }

  /** True when the journal and audit files end where the state says (a few stat calls). */
  private async consistent(state: Schema2State): Promise<boolean> {
    return (await this.journalLog.matchesHead(state.meta.journal)) && (await this.auditLogFiles.matchesHead(state.meta.audit));
  }

  /** Uses the segment size the store was made with. */
  private configured(state: Schema2State): Schema2State {
    const size = state.meta.segmentSize;
    if (!Number.isSafeInteger(size) || size < 1) throw corrupt(this.stateFile, 'its segment size is not a positive whole number');
    if (size !== this.journalLog.segmentSize) {
      this.journalLog = new SegmentLog(this.journalLog.directory, size);
      this.auditLogFiles = new SegmentLog(this.auditLogFiles.directory, size);
    }
    return state;
  }

  /** Brings the state up to the journal after an interrupted commit. */
  private async recover(state: Schema2State): Promise<void> {
    const journal = await this.recoverLog(this.journalLog, journalCodec, state.meta.journal);
    if (journal.applied.length === 0) {
      // No complete journal entry: the interrupted commit did not happen, so its audit entries and
      // mails (written before the state) would describe a change the state does not have.
      await this.removeMailsAfter(state.meta.mailSeq);
      const audit = await this.dropAfterHead(this.auditLogFiles, auditCodec, state.meta.audit);
      state.meta = { ...state.meta, journal: journal.head, audit };
    } else {
      const redone = journal.applied.map((entry) => hydrateEntry(entry).tx);
      for (const tx of redone) applyTransaction(state, tx);
      await this.writeIndexes(groupByParty(redone));
      const audit = await this.recoverLog(this.auditLogFiles, auditCodec, state.meta.audit);
      // Mails are written before the state: those of the redone commit must not be overwritten by the next ones.
      const mailSeq = Math.max(state.meta.mailSeq, ...(await this.listMailFiles()).map((name) => Number(name.slice(4, -4))));
      state.meta = { ...state.meta, journal: journal.head, audit: audit.head, mailSeq };
    }
    const low = new Low<Schema2State>(new DurableJsonFile<Schema2State>(this.stateFile), state);
    await low.write();
    await fsyncDirectory(this.directory);
  }

  private async dropAfterHead<E extends ChainEntry, C>(log: SegmentLog<E>, codec: ChainCodec<E, C>, head: ChainHead): Promise<ChainHead> {
    await this.checkHeadEntry(log, codec, head);
    const bytes = await log.truncateAfter(head.seq);
    return { ...head, bytes: head.seq === 0 ? 0 : bytes };
  }

  private async removeMailsAfter(mailSeq: number): Promise<void> {
    for (const name of await this.listMailFiles()) {
      if (Number(name.slice(4, -4)) > mailSeq) await removeFile(path.join(this.outboxDirectory, name));
    }
  }

  private async recoverLog<E extends ChainEntry, C>(log: SegmentLog<E>, codec: ChainCodec<E, C>, head: ChainHead): Promise<{ head: ChainHead; applied: E[] }> {
    await this.checkHeadEntry(log, codec, head);
    const after = await log.entriesAfter(head.seq);
    let prev = head;
    let lastEnd = -1;
    after.forEach((entry, index) => {
      const expected = chainHash(prev.hash, prev.seq + 1, entry.end, codec.canonical(codec.content(entry)));
      if (entry.seq !== prev.seq + 1 || entry.prevHash !== prev.hash || entry.hash !== expected) {
        throw corrupt(log.fileOf(log.segmentOf(entry.seq)), `entry ${entry.seq} does not continue the hash chain`);
      }
      prev = { seq: entry.seq, hash: entry.hash, bytes: 0 };
      if (entry.end) lastEnd = index;
    });
    const applied = after.slice(0, lastEnd + 1);
    const last = applied[applied.length - 1];
    const seq = last ? last.seq : head.seq;
    const hash = last ? last.hash : head.hash;
    const bytes = after.length > applied.length ? await log.truncateAfter(seq) : ((await log.segmentBytes(log.segmentOf(Math.max(seq, 1)))) ?? 0);
    return { head: { seq, hash, bytes: seq === 0 ? 0 : bytes }, applied };
  }

  private async checkHeadEntry<E extends ChainEntry, C>(log: SegmentLog<E>, codec: ChainCodec<E, C>, head: ChainHead): Promise<void> {
    if (head.seq === 0) return;
    const entries = await log.readSegment(log.segmentOf(head.seq));
    const entry = entries?.find((e) => e.seq === head.seq);
    if (!entry || entry.hash !== head.hash) {
      throw corrupt(log.fileOf(log.segmentOf(head.seq)), `it does not hold entry ${head.seq} that the state says was committed`);
    }
    // The segment changed size, so something rewrote it: its committed entries must still be what was hashed.
    let prevHash: string | null = null;
    for (const e of entries ?? []) {
      if (e.seq > head.seq) break;
      const linked = prevHash === null || e.prevHash === prevHash;
      if (!linked || chainHash(e.prevHash, e.seq, e.end, codec.canonical(codec.content(e))) !== e.hash) {
        throw corrupt(log.fileOf(log.segmentOf(head.seq)), `entry ${e.seq} was changed after it was committed`);
      }
      prevHash = e.hash;
    }
  }

  /** Users are spread over 256 index buckets. */
  private indexFile(userId: UserId): string {
    return path.join(this.indexDirectory, `${sha256Hex(userId).slice(0, 2)}.json`);
  }

  private async readBucket(file: string): Promise<Record<UserId, number[]>> {
    const text = await readTextIfExists(file);
    if (text === null) return {};
    const data = parseStoreJson<{ users?: unknown }>(text, file);
    if (data.users === null || typeof data.users !== 'object' || Array.isArray(data.users)) throw corrupt(file, 'it is not a journal index');
    return data.users as Record<UserId, number[]>;
  }

  private async writeIndexes(additions: Map<UserId, number[]>): Promise<void> {
    await ensureDirectory(this.indexDirectory);
    const byBucket = new Map<string, UserId[]>();
    for (const userId of additions.keys()) {
      const file = this.indexFile(userId);
      byBucket.set(file, [...(byBucket.get(file) ?? []), userId]);
    }
    for (const [file, userIds] of byBucket) {
      const users = await this.readBucket(file);
      for (const userId of userIds) {
        const existing = users[userId] ?? [];
        const last = existing[existing.length - 1] ?? 0;
        // Idempotent: a redo after a crash may add seqs that are already there.
        users[userId] = existing.concat((additions.get(userId) ?? []).filter((s) => s > last));
      }
      const low = new Low<{ users: Record<UserId, number[]> }>(new DurableJsonFile(file), { users });
      await low.write();
    }
    await fsyncDirectory(this.indexDirectory);
  }

  private async listMailFiles(): Promise<string[]> {
    try {
      return (await fs.readdir(this.outboxDirectory)).filter((n) => /^msg_[0-9]+\.eml$/.test(n)).sort();
    } catch (error) {
      if (errnoOf(error) === 'ENOENT') return [];
      throw unavailable(this.outboxDirectory, error);
    }
  }
}

function groupByParty(txs: readonly Transaction[]): Map<UserId, number[]> {
  const byUser = new Map<UserId, number[]>();
  for (const tx of txs) {
    for (const party of new Set(tx.parties)) {
      const list = byUser.get(party) ?? [];
      list.push(tx.seq);
      byUser.set(party, list);
    }
  }
  return byUser;
}
