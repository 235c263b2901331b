// `ticket export --format md`: the whole record of a ticket as a Markdown document the customer (or
// the agent) can keep — facts, conversation and history. Customers' copies leave out what only
// agents see (internal notes, assignments, tags).

import { formatBusinessMinutes } from '../domain/sla.js';
import { type TicketEvent } from '../domain/ticket-record.js';
import { visibleEvents, visibleMessages } from '../domain/tickets.js';
import { localTime } from '../app/desk.js';
import type { TicketDetail } from '../app/tickets.js';

/** "2026-12-05 15:16 UTC": an export may be read anywhere, so it shows UTC. */
function shortUtc(iso: string): string {
  return `${iso.slice(0, 16).replace('T', ' ')} UTC`;
}

function who(detail: TicketDetail, id: string | null): string {
  if (id === null) return 'OKPay';
  if (detail.audience === 'customer') return id === detail.ticket.customerId ? 'you' : 'OKPay support';
  return detail.names[id] ?? id;
}

function describeEvent(detail: TicketDetail, event: TicketEvent): string {
  switch (event.type) {
    case 'created':
      return 'opened';
    case 'status':
      return `status ${event.from} → ${event.to}`;
    case 'message':
      if (detail.audience === 'customer') return 'message';
      return event.visibility === 'internal' ? `internal note ${event.messageId}` : `message ${event.messageId}`;
    case 'assigned':
      return event.to === null ? 'unassigned' : `assigned to ${who(detail, event.to)}`;
    case 'priority':
      return `priority ${event.from} → ${event.to}`;
    case 'category':
      return `category ${event.from} → ${event.to}`;
    case 'tags':
      return `tags set to ${event.tags.length === 0 ? '(none)' : event.tags.join(', ')}`;
    case 'escalated':
      return `escalated from tier ${event.from} to tier ${event.to}${event.reason ? `: ${event.reason}` : ''}`;
    case 'escalation-requested':
      return `asked for tier ${event.tier}: ${event.reason}`;
    case 'rated':
      return `rated ${event.score}/5${event.comment ? `: ${event.comment}` : ''}`;
    case 'duplicate':
      return 'the same request was sent again';
    case 'merged-into':
      return `merged into #${event.ticket}`;
    case 'merged-from':
      return `ticket #${event.ticket} merged into this one`;
    case 'follow-up':
      return `follow-up ticket #${event.ticket} opened`;
  }
}

function factLines(detail: TicketDetail): string[] {
  const { ticket, sla } = detail;
  const tx = detail.transaction;
  return [
    `- Status: ${ticket.status}`,
    `- Priority: ${ticket.priority} (tier ${ticket.tier})`,
    `- Category: ${ticket.category}`,
    `- Channel: ${ticket.channel}; language: ${ticket.language}`,
    `- Opened: ${shortUtc(ticket.createdAt)}; last change: ${shortUtc(ticket.updatedAt)}`,
    ...(detail.audience === 'agent' ? [`- Customer: ${who(detail, ticket.customerId)}`, `- Assignee: ${who(detail, ticket.assigneeId)}`] : []),
    ...(tx ? [`- Transaction: ${tx.id} (${tx.type}, ${tx.amount ?? '?'} ${tx.currency ?? ''}, ${tx.status})`] : []),
    ...(ticket.relatedTo === null ? [] : [`- Follows ticket #${ticket.relatedTo}`]),
    ...(ticket.mergedInto === null ? [] : [`- Merged into ticket #${ticket.mergedInto}`]),
    ...(ticket.rating ? [`- Rating: ${ticket.rating.score}/5${ticket.rating.comment ? ` — ${ticket.rating.comment}` : ''}`] : []),
    `- Service level (${sla.timeZone} business hours): first reply within ${formatBusinessMinutes(sla.firstReplyTargetMinutes)}, next replies within ${formatBusinessMinutes(sla.nextReplyTargetMinutes)}; ${sla.breaches} missed`,
    ...(sla.current?.dueAtMs ? [`- Answer due: ${localTime(sla.current.dueAtMs, sla.timeZone)}`] : []),
  ];
}

/** The Markdown record; `nowIso` is the time of the export, printed in it. */
export function exportMarkdown(detail: TicketDetail, nowIso: string): string {
  const { ticket } = detail;
  const messages = visibleMessages(ticket, detail.audience).flatMap((message) => [
    `### ${shortUtc(message.at)} — ${who(detail, message.authorId)}${message.visibility === 'internal' ? ' (internal note)' : ''}${message.fromTicket === null ? '' : ` (from #${message.fromTicket})`}`,
    '',
    message.body,
    '',
  ]);
  const history = visibleEvents(ticket, detail.audience).map((event) => `- ${shortUtc(event.at)} — ${who(detail, event.by)}: ${describeEvent(detail, event)}`);
  return [
    `# OKPay ticket #${ticket.number}: ${ticket.subject}`,
    '',
    ...factLines(detail),
    '',
    '## Conversation',
    '',
    ...messages,
    '## History',
    '',
    ...history,
    '',
    `_Exported ${shortUtc(nowIso)}._`,
    '',
  ].join('\n');
}
