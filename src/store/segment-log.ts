// An append-only, hash-chained log kept in fixed-size segment files (lowdb JSON files of at most
// `segmentSize` entries): entry `seq` lives in segment floor((seq - 1) / segmentSize). A commit
// rewrites only the open segment and adds new ones, so its cost does not grow with history.

import { promises as fs, statSync } from 'node:fs';
import path from 'node:path';
import { Low } from 'lowdb';
import { chainHashLaidOut } from '../domain/hashing.js';
import type { ChainHead } from '../domain/state.js';
import {
  corrupt,
  DurableJsonFile,
  ensureDirectory,
  errnoOf,
  parseStoreJson,
  readTextIfExists,
  removeFile,
  unavailable,
  writeFileDurable,
} from './durable-file.js';

export interface ChainEntry {
  readonly seq: number;
  readonly prevHash: string;
  readonly hash: string;
  readonly end: boolean;
}

export interface SegmentFile<E> {
  segment: number;
  entries: E[];
}

/** What a chained log needs to know about its entries: how to get at the hashed content. */
export interface ChainCodec<E extends ChainEntry, C> {
  /** The key the content is stored under in an entry: "tx" or "event". */
  readonly field: string;
  content(entry: E): C;
  canonical(content: C): string;
}

export class SegmentLog<E extends ChainEntry> {
  private directoryReady = false;

  constructor(
    readonly directory: string,
    readonly segmentSize: number,
  ) {}

  segmentOf(seq: number): number {
    return Math.floor((seq - 1) / this.segmentSize);
  }

  fileOf(segment: number): string {
    return path.join(this.directory, `${segment.toString().padStart(8, '0')}.json`);
  }

  async readSegment(segment: number): Promise<E[] | null> {
    const file = this.fileOf(segment);
    const low = new Low<SegmentFile<E> | null>(new DurableJsonFile(file), null);
    await low.read();
    return low.data === null ? null : this.checkSegment(low.data, segment);
  }

