// A small desk loaded from one fixture file for the end-to-end tests of lists and bulk changes:
// three customers, two agents, five tickets of different channels, languages and states.

import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expectOk } from './desk-cli.js';
import type { Okpay } from './okpay.js';

export const DESK_PASSWORD = 'Lists-pass-2026!';
export const LIN = 'lin@support.okpay.example';
export const MEI = 'mei@support.okpay.example';
export const ADA = 'ada@example.com';

const person = (name: string, email: string, extra: Record<string, unknown> = {}) => ({
  name,
  email,
  password: DESK_PASSWORD,
  country: 'DE',
  at: '-30d',
  ...extra,
});

export const DESK_FIXTURE = {
  users: [
    person('ada', ADA, { language: 'en' }),
    person('chen', 'chen@example.cn', { country: 'CN', language: 'zh', fullName: '陈晨' }),
    person('lena', 'lena@example.de', { language: 'de' }),
  ],
  agents: [person('lin', LIN, { tier: 2, languages: ['en', 'zh', 'de'] }), person('mei', MEI, { tier: 2, languages: ['en', 'zh'] })],
  tickets: [
    { name: 't1', customer: 'ada', category: 'account', subject: 'Cannot sign in', body: 'It says my password is wrong.', channel: 'email', at: '-2h' },
    {
      name: 't2',
      customer: 'chen',
      category: 'dispute',
      subject: '退款没有到账',
      body: '我十一月二日退货，退款到现在还没到。',
      language: 'zh',
      channel: 'chat',
      priority: 'urgent',
      assignee: 'lin',
      at: '-5h',
    },
    {
      name: 't3',
      customer: 'lena',
      category: 'funds',
      subject: 'Auszahlung fehlt',
      body: 'Meine Auszahlung ist nicht angekommen.',
      language: 'de',
      channel: 'phone',
      assignee: 'mei',
      at: '-26h',
    },
    {
      name: 't4',
      customer: 'ada',
      category: 'funds',
      subject: 'Withdrawal question',
      body: 'When does my bank withdrawal arrive?',
      channel: 'chat',
      assignee: 'lin',
      messages: [{ from: 'lin', body: 'Checked with treasury: card refund batch 77 is late.', internal: true, at: '-1h' }],
      at: '-3h',
    },
    {
      name: 't5',
      customer: 'ada',
      category: 'feedback',
      subject: 'Nice app',
      body: 'I like the refund flow.',
      channel: 'email',
      status: 'solved',
      assignee: 'mei',
      messages: [{ from: 'mei', body: 'Thank you!', at: '-20h' }],
      at: '-2d',
    },
  ],
};

/** Loads the fixture into `o`'s store and signs the given people in: their session tokens. */
export async function loadDeskFixture(o: Okpay, emails: readonly string[]): Promise<Map<string, string>> {
  const directory = `${o.home}-files`;
  mkdirSync(directory, { recursive: true });
  const file = path.join(directory, 'desk.json');
  writeFileSync(file, JSON.stringify(DESK_FIXTURE));
  expectOk(await o.run(['fixtures', 'load', file]));
  const sessions = new Map<string, string>();
  for (const email of emails)
    sessions.set(email, expectOk(await o.run(['login', '--email', email, '--password-stdin', '--raw'], { stdin: `${DESK_PASSWORD}\n` })).stdout.trim());
  return sessions;
}
