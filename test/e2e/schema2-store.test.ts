// A store written by the schema-2 release (test/fixtures/schema2-store, made by
// scripts/make-schema2-fixture.sh) used by today's binary: everything it held comes through —
// balances, history, tickets with their messages, sessions still valid, the unused quote, the
// idempotency key, money waiting for an email and for a phone, payouts in flight.

import { chmodSync, cpSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { Account, activate, expectOk, expectVerified, register } from '../support/accounts.js';
import { Okpay } from '../support/okpay.js';

const FIXTURE = fileURLToPath(new URL('../fixtures/schema2-store', import.meta.url));
const tokens = JSON.parse(readFileSync(path.join(FIXTURE, 'tokens.json'), 'utf8')) as {
  bob: string;
  chen: string;
  amy: string;
  quote: string;
  ticket: number;
  now: string;
};
/** Ten minutes after the fixture was made: its sessions are still alive (30 minutes idle). */
const TEST_NOW = new Date(Date.parse(tokens.now) + 10 * 60_000).toISOString();

/** A copy of the fixture's data directory with the modes okpay gives its files (git keeps only 644/755). */
function copyOfFixture(): Okpay {
  const o = new Okpay({ now: TEST_NOW, testStore: false });
  cpSync(path.join(FIXTURE, 'data'), o.home, { recursive: true });
  const tighten = (dir: string): void => {
    chmodSync(dir, 0o700);
    for (const name of readdirSync(dir)) {
      const file = path.join(dir, name);
      if (statSync(file).isDirectory()) tighten(file);
      else chmodSync(file, 0o600);
    }
  };
  tighten(o.home);
  return o;
}

interface BalanceJson {
  balances: { currency: string; available: string; held: string }[];
}

describe('a schema-2 store made by the previous release', () => {
  const homes: Okpay[] = [];
  afterEach(() => homes.splice(0).forEach((o) => o.cleanup()));
  const fixture = (): Okpay => {
    const o = copyOfFixture();
    homes.push(o);
    return o;
  };

  it('keeps balances, history, sessions and payouts in flight', async () => {
    const o = fixture();
    o.session = tokens.bob;
    expect(expectOk(await o.run(['whoami', '--json'])).json<{ user: { email: string } }>().user.email).toBe('bob@example.com');
    expect(expectOk(await o.run(['balance', '--json'])).json<BalanceJson>().balances).toEqual([
      { currency: 'EUR', available: '300.00', held: '0.00' },
      { currency: 'USD', available: '1823.09', held: '300.75' },
    ]);
    const history = expectOk(await o.run(['history', '--json'])).json<{ transactions: { id: string; type: string; status: string; to: string }[] }>()
      .transactions;
    expect(history[0]).toMatchObject({ id: 'txn_0000000019', type: 'transfer.unclaimed', status: 'unclaimed', to: 'nobody.yet@example.org' });
    expect(history.map((tx) => tx.id)).toContain('txn_0000000018');
    const withdrawals = expectOk(await o.run(['withdraw', 'list', '--json'])).json<{ withdrawals: { status: string; total: string }[] }>().withdrawals;
    expect(withdrawals).toEqual([expect.objectContaining({ status: 'requested', total: '300.75' })]);
    o.session = tokens.chen;
    const chens = expectOk(await o.run(['withdraw', 'list', '--json'])).json<{ withdrawals: { status: string }[] }>().withdrawals;
    expect(chens.map((w) => w.status).sort()).toEqual(['processing', 'requested']);
    await expectVerified(o);
  });

  it('keeps the ticket with its messages, for the customer and the agent', async () => {
    const o = fixture();
    o.session = tokens.bob;
    const mine = expectOk(await o.run(['ticket', 'show', String(tokens.ticket), '--json'])).json<{
      ticket: { subject: string; messages: { body: string }[] };
    }>().ticket;
    expect(mine.subject).toBe('Fixture ticket');
    expect(mine.messages.map((m) => m.body)).toEqual(['first message', 'second message from the customer', 'an answer from support']);
    o.session = tokens.amy;
    const queue = expectOk(await o.run(['agent', 'queue', '--json'])).json<{ tickets: { number: number }[] }>().tickets;
    expect(queue.map((t) => t.number)).toContain(tokens.ticket);
  });

  it('honours the stored quote and the idempotency key', async () => {
    const o = fixture();
    o.session = tokens.bob;
    const replay = expectOk(
      await o.run([
        'transfer',
        '--to',
        'chen.li@example.cn',
        '--amount',
        '12.34',
        '--currency',
        'USD',
        '--idempotency-key',
        'fixture-key-1',
        '--memo',
        'idempotent',
        '--yes',
        '--json',
      ]),
    );
    expect(replay.json<{ transaction: { id: string } }>().transaction.id).toBe('txn_0000000018');
    const quoted = expectOk(
      await o.run([
        'transfer',
        '--quote',
        tokens.quote,
        '--to',
        'lena.mueller@example.de',
        '--amount',
        '25.00',
        '--currency',
        'USD',
        '--to-currency',
        'EUR',
        '--yes',
        '--json',
      ]),
    );
    expect(quoted.json<{ transaction: { fee: string; receiveAmount: string } }>().transaction).toMatchObject({ fee: '1.03', receiveAmount: '21.30' });
    const again = await o.run([
      'transfer',
      '--quote',
      tokens.quote,
      '--to',
      'lena.mueller@example.de',
      '--amount',
      '25.00',
      '--currency',
      'USD',
      '--to-currency',
      'EUR',
      '--yes',
      '--json',
    ]);
    expect(again.code).toBe(6);
    await expectVerified(o);
  });

  it('hands the money waiting for an email, and for a phone once verified, to its owner', async () => {
    const o = fixture();
    await register(o, 'nobody.yet@example.org');
    await activate(o, 'nobody.yet@example.org');
    await register(o, 'phone.owner@example.org', ['--phone', '+447700900123']);
    await activate(o, 'phone.owner@example.org');
    // The number is the owner's, and its money theirs, once they type the code sent to it.
    await (await new Account(o, 'phone.owner@example.org').signIn()).verifyPhone('+447700900123');
    const history = async (email: string) => {
      const login = expectOk(await o.run(['login', '--email', email, '--password-stdin', '--raw'], { stdin: 'Harbour-lights-42!\n' }));
      o.session = login.stdout.trim();
      return expectOk(await o.run(['balance', '--json'])).json<BalanceJson>().balances;
    };
    expect(await history('nobody.yet@example.org')).toEqual([{ currency: 'USD', available: '20.00', held: '0.00' }]);
    expect(await history('phone.owner@example.org')).toEqual([{ currency: 'CNY', available: '100.00', held: '0.00' }]);
    await expectVerified(o);
  });
});