  /**
   * One entry, found by its prefix and taken whole by its stored length, without parsing the rest
   * of its segment: a user's history reads one entry from each of many segments. Null when the
   * segment holds no such entry (or is missing); anything it cannot read is left to readSegment.
   */
  async readEntry(seq: number, field: string): Promise<E | null | undefined> {
    const file = this.fileOf(this.segmentOf(seq));
    let bytes: Buffer;
    try {
      bytes = await fs.readFile(file);
    } catch (error) {
      if (errnoOf(error) === 'ENOENT') return null;
      throw unavailable(file, error);
    }
    const marker = bytes.indexOf(`,"seq":${seq},"${field}":`);
    if (marker < 0) return undefined;
    const start = bytes.lastIndexOf('{"end":', marker);
    const head = /^\{"end":(true|false),"hash":"([0-9a-f]{64})","len":(\d+),"prevHash":"([0-9a-f]{64})"$/.exec(bytes.subarray(start, marker).toString('utf8'));
    if (start < 0 || !head) return undefined;
    const [, end, hash, len, prevHash] = head as unknown as [string, string, string, string, string];
    const contentStart = marker + Buffer.byteLength(`,"seq":${seq},"${field}":`);
    try {
      const content: unknown = JSON.parse(bytes.subarray(contentStart, contentStart + Number(len)).toString('utf8'));
      return { end: end === 'true', hash, len: Number(len), prevHash, seq, [field]: content } as unknown as E;
    } catch {
      return undefined;
    }
  }

  parseSegment(text: string, segment: number): E[] {
    return this.checkSegment(parseStoreJson<SegmentFile<E>>(text, this.fileOf(segment)), segment);
  }

  private checkSegment(data: SegmentFile<E>, segment: number): E[] {
    if (data.segment !== segment || !Array.isArray(data.entries)) throw corrupt(this.fileOf(segment), 'it is not a segment of this log');
    return data.entries;
  }

  async segmentBytes(segment: number): Promise<number | null> {
    try {
      return statSync(this.fileOf(segment)).size;
    } catch (error) {
      if (errnoOf(error) === 'ENOENT') return null;
      throw unavailable(this.fileOf(segment), error);
    }
  }

  /** True when the files hold exactly what `head` says was committed (two stat calls). */
  async matchesHead(head: ChainHead): Promise<boolean> {
    if (head.seq === 0) return (await this.segmentBytes(0)) === null;
    const open = this.segmentOf(head.seq);
    return (await this.segmentBytes(open)) === head.bytes && (await this.segmentBytes(open + 1)) === null;
  }

  /** Entries after `seq` still in the files (at most what one interrupted commit wrote). */
  async entriesAfter(seq: number): Promise<E[]> {
    const found: E[] = [];
    for (let segment = seq === 0 ? 0 : this.segmentOf(seq); ; segment += 1) {
      const entries = await this.readSegment(segment);
      if (entries === null) break;
      for (const entry of entries) if (entry.seq > seq) found.push(entry);
    }
    return found;
  }

  /** Rewrites the files so that they end at `head.seq` (dropping a torn tail). */
  async truncateAfter(seq: number): Promise<number> {
    let bytes = 0;
    const keepSegment = seq === 0 ? -1 : this.segmentOf(seq);
    for (let segment = Math.max(keepSegment, 0); ; segment += 1) {
      const entries = await this.readSegment(segment);
      if (entries === null) break;
      if (segment === keepSegment) {
        bytes = await this.writeSegment(
          segment,
          entries.filter((e) => e.seq <= seq),
        );
      } else {
        await removeFile(this.fileOf(segment));
      }
    }
    return bytes;
  }

  /** Checks that a segment file's text has the shape entries can be spliced into. */
  checkSegmentText(text: string, segment: number): void {
    const head = `{"segment":${segment},"entries":[`;
    if (!text.startsWith(head) || !text.trimEnd().endsWith(']}')) {
      // Not written by us in this shape: read it properly (which refuses a damaged file).
      this.parseSegment(text, segment);
      throw corrupt(this.fileOf(segment), 'it is not laid out as okpay writes segments');
    }
  }

  /** Writes a segment file whole (its text, or its UTF-8 bytes); returns its size in bytes. */
  async writeSegmentText(segment: number, text: string | Buffer): Promise<number> {
    if (!this.directoryReady) {
      await ensureDirectory(this.directory);
      this.directoryReady = true;
    }
    await writeFileDurable(this.fileOf(segment), text);
    return typeof text === 'string' ? Buffer.byteLength(text) : text.length;
  }

  async writeSegment(segment: number, entries: E[]): Promise<number> {
    if (!this.directoryReady) {
      await ensureDirectory(this.directory);
      this.directoryReady = true;
    }
    const low = new Low<SegmentFile<E>>(new DurableJsonFile(this.fileOf(segment)), { segment, entries });
    low.data = { segment, entries };
    await low.write();
    return Buffer.byteLength(JSON.stringify(low.data));
  }

  async *scan(): AsyncGenerator<E[]> {
    for (let segment = 0; ; segment += 1) {
      const entries = await this.readSegment(segment);
      if (entries === null) return;
      yield entries;
    }
  }

  async listSegments(): Promise<number[]> {
    let names: string[];
    try {
      names = await fs.readdir(this.directory);
    } catch (error) {
      if (errnoOf(error) === 'ENOENT') return [];
      throw unavailable(this.directory, error);
    }
    return names
      .filter((n) => /^[0-9]{8}\.json$/.test(n))
      .map((n) => Number(n.slice(0, 8)))
      .sort((a, b) => a - b);
  }
}

/**
 * Entries appended by one commit. Each is serialized once, as canonical text that is both what
 * its hash covers and what the file holds; the open segment grows by splicing that text in, so
 * its earlier entries are never parsed or re-serialized. `flushFull` lays the entries added so far
 * into their segment's bytes (the newest aside) and writes each segment as it fills, without
 * waiting for it (streaming): a huge commit holds one segment's bytes, not its entries' objects,
 * and goes on while the disk writes. `finish` waits for every write. `rollback` puts the files
 * back as they were when the commit began.
 */
export class ChainAppender<E extends ChainEntry, C> {
  /** Entries added and not laid into their segment's bytes yet. */
  private pending: { seq: number; content: C; end?: boolean }[] = [];
  /** The committed head when the appender began, then that of the last segment `finish` wrote. */
  private head: ChainHead;
  private readonly startHead: ChainHead;
  /** The last entry laid out (its seq and hash): where the chain goes on. */
  private laid: { seq: number; hash: string };
  /** The segment being laid out and not written yet. */
  private open: { segment: number; bytes: SegmentBytes } | null = null;
  private readonly originals = new Map<number, string | null>();
  /** The bytes of the segment this appender wrote last, which its next write may add to. */
  private openBytes: Buffer | null = null;
  private openSegment: number | null = null;
  /** Segment writes started and not waited for yet; the first that failed. */
  private writing: Promise<void>[] = [];
  private failure: { error: unknown } | null = null;

