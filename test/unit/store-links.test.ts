// The split record store (the layout the binary is moving to) never writes through a link planted
// at the name of a staged or temporary file: stages are made new, with O_EXCL and O_NOFOLLOW.

import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { SplitFileStore } from '../../src/store/split-file-store.js';
import { customer, newState } from '../support/desk.js';

const NOW = '2026-11-23T10:00:00.000Z';
const root = mkdtempSync(path.join(os.tmpdir(), 'okpay-links-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

it('a link at a stage name is replaced, never followed', async () => {
  const home = path.join(root, 'home');
  const leak = path.join(root, 'leak');
  writeFileSync(leak, '');
  const store = new SplitFileStore(home, {
    now: () => new Date(NOW),
    summarizeTicket: () => {
      throw new Error('a new store has no schema-2 tickets');
    },
  });
  const ada = customer(newState(), 'ada');
  await store.transaction((t) => t.users.put(ada));
  symlinkSync(leak, path.join(home, '.store.json.stage'));
  const bob = { ...customer(newState(), 'bob'), phone: '+14155550142' };
  await store.transaction((t) => t.users.put(bob));
  expect(readFileSync(leak, 'utf8')).toBe('');
  expect(await store.read(async (t) => [(await t.users.byEmail(ada.email))?.id, (await t.users.byEmail(bob.email))?.id])).toEqual([ada.id, bob.id]);
  expect((await store.verify()).problems).toEqual([]);
});
