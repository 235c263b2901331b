// Security rules in-process (run() on the demo store in memory): the authorisation matrix — every
// command × signed out, customer, agent of tier 1, 2 and 3, administrator —, tier limits and
// customers' privacy, brute force (lockout after five failures; the same answer, and the same time
// within a tolerance, for an unknown email and a wrong password), TOTP replay and skew, single-use
// recovery codes, session expiry and revocation, and no flag that carries a secret.

import { readFileSync } from 'node:fs';
import type { CommandUnknownOpts } from '@commander-js/extra-typings';
import { describe, expect, it } from 'vitest';
import { bufferIO } from '../../src/cli/io.js';
import { buildProgram } from '../../src/cli/main.js';
import { otplibTotp } from '../../src/cli/auth-adapters.js';
import { commandSpecs } from '../support/hostile.js';
import { DEMO_FILE, DEMO_PASSWORD, DEMO_PEOPLE, DESK_NOW, errorCode, MemoryDesk, type DemoRole, type Outcome } from '../support/memory-desk.js';

const totp = otplibTotp();
const MINUTE_MS = 60_000;
const BOB_SECRET =
  (JSON.parse(readFileSync(DEMO_FILE, 'utf8')) as { users: { name: string; twoFactorSecret?: string }[] }).users.find((u) => u.name === 'bob')
    ?.twoFactorSecret ?? '';
const NEW_PASSWORD = 'Another-pass-2026?';

/** staff: agents and administrators. */
type Policy = 'public' | 'user' | 'agent' | 'admin' | 'staff';

interface Invocation {
  readonly policy: Policy;
  readonly argv: readonly string[];
  readonly stdin?: string;
  /** Needs a terminal (run with a fake one); agents are covered by the pseudo-terminal e2e test. */
  readonly tty?: boolean;
}

const PW = `${DEMO_PASSWORD}\n`;

