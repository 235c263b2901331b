// A store written by the schema-11 release (test/fixtures/schema11-store, made by
// scripts/make-old-layout-fixture.sh 11 with okpay at 8d82273) used by today's binary. Schema 12
// added the index of emails by user id (agent queue and ticket show name people from it), schema 13
// the phone-codes records (a number is texted at most five codes a day, whichever accounts ask).
// Upgraded by its first writer or by `okpay store migrate`: the index then answers, both phone-code
// caps hold (an account's own count carried from schema 11), verify is clean and nothing is lost.

import { cpSync, existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { SPLIT_SCHEMA_VERSION } from '../../src/store/split-layout.js';
import { expectError, expectOk } from '../support/accounts.js';
import { Okpay } from '../support/okpay.js';
import { storeDigest, storeRoot } from '../support/store-files.js';

const FIXTURES = fileURLToPath(new URL('../fixtures', import.meta.url));
const tokens = JSON.parse(readFileSync(path.join(FIXTURES, 'schema2-store', 'tokens.json'), 'utf8')) as {
  bob: string;
  chen: string;
  amy: string;
  ticket: number;
};
/** Half a minute after the fixture's last commands (Bob's transfer, Chen's codes, Amy's queue): no session is touched. */
const NOW = '2026-11-23T10:25:30.000Z';
const DEMO_PASSWORD = 'Demo-pass-2026!';
/** The number Chen asked two codes for under schema 11. */
const CHENS_NUMBER = '+447700900199';

/** What must read the same before and after the upgrade: each command's output, by whom (an agent's ticket show writes: it audits the view). */
const LOOKS: readonly (readonly [keyof typeof tokens, readonly string[]])[] = [
  ['amy', ['agent', 'queue', '--json']],
  ['bob', ['ticket', 'show', String(tokens.ticket), '--json']],
  ['bob', ['balance', '--json']],
  ['bob', ['history', '--json']],
  ['bob', ['tx', 'show', 'txn_0000000026', '--json']],
  ['chen', ['profile', '--json']],
  ['bob', ['outbox', 'list', '--json']],
];

const UPGRADES = [
  {
    name: 'okpay store migrate',
    upgrade: async (o: Okpay) => {
      const run = expectOk(await o.run(['store', 'migrate']));
      expect(run.stdout.trim()).toBe(`upgraded the store in ${o.home} from schema version 11 to ${SPLIT_SCHEMA_VERSION}`);
    },
  },
  {
    name: 'its first writer (a transfer to an email)',
    upgrade: async (o: Okpay) => {
      const run = expectOk(
        await o.run(
          ['transfer', '--to', 'chen.li@example.cn', '--amount', '0.06', '--currency', 'USD', '--yes', '--idempotency-key', 'upgrade-key-6', '--json'],
          {
            env: { OKPAY_SESSION: tokens.bob },
          },
        ),
      );
      expect(run.json<{ transaction: { id: string; to: string } }>().transaction).toMatchObject({ id: 'txn_0000000027', to: 'chen.li@example.cn' });
    },
  },
] as const;

describe.each(UPGRADES)('a store of schema 11 (as that release wrote it), upgraded by $name', ({ name, upgrade }) => {
  const homes: Okpay[] = [];
  afterEach(() => homes.splice(0).forEach((o) => o.cleanup()));
  const fixture = (): Okpay => {
    const o = new Okpay({ now: NOW, testStore: false });
    cpSync(path.join(FIXTURES, 'schema11-store', 'data'), o.home, { recursive: true });
    homes.push(o);
    return o;
  };
  const as = (o: Okpay, who: keyof typeof tokens, args: readonly string[], stdin?: string) =>
    o.run(args, { env: { OKPAY_SESSION: String(tokens[who]) }, ...(stdin === undefined ? {} : { stdin }) });
  const looks = async (o: Okpay) => {
    const outputs: unknown[] = [];
    for (const [who, args] of LOOKS) outputs.push(expectOk(await as(o, who, args)).json());
    return outputs;
  };
  const verified = async (o: Okpay) => expect(expectOk(await o.run(['verify', '--json'])).json()).toMatchObject({ ok: true, problems: [] });

  it('names people from the new index, keeps every record, mail and key, and verifies clean', async () => {
    const o = fixture();
    expect(storeRoot(o.home).schemaVersion).toBe(11);
    expect(existsSync(path.join(o.home, 'records', 'email-of-user'))).toBe(false);
    const digest = storeDigest(o.home);
    const before = await looks(o);
    await verified(o);
    // Read as it is: the queue names its people from the users themselves, and nothing is written.
    expect(storeDigest(o.home)).toBe(digest);
    const queue = before[0] as { tickets: { number: number; customer: string | null; assignee: string | null }[] };
    expect(queue.tickets.find((t) => t.number === tokens.ticket)).toMatchObject({ customer: 'bob@example.com', assignee: 'amy@support.okpay.example' });

    await upgrade(o);
    expect(storeRoot(o.home).schemaVersion).toBe(SPLIT_SCHEMA_VERSION);
    expect(existsSync(path.join(o.home, 'records', 'email-of-user', 'buckets.json'))).toBe(true);
    await verified(o);
    const after = await looks(o);
    if (name === 'okpay store migrate') expect(after).toEqual(before);
    else {
      // The transfer's own changes aside (Bob's balance and history, its mail), every look answers as before.
      const same = (list: unknown[]) => list.filter((_, i) => !['balance', 'history', 'outbox'].includes(LOOKS[i]?.[1][0] ?? ''));
      expect(same(after)).toEqual(same(before));
      const mails = (list: unknown[]) => (list[6] as { mails: { id: string }[] }).mails.map((m) => m.id);
      expect(mails(after).slice(0, mails(before).length)).toEqual(mails(before));
    }
    // The key the schema-11 release stored still names its transaction.
    const replay = expectOk(
      await as(o, 'bob', [
        'transfer',
        '--to',
        'chen.li@example.cn',
        '--amount',
        '0.05',
        '--currency',
        'USD',
        '--yes',
        '--idempotency-key',
        'upgrade-key-5',
        '--json',
      ]),
    );
    expect(replay.json<{ transaction: { id: string } }>().transaction.id).toBe('txn_0000000026');
    await verified(o);
  });

  it('holds an account to its five phone codes a day counting those sent under schema 11, and a number to five whichever accounts ask', async () => {
    const o = fixture();
    await upgrade(o);
    const setPhone = (who: keyof typeof tokens, phone: string) =>
      as(o, who, ['profile', 'set', '--phone', phone, '--password-stdin', '--json'], `${DEMO_PASSWORD}\n`);
    // Chen was sent two codes under schema 11: three more, then the account's cap.
    for (let i = 0; i < 3; i += 1) expectOk(await setPhone('chen', CHENS_NUMBER));
    const sixth = expectError(await setPhone('chen', CHENS_NUMBER), 8, 'LIMIT_EXCEEDED').error();
    expect(sixth.message).toBe('5 phone codes were sent for this account in the last 24 hours, the most there may be');
    // A number of its own: Amy sends it three codes and Lena two; Amy's next is the number's sixth.
    const lena = expectOk(
      await o.run(['login', '--email', 'lena.mueller@example.de', '--password-stdin', '--raw'], { stdin: `${DEMO_PASSWORD}\n` }),
    ).stdout.trim();
    const number = '+447700900155';
    for (let i = 0; i < 3; i += 1) expectOk(await setPhone('amy', number));
    for (let i = 0; i < 2; i += 1)
      expectOk(await o.run(['profile', 'set', '--phone', number, '--password-stdin', '--json'], { env: { OKPAY_SESSION: lena }, stdin: `${DEMO_PASSWORD}\n` }));
    const digest = storeDigest(o.home);
    const refused = expectError(await setPhone('amy', number), 8, 'LIMIT_EXCEEDED').error();
    expect(refused.message).toBe(`5 codes were texted to ${number} in the last 24 hours, the most one number is sent`);
    expect(storeDigest(o.home)).toBe(digest);
    await verified(o);
  });
});
