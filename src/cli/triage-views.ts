// What the triage console draws (ink 6, React without JSX): the queue on the left, the selected
// ticket on the right (or the choice, question or text of the mode the console is in), the keys,
// and the screen that lays them out. Drawing only: the state and the keys are in triage-app.ts.

import type { AgentQueue } from '../app/agent.js';
import type { FaqSuggestion, TriageMacro, TriagePanel } from '../app/triage.js';
import { PRIORITIES, TICKET_CATEGORIES } from '../domain/ticket-kinds.js';
import { humanDuration } from './time.js';
import { KEYS, numbered, statusLine, textKeys, type Mode, type TextPurpose } from './triage-keys.js';

type Ink = typeof import('ink');
type ReactModule = typeof import('react');

const QUEUE_WIDTH = 32;
/** The queue's share of a narrow terminal: at 80 columns the ticket keeps 54, enough for a locked customer's line. */
const QUEUE_SHARE = 0.33;

function slaText(clock: TriagePanel['detail']['sla']['current'] | AgentQueue['entries'][number]['sla']['current']): string {
  if (clock === null) return '—';
  if (clock.paused) return 'paused';
  return clock.leftMinutes < 0 ? `-${humanDuration(-clock.leftMinutes)}` : humanDuration(clock.leftMinutes);
}

/** What the screen shows: the console's state as its one component holds it. */
export interface ScreenState {
  readonly size: { readonly columns: number; readonly rows: number };
  readonly mode: Mode;
  readonly entries: AgentQueue['entries'];
  readonly index: number;
  readonly total: number;
  readonly panel: TriagePanel | null;
  readonly message: string;
}