/** One valid invocation per command, and who may run it. Every command must be listed here. */
function invocations(methodId: string): Record<string, Invocation> {
  return {
    register: { policy: 'public', argv: ['register', '--email', 'new.person@example.com', '--password-stdin', '--accept-terms'], stdin: PW },
    activate: { policy: 'public', argv: ['activate', 'act_unknown'] },
    version: { policy: 'public', argv: ['version'] },
    __complete: { policy: 'public', argv: ['__complete', 'currencies'] },
    login: { policy: 'public', argv: ['login', '--email', DEMO_PEOPLE.customer, '--password-stdin', '--raw'], stdin: PW },
    logout: { policy: 'public', argv: ['logout'] },
    whoami: { policy: 'user', argv: ['whoami'] },
    lock: { policy: 'user', argv: ['lock', '--yes'] },
    unlock: { policy: 'public', argv: ['unlock', '--email', DEMO_PEOPLE.customer, '--password-stdin'], stdin: PW },
    'password change': { policy: 'user', argv: ['password', 'change', '--password-stdin'], stdin: `${DEMO_PASSWORD}\n${NEW_PASSWORD}\n` },
    'password reset': { policy: 'public', argv: ['password', 'reset', '--email', DEMO_PEOPLE.customer] },
    '2fa enable': { policy: 'user', argv: ['2fa', 'enable', '--password-stdin'], stdin: PW },
    '2fa confirm': { policy: 'user', argv: ['2fa', 'confirm', '123456', '--password-stdin'], stdin: PW },
    '2fa disable': { policy: 'user', argv: ['2fa', 'disable', '--password-stdin'], stdin: PW },
    '2fa recovery-codes': { policy: 'user', argv: ['2fa', 'recovery-codes', '--password-stdin'], stdin: PW },
    profile: { policy: 'user', argv: ['profile'] },
    'profile set': { policy: 'user', argv: ['profile', 'set', '--name', 'Lena Mueller'] },
    'profile verify-phone': { policy: 'user', argv: ['profile', 'verify-phone', '123456'] },
    'kyc submit': { policy: 'user', argv: ['kyc', 'submit', '--document-type', 'passport', '--document-number', 'X1234567'] },
    'kyc status': { policy: 'user', argv: ['kyc', 'status'] },
    balance: { policy: 'user', argv: ['balance'] },
    deposit: { policy: 'user', argv: ['deposit', '--amount', '5', '--currency', 'EUR'] },
    'fee quote transfer': { policy: 'user', argv: ['fee', 'quote', 'transfer', '--to', DEMO_PEOPLE.otherCustomer, '--amount', '5', '--currency', 'EUR'] },
    'fee quote withdraw': { policy: 'user', argv: ['fee', 'quote', 'withdraw', '--method', methodId, '--amount', '5', '--currency', 'EUR'] },
    transfer: { policy: 'user', argv: ['transfer', '--to', DEMO_PEOPLE.otherCustomer, '--amount', '5', '--currency', 'EUR', '--yes'] },
    withdraw: { policy: 'user', argv: ['withdraw', '--method', methodId, '--amount', '5', '--currency', 'EUR', '--yes'] },
    'withdraw methods add bank': {
      policy: 'user',
      argv: ['withdraw', 'methods', 'add', 'bank', '--holder', 'Lena Mueller', '--iban', 'DE89370400440532013000'],
    },
    'withdraw methods add ewallet': { policy: 'user', argv: ['withdraw', 'methods', 'add', 'ewallet', '--provider', 'PayPal', '--account', 'lena@example.de'] },
    'withdraw methods list': { policy: 'user', argv: ['withdraw', 'methods', 'list'] },
    'withdraw methods remove': { policy: 'user', argv: ['withdraw', 'methods', 'remove', methodId, '--yes'] },
    'withdraw list': { policy: 'user', argv: ['withdraw', 'list'] },
    'withdraw cancel': { policy: 'user', argv: ['withdraw', 'cancel', 'wd_unknown', '--yes'] },
    history: { policy: 'user', argv: ['history'] },
    'tx show': { policy: 'user', argv: ['tx', 'show', 'txn_0000000010'] },
    'ticket new': { policy: 'user', argv: ['ticket', 'new', '--category', 'funds', '--subject', 'Where is my money', '--body', 'It has been three days.'] },
    'ticket list': { policy: 'user', argv: ['ticket', 'list'] },
    'ticket show': { policy: 'user', argv: ['ticket', 'show', '4'] },
    'ticket reply': { policy: 'user', argv: ['ticket', 'reply', '4', '--body', 'Any news?'] },
    'ticket escalate': { policy: 'user', argv: ['ticket', 'escalate', '4', '--reason', 'No answer yet'] },
    'ticket rate': { policy: 'user', argv: ['ticket', 'rate', '4', '--score', '4'] },
    'ticket export': { policy: 'user', argv: ['ticket', 'export', '4'] },
    'ticket assign': { policy: 'agent', argv: ['ticket', 'assign', '4'] },
    'ticket note': { policy: 'agent', argv: ['ticket', 'note', '4', '--body', 'Checked the rate.'] },
    'ticket set': { policy: 'agent', argv: ['ticket', 'set', '4', '--priority', 'high'] },
    'ticket resolve': { policy: 'agent', argv: ['ticket', 'resolve', '4'] },
    'ticket close': { policy: 'agent', argv: ['ticket', 'close', '4', '--yes'] },
    'ticket reopen': { policy: 'agent', argv: ['ticket', 'reopen', '3'] },
    'ticket merge': { policy: 'agent', argv: ['ticket', 'merge', '5', '--into', '4', '--yes'] },
    'ticket why': { policy: 'agent', argv: ['ticket', 'why', '4'] },
    'ticket import': { policy: 'staff', argv: ['ticket', 'import', '/nonexistent/okpay-authz.eml'] },
    'agent queue': { policy: 'agent', argv: ['agent', 'queue'] },
    'agent triage': { policy: 'agent', argv: ['agent', 'triage'], tty: true },
    'agent user show': { policy: 'agent', argv: ['agent', 'user', 'show', DEMO_PEOPLE.customer] },
    'agent lock': { policy: 'agent', argv: ['agent', 'lock', DEMO_PEOPLE.customer, '--reason', 'a fraud check', '--yes'] },
    'agent unlock': { policy: 'agent', argv: ['agent', 'unlock', DEMO_PEOPLE.customer, '--reason', 'checked', '--yes'] },
    'agent macros': { policy: 'agent', argv: ['agent', 'macros'] },
    'agent stats': { policy: 'agent', argv: ['agent', 'stats'] },
    'agent refund': { policy: 'agent', argv: ['agent', 'refund', 'txn_0000000012', '--ticket', '3', '--yes'] },
    'agent kyc approve': { policy: 'agent', argv: ['agent', 'kyc', 'approve', 'sofia.garcia@example.es', '--yes'] },
    'agent kyc reject': { policy: 'agent', argv: ['agent', 'kyc', 'reject', 'sofia.garcia@example.es', '--reason', 'blurred photo', '--yes'] },
    faq: { policy: 'public', argv: ['faq', 'withdraw'] },
    support: { policy: 'public', argv: ['support'] },
    'admin init': { policy: 'public', argv: ['admin', 'init', '--email', 'second.admin@example.com', '--password-stdin'], stdin: PW },
    'admin agent add': { policy: 'admin', argv: ['admin', 'agent', 'add', '--email', 'chen.li@example.cn', '--tier', '1', '--languages', 'zh'] },
    'admin kyc approve': { policy: 'admin', argv: ['admin', 'kyc', 'approve', 'sofia.garcia@example.es', '--yes'] },
    'admin kyc reject': { policy: 'admin', argv: ['admin', 'kyc', 'reject', 'sofia.garcia@example.es', '--reason', 'blurred photo', '--yes'] },
    'admin settle': { policy: 'admin', argv: ['admin', 'settle'] },
    'admin payout bounce': { policy: 'admin', argv: ['admin', 'payout', 'bounce', 'txn_0000000010', '--reason', 'returned by the bank', '--yes'] },
    // The outbox, fixtures, verify and dev otp work on the data directory itself: whoever may read
    // the directory may read all of it (docs/SECURITY.md); dev otp works only in a test store.
    'outbox list': { policy: 'public', argv: ['outbox', 'list'] },
    'outbox show': { policy: 'public', argv: ['outbox', 'show', 'msg_000001'] },
    'outbox send': { policy: 'public', argv: ['outbox', 'send'] },
    'fixtures load': { policy: 'public', argv: ['fixtures', 'load', DEMO_FILE] },
    'fixtures generate': { policy: 'public', argv: ['fixtures', 'generate', '--users', '1', '--transactions', '1'] },
    'fixtures export': { policy: 'public', argv: ['fixtures', 'export'] },
    'dev otp': { policy: 'public', argv: ['dev', 'otp', '--email', DEMO_PEOPLE.otherCustomer] },
    'dev init': { policy: 'public', argv: ['dev', 'init'] },
    verify: { policy: 'public', argv: ['verify'] },
    // store info and migrate concern the store as a whole (where it is, its schema), like verify.
    'store info': { policy: 'public', argv: ['store', 'info'] },
    'store migrate': { policy: 'public', argv: ['store', 'migrate'] },
    // store copy of a test store is free (like fixtures export); a real store needs its administrator (test/e2e/store-copy.test.ts).
    'store copy': { policy: 'public', argv: ['store', 'copy', '--from', '/nonexistent/okpay-copy-source', '--to', '/nonexistent/okpay-copy-target'] },
    demo: { policy: 'public', argv: [] },
    completion: { policy: 'public', argv: ['completion', 'bash'] },
  };
}

