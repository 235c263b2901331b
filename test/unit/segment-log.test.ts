// Reading one entry of a segment by its prefix and stored length gives exactly the entry that
// parsing the whole segment gives — multi-byte text, quotes and look-alike text in the content
// included — and says "not here" rather than guessing.

import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { entryContentText } from '../../src/domain/hashing.js';
import { ChainAppender, SegmentLog, type ChainCodec, type ChainEntry } from '../../src/store/segment-log.js';

interface Note extends ChainEntry {
  readonly note: { text: string };
}

const codec: ChainCodec<Note, { text: string }> = { field: 'note', content: (e) => e.note, canonical: (c) => entryContentText(c) };
const directory = mkdtempSync(path.join(os.tmpdir(), 'okpay-segments-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

describe('a segment log', () => {
  it('reads one entry as the whole segment holds it', async () => {
    const log = new SegmentLog<Note>(path.join(directory, 'notes'), 4);
    const appender = new ChainAppender(log, codec, { seq: 0, hash: '0'.repeat(64), bytes: 0 });
    const texts = ['plain', '提现什么时候到账？', 'a "quoted" ,"seq":3,"note": look-alike', 'emoji 💸 and \\ backslash', 'x'.repeat(3000), 'last'];
    for (const text of texts) appender.add({ text });
    await appender.finish();
    for (let seq = 1; seq <= texts.length; seq += 1) {
      const whole = (await log.readSegment(log.segmentOf(seq)))?.find((e) => e.seq === seq);
      expect(whole?.note.text).toBe(texts[seq - 1]);
      expect(await log.readEntry(seq, 'note')).toEqual(whole);
    }
    expect(await log.readEntry(99, 'note')).toBeNull();
    expect(await log.readEntry(4, 'note')).toBeDefined();
  });

  it('stores a commit flushed as its segments fill byte for byte as the same commit written at once, its last entry ending a segment included', async () => {
    const zero = { seq: 0, hash: '0'.repeat(64), bytes: 0 };
    for (const count of [4, 8, 7]) {
      const whole = new SegmentLog<Note>(path.join(directory, `whole-${count}`), 4);
      const flushed = new SegmentLog<Note>(path.join(directory, `flushed-${count}`), 4);
      const once = new ChainAppender(whole, codec, zero);
      const streamed = new ChainAppender(flushed, codec, zero);
      for (let i = 1; i <= count; i += 1) {
        once.add({ text: `note ${i}` });
        streamed.add({ text: `note ${i}` });
        await streamed.flushFull();
      }
      expect(await streamed.finish()).toEqual(await once.finish());
      const last = (await flushed.readSegment(flushed.segmentOf(count)))?.at(-1);
      expect(last).toMatchObject({ seq: count, end: true });
      for (let segment = 0; segment <= whole.segmentOf(count); segment += 1)
        expect(readFileSync(flushed.fileOf(segment), 'utf8')).toBe(readFileSync(whole.fileOf(segment), 'utf8'));
    }
  });

  it('writes its entries in the bytes of their JSON text, onto what an earlier commit left in the segment, multi-byte text included', async () => {
    const log = new SegmentLog<Note>(path.join(directory, 'spliced'), 4);
    const first = new ChainAppender(log, codec, { seq: 0, hash: '0'.repeat(64), bytes: 0 });
    first.add({ text: '提现什么时候到账？' });
    const head = await first.finish();
    const second = new ChainAppender(log, codec, head);
    for (const text of ['Zoë • 1234', 'plain', 'emoji 💸']) second.add({ text });
    const end = await second.finish();
    const text = readFileSync(log.fileOf(0), 'utf8');
    const parsed = JSON.parse(text) as { segment: number; entries: (Note & { len: number })[] };
    expect(text).toBe(JSON.stringify(parsed));
    expect(parsed.entries.map((e) => [e.seq, e.end, e.note.text])).toEqual([
      [1, true, '提现什么时候到账？'],
      [2, false, 'Zoë • 1234'],
      [3, false, 'plain'],
      [4, true, 'emoji 💸'],
    ]);
    for (const entry of parsed.entries) expect(entry.len).toBe(Buffer.byteLength(entryContentText(entry.note)));
    expect(end).toMatchObject({ seq: 4, bytes: Buffer.byteLength(text) });
    expect(await log.readEntry(4, 'note')).toEqual(parsed.entries[3]);
  });

  it('makes the entry texts of one segment at a time, each segment written before the texts of the next', async () => {
    const steps: string[] = [];
    class TracedLog extends SegmentLog<Note> {
      override async writeSegmentText(segment: number, text: string | Buffer): Promise<number> {
        steps.push(`write ${segment}`);
        return super.writeSegmentText(segment, text);
      }
    }
    const traced: ChainCodec<Note, { text: string }> = { ...codec, canonical: (c) => (steps.push(c.text), entryContentText(c)) };
    const log = new TracedLog(path.join(directory, 'traced'), 2);
    const appender = new ChainAppender(log, traced, { seq: 0, hash: '0'.repeat(64), bytes: 0 });
    for (const text of ['a', 'b', 'c', 'd', 'e']) appender.add({ text });
    expect(await appender.finish()).toMatchObject({ seq: 5 });
    expect(steps).toEqual(['a', 'b', 'write 0', 'c', 'd', 'write 1', 'e', 'write 2']);
    expect((await log.readSegment(2))?.map((e) => [e.seq, e.end, e.note.text])).toEqual([[5, true, 'e']]);
  });

  it(
    'lays entries out at a flush without waiting for the segment it starts writing, and reports that write failing at the finish',
    { timeout: 20_000 },
    async () => {
      // The write of segment 0 fails only once the test lets it go on: a flush that waited for it would never return.
      let release = () => {};
      const gate = new Promise<void>((resolve) => (release = resolve));
      class FailingLog extends SegmentLog<Note> {
        override async writeSegmentText(segment: number, text: string | Buffer): Promise<number> {
          if (segment !== 0) return super.writeSegmentText(segment, text);
          await gate;
          throw new Error('disk full');
        }
      }
      const seen: string[] = [];
      const log = new FailingLog(path.join(directory, 'failing'), 2);
      const appender = new ChainAppender(
        log,
        { ...codec, canonical: (c) => (seen.push(c.text), entryContentText(c)) },
        { seq: 0, hash: '0'.repeat(64), bytes: 0 },
      );
      for (const text of ['a', 'b', 'c']) appender.add({ text });
      await appender.flushFull();
      // Laid out but the newest, which the finish marks as the end.
      expect(seen).toEqual(['a', 'b']);
      release();
      await expect(appender.finish()).rejects.toThrow('disk full');
    },
  );

  it('leaves to a full read what it cannot take apart', async () => {
    const log = new SegmentLog<Note>(path.join(directory, 'odd'), 4);
    mkdirSync(log.directory, { recursive: true });
    writeFileSync(path.join(log.directory, '00000000.json'), '{"segment":0,"entries":[{"seq":1,"note":{"text":"no prefix"}}]}');
    expect(await log.readEntry(1, 'note')).toBeUndefined();
  });
});
