// How a ticket is shown — as JSON and to people — to its customer (public messages only) or to an
// agent (everything), with its SLA clocks; and the one-line rows of ticket lists and the queue.

import { localTime } from '../app/desk.js';
import type { Audience, QueuePlace, TicketDetail, TicketRow } from '../app/tickets.js';
import type { ReplyClock, SlaReport } from '../domain/sla.js';
import { type TicketEvent } from '../domain/ticket-record.js';
import { visibleEvents, visibleMessages } from '../domain/tickets.js';
import type { SlaNow } from '../domain/urgency.js';
import type { Context } from './context.js';
import { humanDuration, humanTimeLeft } from './time.js';

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

function clockDocument(clock: ReplyClock) {
  return {
    kind: clock.kind,
    startedAt: iso(clock.startedAtMs),
    endedAt: iso(clock.endedAtMs),
    endedBy: clock.endedBy,
    targetMinutes: clock.targetMinutes,
    elapsedMinutes: clock.elapsedMinutes,
    leftMinutes: clock.leftMinutes,
    dueAt: iso(clock.dueAtMs),
    paused: clock.paused,
    breached: clock.breached,
  };
}

function slaDocument(sla: SlaReport) {
  return {
    state: sla.state,
    region: sla.regionId,
    timeZone: sla.timeZone,
    firstReplyTargetMinutes: sla.firstReplyTargetMinutes,
    nextReplyTargetMinutes: sla.nextReplyTargetMinutes,
    current: sla.current === null ? null : clockDocument(sla.current),
    past: sla.past.map(clockDocument),
    breaches: sla.breaches,
  };
}

/** "3 h 10 min left, due 2026-11-23 16:00 Europe/Berlin", coloured by how close it is. */
function slaText(ctx: Context, sla: SlaReport): string {
  const clock = sla.current;
  if (clock === null) return ctx.out.style.dim('nothing due');
  const due = clock.dueAtMs === null ? '' : `, due ${localTime(clock.dueAtMs, sla.timeZone)}`;
  const what = clock.kind === 'first-reply' ? 'first reply' : 'next reply';
  if (clock.paused) return ctx.out.style.dim(`${what}: paused with ${humanTimeLeft(clock.leftMinutes)}`);
  if (clock.breached) return ctx.out.style.red(`${what}: ${humanTimeLeft(Math.min(-1, clock.leftMinutes))}${due}`);
  const text = `${what}: ${humanTimeLeft(clock.leftMinutes)}${due}`;
  return sla.state === 'at-risk' ? ctx.out.style.yellow(text) : ctx.out.style.green(text);
}

/** Short SLA cell for tables: "2 h 05 min", "overdue 15 min", "paused". */
export function slaCell(ctx: Context, sla: SlaNow): string {
  const clock = sla.current;
  if (clock === null) return '';
  if (clock.paused) return ctx.out.style.dim('paused');
  const text = clock.leftMinutes < 0 ? `overdue ${humanDuration(-clock.leftMinutes)}` : humanDuration(clock.leftMinutes);
  return clock.breached ? ctx.out.style.red(text) : sla.state === 'at-risk' ? ctx.out.style.yellow(text) : ctx.out.style.green(text);
}

function nameIn(detail: TicketDetail, id: string | null, author: string): string {
  if (author === 'system') return 'OKPay';
  if (detail.audience === 'customer') return author === 'customer' ? 'you' : 'OKPay support';
  return id === null ? author : (detail.names[id] ?? id);
}

function eventDocument(detail: TicketDetail, event: TicketEvent): Record<string, unknown> {
  const by =
    event.by === null
      ? 'OKPay'
      : detail.audience === 'agent'
        ? (detail.names[event.by] ?? event.by)
        : event.by === detail.ticket.customerId
          ? 'you'
          : 'OKPay support';
  if (event.type === 'message' && detail.audience === 'customer') return { type: event.type, at: event.at, by, author: event.author };
  const to = event.type === 'assigned' && event.to !== null ? { to: detail.names[event.to] ?? event.to } : {};
  return { ...event, by, ...to };
}