type Actor = 'signed out' | DemoRole;
const ACTORS: readonly Actor[] = ['signed out', 'customer', 'agent1', 'agent2', 'agent3', 'admin'];

/** What the gate said: stopped for want of a session, forbidden, or let through (whatever came next). */
function gate(outcome: Outcome): 'sign in' | 'forbidden' | 'through' {
  const code = errorCode(outcome);
  if (code === 'NOT_LOGGED_IN') return 'sign in';
  if (code === 'FORBIDDEN') return 'forbidden';
  return 'through';
}

function expectedGate(policy: Policy, actor: Actor): 'sign in' | 'forbidden' | 'through' {
  if (policy === 'public') return 'through';
  if (actor === 'signed out') return 'sign in';
  if (policy === 'agent') return actor.startsWith('agent') ? 'through' : 'forbidden';
  if (policy === 'admin') return actor === 'admin' ? 'through' : 'forbidden';
  if (policy === 'staff') return actor === 'customer' ? 'forbidden' : 'through';
  return 'through';
}

async function setUpDesk(): Promise<{ desk: MemoryDesk; methodId: string }> {
  const desk = new MemoryDesk();
  await desk.setUp();
  const method = await desk.store.read(async (t) => {
    const lena = await t.users.byEmail(DEMO_PEOPLE.customer);
    return lena ? (await t.methods.ofUser(lena.id))[0] : undefined;
  });
  return { desk, methodId: method?.id ?? 'wm_missing' };
}

