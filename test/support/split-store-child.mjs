// A child process for the split store's crash tests: runs one operation on the store in
// OKPAY_HOME and, when CRASH_AT=k is set, kills itself with SIGKILL just before its k-th disk step
// (a write, rename, fsync or removal). Prints the number of disk steps it took when it finishes.
// Runs the compiled store (dist/), as the binary does.

import { readFileSync } from 'node:fs';
import { parseCalendars } from '../../dist/domain/calendar.js';
import { regionById } from '../../dist/domain/support-regions.js';
import { parseSupport } from '../../dist/domain/support.js';
import { summarizeTicket } from '../../dist/domain/ticket-summary.js';
import { setFaultHook } from '../../dist/store/durable-file.js';
import { SplitFileStore } from '../../dist/store/split-file-store.js';

const home = process.env.OKPAY_HOME;
const crashAt = Number(process.env.CRASH_AT ?? 0);
const now = new Date(process.env.OKPAY_NOW ?? '2026-11-23T10:10:00.000Z');
let steps = 0;
setFaultHook(() => {
  steps += 1;
  if (steps === crashAt) process.kill(process.pid, 'SIGKILL');
});

const data = (name) => JSON.parse(readFileSync(new URL(`../../data/${name}`, import.meta.url), 'utf8'));
const support = parseSupport(data('support.json'));
const calendars = parseCalendars(data('calendars.json'));
const summarize = (ticket) => summarizeTicket(ticket, support, regionById(calendars, ticket.regionId));
const store = new SplitFileStore(home, { now: () => now, segmentSize: Number(process.env.SEGMENT_SIZE ?? 1000), summarizeTicket: summarize });
const [operation, ...args] = process.argv.slice(2);

/** A payment to a phone with no account, a ticket and a mail: a commit that touches many files. */
async function payStranger(from, phone, amountMinor, ticketNumber) {
  return store.transaction(async (t) => {
    const at = now.toISOString();
    const tx = await t.post({
      type: 'transfer.unclaimed',
      at,
      memo: `crash ${amountMinor}`,
      links: [],
      parties: [from],
      postings: [
        { account: `user:${from}`, currency: 'USD', amountMinor: -amountMinor },
        { account: 'unclaimed', currency: 'USD', amountMinor },
      ],
      details: {
        initiator: from,
        amountMinor,
        currency: 'USD',
        recipient: { phone },
        unclaimedExpiresAt: '2026-12-23T10:00:00.000Z',
        outgoingUsdMinor: amountMinor,
      },
    });
    const ticket = await t.tickets.get(ticketNumber);
    if (ticket) {
      const message = {
        id: ticket.messages.length + 1,
        at,
        authorId: from,
        author: 'customer',
        visibility: 'public',
        body: `paid ${tx.id}`,
        faqId: null,
        fromTicket: null,
      };
      const updated = { ...ticket, updatedAt: at, messages: [...ticket.messages, message] };
      t.tickets.put(updated, summarize(updated));
    }
    t.mail(
      { to: `${phone}@sms.example`, userId: null, kind: 'unclaimed', language: 'en', subject: 'money waiting', text: tx.id, antiPhishingPhrase: null },
      at,
    );
    t.audit({ at, type: 'transfer.sent', actor: from, subject: from, details: { tx: tx.id } });
    return tx.id;
  });
}

/** Many people paid at once, in one commit of far more files than IO_AT_ONCE flushes at a time. */
async function payMany(from, count) {
  return store.transaction(async (t) => {
    const at = now.toISOString();
    for (let i = 0; i < count; i += 1) {
      const account = `user:bulk_${i}`;
      await t.post({
        type: 'deposit',
        at,
        memo: null,
        links: [],
        parties: [from],
        postings: [
          { account: 'world', currency: 'USD', amountMinor: -1 },
          { account, currency: 'USD', amountMinor: 1 },
        ],
        details: { initiator: from },
      });
    }
    t.audit({ at, type: 'test.bulk', actor: from, subject: from, details: { count } });
  });
}

// An older store, schema 2 included, is upgraded by its first writer only: one that changes nothing else.
if (operation === 'upgrade' || operation === 'write') await store.transaction(() => undefined);
else if (operation === 'pay') process.stdout.write(`${await payStranger(args[0], args[1], Number(args[2]), Number(args[3]))}\n`);
else if (operation === 'bulk') await payMany(args[0], Number(args[1]));
else throw new Error(`unknown operation ${operation}`);
process.stdout.write(`steps ${steps}\n`);