export function makeViews(ink: Ink, React: ReactModule) {
  const h = React.createElement;
  const { Box, Text } = ink;

  function screen({ size, mode, entries, index, total, panel, message }: ScreenState) {
    const bodyRows = Math.max(size.rows - 2, 4);
    const queueWidth = Math.min(QUEUE_WIDTH, Math.floor(size.columns * QUEUE_SHARE));
    return h(
      Box,
      { flexDirection: 'column', width: size.columns, height: size.rows },
      // The keys take the whole width, so that no description is cut at 80 columns.
      mode.kind === 'help'
        ? h(HelpView, { rows: bodyRows })
        : h(
            Box,
            { flexDirection: 'row', height: bodyRows },
            h(QueueList, { entries, index, rows: bodyRows, width: queueWidth, total }),
            h(
              Box,
              { flexDirection: 'column', width: size.columns - queueWidth, paddingLeft: 1, overflow: 'hidden', height: bodyRows },
              overlay(mode, panel) ?? h(PanelView, { panel }),
            ),
          ),
      h(Text, { wrap: 'truncate', color: message.startsWith('#') && message.includes('changed since') ? 'red' : 'yellow' }, message),
      h(Text, { wrap: 'truncate', inverse: true }, mode.kind === 'text' ? textKeys(mode.purpose) : statusLine(size.columns)),
    );
  }

  function HelpView({ rows }: { rows: number }) {
    return h(
      Box,
      { flexDirection: 'column', height: rows, overflow: 'hidden' },
      h(Text, { bold: true }, 'Keys (any key to go back)'),
      ...KEYS.map(([keys, what]) => h(Text, { key: keys, wrap: 'truncate' }, `${keys.padEnd(7)} ${what}`)),
    );
  }

  function textTitle(purpose: TextPurpose, panel: TriagePanel | null): string {
    const number = panel === null ? '' : ` #${panel.seen.number}`;
    if (purpose === 'lock') return `Lock ${panel?.customer?.email ?? 'the customer'}: why?`;
    if (purpose === 'assign') return `Assign${number} to (email; empty: the least-loaded agent who fits):`;
    if (purpose === 'merge') return `Merge${number} into ticket number:`;
    return `Your ${purpose}:`;
  }

  function overlay(mode: Mode, panel: TriagePanel | null) {
    if (mode.kind === 'priority') return h(Text, {}, `Priority: ${numbered(PRIORITIES)} (other key: keep)`);
    if (mode.kind === 'category') return h(Text, {}, `Category: ${numbered(TICKET_CATEGORIES)} (other key: keep)`);
    if (mode.kind === 'faq') return h(FaqList, { suggestions: panel?.suggestions ?? [] });
    if (mode.kind === 'macros') return h(MacroList, { macros: panel?.macros ?? [], language: panel?.detail.ticket.language ?? '' });
    if (mode.kind === 'confirm') return h(Text, {}, mode.question);
    if (mode.kind === 'text')
      return h(
        Box,
        { flexDirection: 'column' },
        h(Text, { bold: true }, textTitle(mode.purpose, panel)),
        h(Text, { wrap: 'wrap' }, `${mode.text}▏`),
        ...(mode.purpose === 'assign' ? agentLines(panel) : []),
      );
    return null;
  }

  function agentLines(panel: TriagePanel | null) {
    const agents = panel?.agents ?? [];
    const title = agents.length === 0 ? 'No agent of this tier or above.' : 'Agents who can take it:';
    return [
      h(Text, { key: 'title', dimColor: true }, title),
      ...agents.map((agent) =>
        h(Text, { key: agent.email, wrap: 'truncate', dimColor: true }, `${agent.email} · tier ${agent.tier} · ${agent.languages.join(',')}`),
      ),
    ];
  }

  function FaqList({ suggestions }: { suggestions: readonly FaqSuggestion[] }) {
    if (suggestions.length === 0) return h(Text, {}, 'No FAQ article matches this ticket (any key to go back).');
    return h(
      Box,
      { flexDirection: 'column' },
      h(Text, { bold: true }, 'Answer with (number; other key: back)'),
      ...suggestions.map((s, i) => h(Text, { key: s.id, wrap: 'truncate' }, `${i + 1} ${s.title} (${s.id})`)),
    );
  }

  function MacroList({ macros, language }: { macros: readonly TriageMacro[]; language: string }) {
    return h(
      Box,
      { flexDirection: 'column' },
      h(Text, { bold: true }, `Saved replies in ${language} (number; other key: back)`),
      ...macros.slice(0, 9).map((m, i) => h(Text, { key: m.name, wrap: 'truncate' }, `${i + 1} ${m.title} (${m.name})`)),
    );
  }

  function QueueList({ entries, index, rows, width, total }: { entries: AgentQueue['entries']; index: number; rows: number; width: number; total: number }) {
    const visible = Math.max(rows - 1, 1);
    const start = Math.min(Math.max(index - Math.floor(visible / 2), 0), Math.max(entries.length - visible, 0));
    const shown = entries.slice(start, start + visible);
    return h(
      Box,
      { flexDirection: 'column', width, height: rows, flexShrink: 0 },
      h(Text, { bold: true, wrap: 'truncate' }, `Queue ${total}${total > entries.length ? ` (first ${entries.length})` : ''}`),
      ...shown.map((entry, i) => {
        const selected = start + i === index;
        const clock = entry.sla.current;
        const color = clock?.breached ? 'red' : entry.sla.state === 'at-risk' ? 'yellow' : undefined;
        const line = `${selected ? '>' : ' '}#${entry.ticket.number} ${slaText(clock).padStart(6)} ${entry.ticket.subject}`;
        return h(Text, { key: entry.ticket.number, wrap: 'truncate', inverse: selected, color }, line);
      }),
    );
  }

  function PanelView({ panel }: { panel: TriagePanel | null }) {
    if (panel === null) return h(Text, { dimColor: true }, 'No ticket selected.');
    const { detail, customer, why } = panel;
    const t = detail.ticket;
    const who =
      customer === null
        ? 'customer unknown'
        : `${customer.email} · KYC ${customer.kyc}${customer.locked ? ` · LOCKED (${customer.lockReason})` : ' · not locked'}`;
    const tx =
      detail.transaction === null
        ? 'none'
        : `${detail.transaction.id} ${detail.transaction.type} ${detail.transaction.amount ?? ''} ${detail.transaction.currency ?? ''} ${detail.transaction.status}`;
    const assignee = t.assigneeId === null ? 'unassigned' : (detail.names[t.assigneeId] ?? t.assigneeId);
    const terms = why.entry.urgency.terms
      .filter((term) => term.points !== 0)
      .map((term) => `${term.name} ${term.points}`)
      .join(', ');
    const messages = [...t.messages].reverse();
    // At its own height, cut at the bottom by the panel: squeezed to fit, ink would draw lines over each other.
    return h(
      Box,
      { flexDirection: 'column', flexShrink: 0 },
      h(Text, { bold: true, wrap: 'truncate' }, `Ticket #${t.number}: ${t.subject}`),
      h(Text, { wrap: 'truncate' }, `${t.status} · ${t.priority} · tier ${t.tier} · ${t.category} · ${t.language} · ${assignee}`),
      h(Text, { wrap: 'truncate', color: customer?.locked ? 'red' : undefined }, `Customer: ${who}`),
      h(Text, { wrap: 'truncate' }, `Transaction: ${tx}`),
      h(Text, { wrap: 'truncate' }, `SLA ${slaText(detail.sla.current)} · urgency ${why.entry.urgency.score}: ${terms}`),
      ...messages.map((m) =>
        h(
          Box,
          { key: m.id, flexDirection: 'column', marginTop: 1, flexShrink: 0 },
          h(
            Text,
            { dimColor: true, wrap: 'truncate' },
            `${m.at.slice(0, 16).replace('T', ' ')} ${m.visibility === 'internal' ? 'NOTE ' : ''}${m.author === 'agent' || m.author === 'system' ? (m.authorId === null ? 'OKPay' : (detail.names[m.authorId] ?? m.author)) : 'customer'}`,
          ),
          h(Text, { wrap: 'wrap' }, m.body),
        ),
      ),
    );
  }

  return { screen };
}