  constructor(
    private readonly log: SegmentLog<E>,
    private readonly codec: ChainCodec<E, C>,
    head: ChainHead,
  ) {
    this.head = head;
    this.startHead = head;
    this.laid = { seq: head.seq, hash: head.hash };
  }

  get nextSeq(): number {
    return this.laid.seq + this.pending.length + 1;
  }

  get count(): number {
    return this.laid.seq - this.startHead.seq + this.pending.length;
  }

  add(content: C): number {
    const seq = this.nextSeq;
    this.pending.push({ seq, content });
    return seq;
  }

  /** An entry copied from another store, with its own end mark (so that its hash is the one it had there). */
  addStored(content: C, end: boolean): number {
    const seq = this.nextSeq;
    this.pending.push({ seq, content, end });
    return seq;
  }

  /**
   * Lays every pending entry but the newest into its segment's bytes and starts writing each
   * segment that fills: the newest entry stays pending, so that `finish` always has it to mark as
   * the end of the commit (a commit whose last entry fills a segment stores the same bytes,
   * flushed or not). Waits for the writes that earlier calls started, not for its own.
   */
  async flushFull(): Promise<void> {
    const earlier = this.writing;
    this.writing = [];
    if (this.pending.length > 1) await this.layOut(this.pending.splice(0, this.pending.length - 1), false);
    await this.settle(earlier);
  }

  /** Writes everything left, marking the last entry as the end of the commit. Returns the new head. */
  async finish(): Promise<ChainHead> {
    const items = this.pending;
    this.pending = [];
    if (items.length > 0) await this.layOut(items, true);
    if (this.open !== null) this.startWrite(this.open.segment, this.open.bytes.finish());
    this.open = null;
    const writing = this.writing;
    this.writing = [];
    await this.settle(writing);
    if (this.openBytes !== null && this.laid.seq !== this.head.seq) this.head = { seq: this.laid.seq, hash: this.laid.hash, bytes: this.openBytes.length };
    return this.head;
  }

  /**
   * Lays the items' entries into their segments' bytes, each entry's bytes laid in as it is made:
   * no entry's text outlives its own step, and its content is encoded once, for its hash, then
   * copied. A segment that fills is written (without waiting).
   */
  private async layOut(items: { seq: number; content: C; end?: boolean }[], endsCommit: boolean): Promise<void> {
    let prevHash = this.laid.hash;
    for (const [index, item] of items.entries()) {
      const end = item.end ?? (endsCommit && index === items.length - 1);
      const segment = this.log.segmentOf(item.seq);
      if (this.open !== null && this.open.segment !== segment) {
        this.startWrite(this.open.segment, this.open.bytes.finish());
        this.open = null;
      }
      this.open ??= { segment, bytes: new SegmentBytes(segment, await this.existingBytes(segment)) };
      const { hash, content } = chainHashLaidOut(prevHash, item.seq, end, this.codec.canonical(item.content));
      this.open.bytes.add(entryPrefix(end, hash, content.length, prevHash, item.seq, this.codec.field), content);
      prevHash = hash;
      this.laid = { seq: item.seq, hash };
      if (item.seq % this.log.segmentSize === 0) {
        this.startWrite(segment, this.open.bytes.finish());
        this.open = null;
      }
    }
  }