describe('the authorisation matrix: every command × signed out, customer, agents of tier 1–3, administrator', () => {
  it('each command lets through exactly who its policy names, and asks everyone else to sign in or refuses them', async () => {
    const { desk, methodId } = await setUpDesk();
    const table = invocations(methodId);
    const specs = commandSpecs(await buildProgram({ io: bufferIO(), env: {} }));
    const unlisted = specs.map((s) => s.path.join(' ')).filter((name) => !(name in table));
    expect(unlisted, 'commands without an authorisation policy in this test').toEqual([]);
    const mismatches: string[] = [];
    let cells = 0;
    for (const [name, inv] of Object.entries(table)) {
      if (name === 'demo') continue; // it makes its own store in a new directory
      for (const actor of ACTORS) {
        if (inv.tty && actor.startsWith('agent')) continue;
        const token = actor === 'signed out' ? undefined : desk.tokens[actor];
        const { outcome } = await desk.isolated([...inv.argv, '--json'], {
          ...(token ? { token } : {}),
          ...(inv.stdin === undefined ? {} : { stdin: inv.stdin }),
          tty: inv.tty ?? false,
        });
        cells += 1;
        const got = gate(outcome);
        if (got !== expectedGate(inv.policy, actor))
          mismatches.push(`${name} as ${actor}: ${got} (${errorCode(outcome) ?? 'ok'}), expected ${expectedGate(inv.policy, actor)}`);
      }
    }
    expect(mismatches).toEqual([]);
    expect(cells).toBeGreaterThan(350);
  });

  it('tiers: a tier-1 agent may not refund above USD 100 nor answer a ticket escalated to a manager; tier 2 may refund', async () => {
    const { desk } = await setUpDesk();
    const t1 = desk.tokens.agent1;
    // txn_0000000010 is Bob's USD 400 rent to Lena, disputed in Lena's ticket #4.
    const refund = ['agent', 'refund', 'txn_0000000010', '--ticket', '4', '--yes', '--json'];
    expect(errorCode((await desk.isolated(refund, { ...(t1 ? { token: t1 } : {}) })).outcome)).toBe('FORBIDDEN');
    expect(errorCode((await desk.isolated(refund, { token: desk.tokens.agent2 ?? '' })).outcome)).not.toBe('FORBIDDEN');
    const restore = desk.checkpoint();
    const escalated = await desk.okpay(['ticket', 'escalate', '4', '--manager', '--reason', 'a manager, please', '--json'], {
      token: desk.tokens.agent3 ?? '',
    });
    expect(escalated.code, escalated.stderr).toBe(0);
    const reply = await desk.okpay(['ticket', 'reply', '4', '--body', 'Tier one here.', '--json'], { token: t1 ?? '' });
    expect(errorCode(reply)).toBe('FORBIDDEN');
    restore();
  });

  it('customers see only their own tickets and transactions: another customer’s is "not found", never "forbidden"', async () => {
    const { desk } = await setUpDesk();
    const bob = await desk.signIn(DEMO_PEOPLE.otherCustomer, totp.generate(BOB_SECRET, Date.parse(DESK_NOW)));
    const lenaOnly = (await desk.isolated(['ticket', 'show', '4', '--json'], { token: bob })).outcome;
    expect(errorCode(lenaOnly)).toBe('TICKET_NOT_FOUND');
    expect(lenaOnly.stderr).not.toContain('Miete');
    // txn_0000000013: Lena's transfer to someone without an account; Bob is no party to it.
    expect(errorCode((await desk.isolated(['tx', 'show', 'txn_0000000013', '--json'], { token: bob })).outcome)).toBe('TX_NOT_FOUND');
    expect(errorCode((await desk.isolated(['tx', 'show', 'txn_0000000013', '--json'], { token: desk.tokens.customer ?? '' })).outcome)).toBeNull();
  });
});

