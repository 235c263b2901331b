// OKPAY_SMTP_URL's store (src/cli/delivering-store.ts): a transaction's mails are tried by SMTP
// once it has committed, and only then. A commit that failed made no mail: the ids it gave its
// mails were never its own, and the next command that commits takes them for mails of its own.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliveringStore } from '../../src/cli/delivering-store.js';
import { bufferIO } from '../../src/cli/io.js';
import { Output } from '../../src/cli/output.js';
import { AppError } from '../../src/domain/errors.js';
import { MemoryRecordStore } from '../../src/store/memory-record-store.js';
import type { RecordStore, RecordsTransaction } from '../../src/store/store.js';
import { startSmtpServer, type TestSmtpServer } from '../support/smtp.js';

const NOW = '2026-11-23T10:00:00.000Z';
const now = () => new Date(NOW);

const mailTo = (t: RecordsTransaction, to: string, text: string) =>
  t.mail({ to, userId: null, kind: 'test', language: 'en', subject: 'Hello', text, antiPhishingPhrase: null }, NOW).id;

describe('a store that delivers each mail after its commit', () => {
  let smtp: TestSmtpServer;
  beforeAll(async () => {
    smtp = await startSmtpServer();
  });
  afterAll(() => smtp.close());

  const delivering = (inner: RecordStore) => {
    const io = bufferIO();
    return { store: deliveringStore(inner, { url: smtp.url, shown: smtp.url, timeoutMs: 10_000 }, now, new Output(io, false, false)), io };
  };
  const received = () => smtp.received.splice(0).map((m) => ({ to: m.to, text: m.parsed.text?.trim() }));

  it('sends nothing of a transaction whose commit failed, not the mail another command committed under its ids since', async () => {
    const memory = new MemoryRecordStore(NOW);
    const other = delivering(memory).store;
    const failed = new AppError('STORE_UNAVAILABLE', 'the disk is full: the change could not be committed');
    // The first commit fails: the work's changes are dropped; meanwhile another command commits a mail
    // (the first id again, as the failed commit never took it), then the failure is reported.
    let fails = 1;
    const failing: RecordStore = {
      location: memory.location,
      read: (work) => memory.read(work),
      transaction: async (work) => {
        if (fails-- <= 0) return memory.transaction(work);
        const dropped = new Error('dropped');
        await memory
          .transaction(async (t) => {
            await work(t);
            throw dropped;
          })
          .catch((error: unknown) => {
            if (error !== dropped) throw error;
          });
        expect(await other.transaction((t) => mailTo(t, 'bo@example.com', 'For Bo.'))).toBe('msg_000001');
        throw failed;
      },
    };
    const { store, io } = delivering(failing);
    await expect(store.transaction((t) => mailTo(t, 'ann@example.com', 'For Ann.'))).rejects.toBe(failed);
    // Bo's mail went once, by the command that made it; the failed one sent nothing and left Bo's record alone.
    expect(received()).toEqual([{ to: ['bo@example.com'], text: 'For Bo.' }]);
    expect(await memory.read((t) => t.deliveries.get('msg_000001'))).toMatchObject({ status: 'sent', attempts: 1 });
    expect(io.stderr()).toBe('');
  });

  it('sends the mails of a change that committed and then fails the command (a counted failed sign-in)', async () => {
    const memory = new MemoryRecordStore(NOW);
    const { store } = delivering(memory);
    const refused = new AppError('BAD_CREDENTIALS', 'wrong email or password');
    await expect(
      store.transaction((t) => {
        mailTo(t, 'cy@example.com', 'Your account is locked.');
        t.failAfterCommit(refused);
      }),
    ).rejects.toBe(refused);
    expect(received()).toEqual([{ to: ['cy@example.com'], text: 'Your account is locked.' }]);
    expect(await memory.read((t) => t.deliveries.get('msg_000001'))).toMatchObject({ status: 'sent' });
  });
});