  /** Starts writing a segment's new bytes; `settle` waits for it. */
  private startWrite(segment: number, bytes: Buffer): void {
    this.openSegment = segment;
    this.openBytes = bytes;
    this.writing.push(
      this.log.writeSegmentText(segment, bytes).then(
        () => undefined,
        (error: unknown) => {
          this.failure ??= { error };
        },
      ),
    );
  }

  /** Waits for these writes; throws the first failure of any write so far. */
  private async settle(writes: Promise<void>[]): Promise<void> {
    await Promise.all(writes);
    if (this.failure) throw this.failure.error;
  }

  private async existingBytes(segment: number): Promise<Buffer | null> {
    if (this.openSegment === segment && this.openBytes !== null) return this.openBytes;
    const text = await readTextIfExists(this.log.fileOf(segment));
    if (!this.originals.has(segment)) this.originals.set(segment, text);
    if (text === null) return null;
    this.log.checkSegmentText(text, segment);
    return Buffer.from(text, 'utf8');
  }

  /** Puts every segment this commit wrote back as it was (new segments are removed), once the writes started have stopped. */
  async rollback(): Promise<void> {
    const writing = this.writing;
    this.writing = [];
    await Promise.all(writing);
    for (const [segment, text] of this.originals) {
      if (text === null) await removeFile(this.log.fileOf(segment));
      else await this.log.writeSegmentText(segment, text);
    }
  }
}

/**
 * How an entry lies in a segment file: its prefix (ASCII), its content and a closing brace. `len` is
 * the UTF-8 byte length of the content, so a reader can take the exact stored bytes the hash covers
 * without re-serialising (see ledger.entryContentText).
 */
export function entryPrefix(end: boolean, hash: string, len: number, prevHash: string, seq: number, field: string): string {
  return `{"end":${end},"hash":"${hash}","len":${len},"prevHash":"${prevHash}","seq":${seq},"${field}":`;
}

/**
 * A segment file's bytes with entries added at the end of its list, each encoded straight into
 * them: joining a thousand entries into one text and encoding that took three times as long (the
 * text is two bytes a character as soon as one name is not Latin-1), and made two more copies.
 */
class SegmentBytes {
  private bytes: Buffer;
  private at: number;
  /** Whether the next entry follows another (a comma), or opens an empty list. */
  private comma: boolean;

  constructor(segment: number, existing: Buffer | null) {
    const head = existing === null ? Buffer.from(`{"segment":${segment},"entries":[`, 'latin1') : existing.subarray(0, existing.lastIndexOf(']}'));
    this.bytes = Buffer.allocUnsafe(Math.max(SEGMENT_START_BYTES, head.length * 2));
    this.at = head.copy(this.bytes, 0);
    this.comma = head[head.length - 1] !== 0x5b; // '[': an empty list
  }

  add(prefix: string, content: Uint8Array): void {
    this.room(prefix.length + content.length + 2);
    if (this.comma) this.bytes[this.at++] = 0x2c; // ','
    this.comma = true;
    this.at += this.bytes.write(prefix, this.at, 'latin1');
    this.bytes.set(content, this.at);
    this.at += content.length;
    this.bytes[this.at++] = 0x7d; // '}'
  }

  /** The segment's bytes, its list closed. */
  finish(): Buffer {
    this.room(2);
    this.at += this.bytes.write(']}', this.at, 'latin1');
    return this.bytes.subarray(0, this.at);
  }

  private room(more: number): void {
    if (this.at + more <= this.bytes.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.at + more, this.bytes.length * 2));
    this.bytes.copy(grown, 0, 0, this.at);
    this.bytes = grown;
  }
}

/** A new segment's first buffer: a thousand entries of about a kilobyte fit with few regrowths. */
const SEGMENT_START_BYTES = 256 * 1024;