describe('brute force', () => {
  it('five wrong passwords in a row lock the account and mail a notice; then even the right password is refused', async () => {
    const desk = new MemoryDesk();
    await desk.setUp([]);
    const wrong = () => desk.okpay(['login', '--email', DEMO_PEOPLE.customer, '--password-stdin', '--json'], { stdin: 'Wrong-pass-2026!\n' });
    for (let i = 1; i <= 4; i += 1) expect(errorCode(await wrong())).toBe('BAD_CREDENTIALS');
    const fifth = await wrong();
    expect(['BAD_CREDENTIALS', 'ACCOUNT_LOCKED']).toContain(errorCode(fifth));
    const right = await desk.okpay(['login', '--email', DEMO_PEOPLE.customer, '--password-stdin', '--json'], { stdin: PW });
    expect(errorCode(right)).toBe('ACCOUNT_LOCKED');
    expect(desk.store.mails.some((m) => m.to === DEMO_PEOPLE.customer && /lock/i.test(m.kind))).toBe(true);
  });

  it('an unknown email and a wrong password get the same answer and take the same time (real bcrypt)', async () => {
    // Real bcrypt at cost 8 (~15 ms a check) so that hashing dominates the time of a sign-in.
    const desk = new MemoryDesk(null, { OKPAY_BCRYPT_COST: '8' });
    const loaded = await desk.okpay(['fixtures', 'load', DEMO_FILE]);
    expect(loaded.code).toBe(0);
    const attempt = async (email: string) => {
      const restore = desk.checkpoint();
      const started = performance.now();
      const outcome = await desk.okpay(['login', '--email', email, '--password-stdin'], { stdin: 'Wrong-pass-2026!\n', now: DESK_NOW });
      const ms = performance.now() - started;
      restore();
      return { outcome, ms };
    };
    const known: number[] = [];
    const unknown: number[] = [];
    let messages = new Set<string>();
    for (let i = 0; i < 16; i += 1) {
      const a = await attempt(DEMO_PEOPLE.customer);
      const b = await attempt('nobody.at.all@example.com');
      known.push(a.ms);
      unknown.push(b.ms);
      messages = new Set([...messages, a.outcome.stderr, b.outcome.stderr]);
      expect([a.outcome.code, b.outcome.code]).toEqual([3, 3]);
    }
    expect(messages.size, [...messages].join(' | ')).toBe(1);
    const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)] ?? 0;
    const ratio = median(known) / median(unknown);
    expect(ratio, `median wrong password ${median(known).toFixed(1)} ms, unknown email ${median(unknown).toFixed(1)} ms`).toBeGreaterThan(0.6);
    expect(ratio).toBeLessThan(1.6);
  });
});

describe('two-step verification', () => {
  const loginBob = (desk: MemoryDesk, code: string) =>
    desk.isolated(['login', '--email', DEMO_PEOPLE.otherCustomer, '--password-stdin', '--otp', code, '--raw', '--json'], { stdin: PW });

  it('a code is good for the current step and one step either side, not two; and only once', async () => {
    const desk = new MemoryDesk();
    await desk.setUp([]);
    const now = Date.parse(DESK_NOW);
    for (const [skewSteps, accepted] of [
      [-2, false],
      [-1, true],
      [0, true],
      [1, true],
      [2, false],
    ] as const) {
      const { outcome } = await loginBob(desk, totp.generate(BOB_SECRET, now + skewSteps * 30_000));
      expect(outcome.code === 0, `a code ${skewSteps} steps away: ${outcome.stderr}`).toBe(accepted);
    }
    const code = totp.generate(BOB_SECRET, now);
    const first = await desk.okpay(['login', '--email', DEMO_PEOPLE.otherCustomer, '--password-stdin', '--otp', code, '--raw'], { stdin: PW });
    expect(first.code).toBe(0);
    const replay = await desk.okpay(['login', '--email', DEMO_PEOPLE.otherCustomer, '--password-stdin', '--otp', code, '--json'], { stdin: PW });
    expect(errorCode(replay)).toBe('BAD_OTP');
  });

  it('each recovery code works once', async () => {
    const desk = new MemoryDesk();
    await desk.setUp(['customer']);
    const token = desk.tokens.customer ?? '';
    const enabled = JSON.parse((await desk.okpay(['2fa', 'enable', '--password-stdin', '--json'], { token, stdin: PW })).stdout) as {
      twoFactor: { secret: string; recoveryCodes: string[] };
    };
    const confirmed = await desk.okpay(['2fa', 'confirm', totp.generate(enabled.twoFactor.secret, Date.parse(DESK_NOW)), '--password-stdin', '--json'], {
      token,
      stdin: PW,
    });
    expect(confirmed.code, confirmed.stderr).toBe(0);
    const [recovery] = enabled.twoFactor.recoveryCodes;
    const login = (code: string) => desk.okpay(['login', '--email', DEMO_PEOPLE.customer, '--password-stdin', '--otp', code, '--json'], { stdin: PW });
    expect((await login(recovery ?? '')).code).toBe(0);
    expect(errorCode(await login(recovery ?? ''))).toBe('BAD_OTP');
  });
});