/** The ticket as JSON (`ticket show --json`, `ticket export --format json`). */
export function ticketDocument(detail: TicketDetail, options: { history?: boolean; duplicate?: boolean } = {}): Record<string, unknown> {
  const { ticket, audience } = detail;
  const agentOnly =
    audience === 'agent'
      ? {
          customer: detail.names[ticket.customerId] ?? ticket.customerId,
          assignee: ticket.assigneeId === null ? null : (detail.names[ticket.assigneeId] ?? ticket.assigneeId),
          tags: ticket.tags,
        }
      : {};
  return {
    number: ticket.number,
    status: ticket.status,
    priority: ticket.priority,
    category: ticket.category,
    subject: ticket.subject,
    channel: ticket.channel,
    language: ticket.language,
    tier: ticket.tier,
    ...agentOnly,
    ...(options.duplicate === undefined ? {} : { duplicate: options.duplicate }),
    createdAt: ticket.createdAt,
    updatedAt: ticket.updatedAt,
    origin: ticket.origin,
    relatedTo: ticket.relatedTo,
    mergedInto: ticket.mergedInto,
    followUps: detail.followUps,
    escalationRequest: ticket.escalationRequest,
    rating: ticket.rating,
    transaction:
      detail.transaction === null
        ? null
        : {
            id: detail.transaction.id,
            type: detail.transaction.type,
            status: detail.transaction.status,
            amount: detail.transaction.amount,
            currency: detail.transaction.currency,
            createdAt: detail.transaction.createdAt,
          },
    // Customers' messages are numbered among what they see, so gaps do not betray internal notes.
    messages: visibleMessages(ticket, audience).map((message, index) => ({
      id: audience === 'agent' ? message.id : index + 1,
      at: message.at,
      author: message.author,
      from: nameIn(detail, message.authorId, message.author),
      visibility: message.visibility,
      body: message.body,
      faqId: message.faqId,
      fromTicket: message.fromTicket,
    })),
    sla: slaDocument(detail.sla),
    queue: detail.queue === null ? null : queueDocument(detail.queue),
    ...(options.history ? { history: visibleEvents(ticket, audience).map((event) => eventDocument(detail, event)) } : {}),
  };
}

/** One line per ticket for lists. */
export function ticketRowDocument(row: TicketRow, audience: Audience) {
  const { summary } = row;
  return {
    number: summary.number,
    status: summary.status,
    priority: summary.priority,
    category: summary.category,
    subject: summary.subject,
    language: summary.language,
    tier: summary.tier,
    ...(audience === 'agent' ? { customer: row.customer, assignee: row.assignee } : {}),
    createdAt: summary.createdAt,
    updatedAt: summary.updatedAt,
  };
}

function queueDocument(place: QueuePlace): Record<string, unknown> {
  const promise = place.expectedReply;
  return {
    position: place.position,
    of: place.of,
    expectedReplyBy: promise === null ? null : iso(promise.byMs),
    late: promise?.late ?? false,
    ...(promise?.late ? { missedDueAt: iso(promise.dueAtMs) } : {}),
  };
}

/** The place in the queue, and when to expect the answer: a missed time is said to be missed, never promised. */
function queueText(place: QueuePlace, timeZone: string): string {
  const promise = place.expectedReply;
  const where = `position ${place.position} of ${place.of}`;
  if (promise === null) return where;
  const by = localTime(promise.byMs, timeZone);
  if (!promise.late) return `${where}; expect a first answer by ${by}`;
  return `${where}; our first answer is late (it was due ${localTime(promise.dueAtMs, timeZone)}); we now expect to answer by ${by}`;
}

export function printTicket(ctx: Context, detail: TicketDetail): void {
  const { ticket } = detail;
  const { style } = ctx.out;
  ctx.out.line(style.bold(`Ticket #${ticket.number}: ${ticket.subject}`));
  ctx.out.fields([
    ['status', ticket.status],
    ['priority', `${ticket.priority} (tier ${ticket.tier}${ticket.tier === 3 ? ', manager' : ''})`],
    ['category', ticket.category],
    ['channel', `${ticket.channel}, in ${ticket.language}`],
    ['customer', detail.audience === 'agent' ? (detail.names[ticket.customerId] ?? null) : null],
    ['assignee', detail.audience === 'agent' ? (ticket.assigneeId === null ? '(nobody)' : (detail.names[ticket.assigneeId] ?? ticket.assigneeId)) : null],
    ['tags', detail.audience === 'agent' && ticket.tags.length > 0 ? ticket.tags.join(', ') : null],
    [
      'transaction',
      detail.transaction
        ? `${detail.transaction.id} ${detail.transaction.type} ${detail.transaction.amount ?? ''} ${detail.transaction.currency ?? ''} — ${detail.transaction.status}`
        : ticket.txId,
    ],
    ['SLA', slaText(ctx, detail.sla)],
    ['queue', detail.queue ? queueText(detail.queue, detail.sla.timeZone) : null],
    ['escalation', ticket.escalationRequest ? `asked for tier ${ticket.escalationRequest.tier}: ${ticket.escalationRequest.reason}` : null],
    ['rating', ticket.rating ? `${ticket.rating.score}/5${ticket.rating.comment ? ` — ${ticket.rating.comment}` : ''}` : null],
    [
      'related',
      [
        ticket.relatedTo === null ? '' : `follows #${ticket.relatedTo}`,
        ticket.mergedInto === null ? '' : `merged into #${ticket.mergedInto}`,
        detail.followUps.length > 0 ? `follow-ups ${detail.followUps.map((n) => `#${n}`).join(', ')}` : '',
      ]
        .filter((s) => s !== '')
        .join('; '),
    ],
  ]);
  for (const message of visibleMessages(ticket, detail.audience)) {
    const internal = message.visibility === 'internal' ? style.yellow(' [internal note]') : '';
    const origin = message.fromTicket === null ? '' : style.dim(` (from #${message.fromTicket})`);
    ctx.out.line();
    ctx.out.line(`${style.dim(ctx.out.time(message.at))}  ${style.bold(nameIn(detail, message.authorId, message.author))}${internal}${origin}`);
    ctx.out.text(message.body.replace(/^/gm, '  '));
  }
}
