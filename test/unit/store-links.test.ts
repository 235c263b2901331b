// The split record store (the layout the binary is moving to) never writes through a link planted
// at the name of a staged or temporary file: stages are made new, with O_EXCL and O_NOFOLLOW.

import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
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

it('a new store\u2019s first commit of many files (as fixtures generate makes) replaces a link at a stage name too', async () => {
  const home = path.join(root, 'many');
  const leak = path.join(root, 'leak-many');
  writeFileSync(leak, '');
  mkdirSync(home);
  symlinkSync(leak, path.join(home, '.store.json.stage'));
  const store = new SplitFileStore(home, {
    now: () => new Date(NOW),
    summarizeTicket: () => {
      throw new Error('a new store has no schema-2 tickets');
    },
  });
  // A user of their own each: a user bucket and two index buckets apiece, well over a thousand files.
  const people = Array.from({ length: 600 }, (_, i) => customer(newState(), `p${i}`));
  await store.transaction((t) => {
    for (const person of people) t.users.put(person);
  });
  expect(readFileSync(leak, 'utf8')).toBe('');
  expect(readdirSync(path.join(home, 'records'), { recursive: true }).length).toBeGreaterThan(1_000);
  expect(await store.read(async (t) => (await t.users.byEmail(people[599]?.email ?? ''))?.id)).toBe(people[599]?.id);
  expect((await store.verify()).problems).toEqual([]);
});