describe('sessions', () => {
  const whoami = (desk: MemoryDesk, token: string, now = DESK_NOW) => desk.okpay(['whoami', '--json'], { token, now });
  const at = (ms: number) => new Date(Date.parse(DESK_NOW) + ms).toISOString();

  it('expire after 30 idle minutes, and after 12 hours however busy', async () => {
    const desk = new MemoryDesk();
    await desk.setUp(['customer']);
    const token = desk.tokens.customer ?? '';
    expect((await whoami(desk, token, at(29 * MINUTE_MS))).code).toBe(0);
    expect(errorCode(await whoami(desk, token, at(29 * MINUTE_MS + 31 * MINUTE_MS)))).toBe('SESSION_EXPIRED');
    const busy = await desk.signIn(DEMO_PEOPLE.agent1);
    for (let minutes = 20; minutes < 12 * 60; minutes += 20) expect((await whoami(desk, busy, at(minutes * MINUTE_MS))).code).toBe(0);
    expect(errorCode(await whoami(desk, busy, at(12 * 60 * MINUTE_MS + MINUTE_MS)))).toBe('SESSION_EXPIRED');
  });

  it('end with logout, a password change (other sessions), a 2FA change (other sessions) and a lock (all)', async () => {
    const desk = new MemoryDesk();
    await desk.setUp([]);
    const email = DEMO_PEOPLE.customer;
    const ended = async (token: string) => ['SESSION_EXPIRED', 'NOT_LOGGED_IN', 'ACCOUNT_LOCKED'].includes(errorCode(await whoami(desk, token)) ?? '');

    const [a, b] = [await desk.signIn(email), await desk.signIn(email)];
    expect((await desk.okpay(['logout'], { token: a })).code).toBe(0);
    expect([await ended(a), await ended(b)]).toEqual([true, false]);

    const c = await desk.signIn(email);
    expect((await desk.okpay(['password', 'change', '--password-stdin'], { token: b, stdin: `${DEMO_PASSWORD}\n${NEW_PASSWORD}\n` })).code).toBe(0);
    expect([await ended(b), await ended(c)]).toEqual([false, true]);

    const d = (await desk.okpay(['login', '--email', email, '--password-stdin', '--raw'], { stdin: `${NEW_PASSWORD}\n` })).stdout.trim();
    const newPw = `${NEW_PASSWORD}\n`;
    const enabled = JSON.parse((await desk.okpay(['2fa', 'enable', '--password-stdin', '--json'], { token: b, stdin: newPw })).stdout) as {
      twoFactor: { secret: string };
    };
    expect(
      (await desk.okpay(['2fa', 'confirm', totp.generate(enabled.twoFactor.secret, Date.parse(DESK_NOW)), '--password-stdin'], { token: b, stdin: newPw }))
        .code,
    ).toBe(0);
    expect([await ended(b), await ended(d)]).toEqual([false, true]);

    expect((await desk.okpay(['lock', '--yes'], { token: b })).code).toBe(0);
    expect(await ended(b)).toBe(true);
  });
});

describe('secrets never travel as flags', () => {
  it('no option of any command is named for a password, secret or session; --token only carries mailed one-time tokens', async () => {
    const program: CommandUnknownOpts = await buildProgram({ io: bufferIO(), env: {} });
    const offending: string[] = [];
    for (const spec of commandSpecs(program)) {
      for (const option of spec.options) {
        if (!option.takesValue) continue;
        const name = option.flag.toLowerCase();
        const command = spec.path.join(' ');
        if (/pass|secret|session|pin|api-?key|credential/.test(name)) offending.push(`${command} ${option.flag}`);
        if (name === '--token' && !['activate', 'unlock', 'password reset'].includes(command)) offending.push(`${command} ${option.flag}`);
      }
    }
    expect(offending).toEqual([]);
    expect(program.options.map((o) => o.long)).not.toContain('--password');
  });
});
