// The full-screen triage console (ink 6, React without JSX): the queue on the left, the selected
// ticket on the right, a status line with the keys. It only draws and reads keys; reading the store
// and acting go through the `TriageDesk` it is given (the same use-cases as the commands).
// Replies and notes leave the screen for the agent's editor: the console ends its ink instance,
// the editor gets the terminal, and the console is drawn again where it was.

import type { AgentQueue } from '../app/agent.js';
import type { FaqSuggestion, SeenVersion, TriagePanel } from '../app/triage.js';
import { isAppError } from '../domain/errors.js';
import { PRIORITIES, type Priority } from '../domain/tickets.js';
import { humanDuration } from './time.js';

type Ink = typeof import('ink');
type ReactModule = typeof import('react');

export type TriageAction =
  | { readonly kind: 'reply'; readonly body: string | null; readonly faqId: string | null }
  | { readonly kind: 'note'; readonly body: string }
  | { readonly kind: 'assign'; readonly to: 'me' | 'auto' }
  | { readonly kind: 'priority'; readonly priority: Priority }
  | { readonly kind: 'status'; readonly to: 'solved' | 'closed' | 'on-hold' | 'open' }
  | { readonly kind: 'escalate' }
  | { readonly kind: 'refund'; readonly txId: string }
  | { readonly kind: 'lock'; readonly email: string; readonly reason: string };

export interface TriageDesk {
  queue(): Promise<AgentQueue>;
  panel(number: number): Promise<TriagePanel>;
  /** Performs the action if the ticket is still as `seen`; says what was done. */
  act(seen: SeenVersion, action: TriageAction): Promise<string>;
  /** Opens the editor on a draft; the text written, or null (cancelled). Null editor: no editor set. */
  readonly editor: ((draft: string) => Promise<string | null>) | null;
  draft(panel: TriagePanel, kind: 'reply' | 'note'): string;
}

/** Why the screen was left: quit, Ctrl-C, a crash, or a text to write in the editor. */
type Leave =
  | { readonly kind: 'quit' }
  | { readonly kind: 'interrupt' }
  | { readonly kind: 'crash'; readonly error: unknown }
  | { readonly kind: 'compose'; readonly what: 'reply' | 'note'; readonly panel: TriagePanel };

/** What survives leaving the screen for the editor. */
interface Memory {
  selected: number | null;
  message: string;
  actions: number;
}

const REFRESH_MS = 30_000;
const QUEUE_WIDTH = 32;

export const KEYS: readonly (readonly [string, string])[] = [
  ['↑/↓ j/k', 'move in the queue'],
  ['r', 'reply to the customer (editor)'],
  ['n', 'internal note (editor)'],
  ['f', 'FAQ suggestions: 1-5 answers with one'],
  ['a / A', 'assign to me / to the least-loaded agent'],
  ['p', 'set priority: 1 low, 2 normal, 3 high, 4 urgent'],
  ['e', 'escalate to the next tier'],
  ['h', 'hold / resume'],
  ['s', 'resolve (solved)'],
  ['c', 'close'],
  ['$', 'refund the linked transaction'],
  ['l', 'lock the customer (asks a reason)'],
  ['R', 'refresh from the store'],
  ['?', 'show / hide the keys'],
  ['q', 'quit (Ctrl-C: interrupt)'],
];

const STATUS_LINE = 'r reply n note f faq a me p pri e esc h hold s solve c close $ refund l lock ? q';

function slaText(clock: TriagePanel['detail']['sla']['current'] | AgentQueue['entries'][number]['sla']['current']): string {
  if (clock === null) return '—';
  if (clock.paused) return 'paused';
  return clock.leftMinutes < 0 ? `-${humanDuration(-clock.leftMinutes)}` : humanDuration(clock.leftMinutes);
}

function describeError(error: unknown): string {
  if (!isAppError(error)) throw error;
  return `${error.message}${error.hint ? ` — ${error.hint}` : ''}`;
}

/** Runs the console until the agent quits; Ctrl-C and crashes are thrown after the terminal is restored. */
export async function runConsole(desk: TriageDesk): Promise<number> {
  const [ink, React] = await Promise.all([import('ink'), import('react')]);
  const memory: Memory = { selected: null, message: 'Loading the queue…', actions: 0 };
  const out = process.stdout;
  out.write('\u001b[?1049h\u001b[H');
  try {
    for (;;) {
      const leave = await showScreen(ink, React, desk, memory);
      if (leave.kind === 'quit') return memory.actions;
      if (leave.kind === 'interrupt') return -1;
      if (leave.kind === 'crash') throw leave.error;
      await compose(desk, memory, leave.what, leave.panel);
    }
  } finally {
    if (process.stdin.isTTY) process.stdin.setRawMode(false);
    out.write('\u001b[?25h\u001b[?1049l');
  }
}

async function compose(desk: TriageDesk, memory: Memory, what: 'reply' | 'note', panel: TriagePanel): Promise<void> {
  if (desk.editor === null) return;
  try {
    const body = await desk.editor(desk.draft(panel, what));
    if (body === null) {
      memory.message = `The ${what} was empty: nothing was sent.`;
      return;
    }
    memory.message = await desk.act(panel.seen, what === 'reply' ? { kind: 'reply', body, faqId: null } : { kind: 'note', body });
    memory.actions += 1;
  } catch (error) {
    memory.message = `#${panel.seen.number}: ${describeError(error)}`;
  }
}

function showScreen(ink: Ink, React: ReactModule, desk: TriageDesk, memory: Memory): Promise<Leave> {
  return new Promise((resolve) => {
    let left = false;
    const leave = (why: Leave) => {
      if (left) return;
      left = true;
      instance.unmount();
      resolve(why);
    };
    const instance = ink.render(React.createElement(makeApp(ink, React), { desk, memory, leave }), { exitOnCtrlC: false, patchConsole: false });
  });
}

type Mode =
  | { readonly kind: 'browse' }
  | { readonly kind: 'help' }
  | { readonly kind: 'priority' }
  | { readonly kind: 'faq' }
  | { readonly kind: 'confirm-refund'; readonly txId: string }
  | { readonly kind: 'text'; readonly purpose: 'lock' | 'reply' | 'note'; readonly text: string };

interface AppProps {
  readonly desk: TriageDesk;
  readonly memory: Memory;
  readonly leave: (why: Leave) => void;
}

function makeApp(ink: Ink, React: ReactModule) {
  const h = React.createElement;
  const { Box, Text, useInput, useStdout } = ink;

  function useLive<T>(initial: T): [T, (next: T) => void, { readonly current: T }] {
    const [value, setValue] = React.useState(initial);
    const ref = React.useRef(initial);
    const set = React.useCallback((next: T) => {
      ref.current = next;
      setValue(next);
    }, []);
    return [value, set, ref];
  }

  return function TriageApp({ desk, memory, leave }: AppProps) {
    const { stdout } = useStdout();
    const [size, setSize] = React.useState({ columns: stdout.columns || 80, rows: stdout.rows || 24 });
    // Keys can arrive faster than React draws: the handlers read these refs, never a rendered copy.
    const [queue, setQueue, queueRef] = useLive<AgentQueue | null>(null);
    const [panel, setPanel, panelRef] = useLive<TriagePanel | null>(null);
    const [mode, setMode, modeRef] = useLive<Mode>({ kind: 'browse' });
    const [message, setMessageState] = React.useState(memory.message);
    const [, setBusy, busyRef] = useLive(false);
    const setMessage = (text: string) => {
      memory.message = text;
      setMessageState(text);
    };

    const indexIn = (list: AgentQueue['entries']) =>
      Math.max(
        0,
        list.findIndex((entry) => entry.ticket.number === memory.selected),
      );
    const entries = queue?.entries ?? [];
    const index = indexIn(entries);

    const reload = React.useCallback(
      async (keepMessage: boolean) => {
        try {
          const fresh = await desk.queue();
          setQueue(fresh);
          const still = fresh.entries.find((entry) => entry.ticket.number === memory.selected) ?? fresh.entries[0];
          memory.selected = still?.ticket.number ?? null;
          setPanel(memory.selected === null ? null : await desk.panel(memory.selected));
          if (!keepMessage) setMessage(fresh.total === 0 ? 'The queue is clear.' : `${fresh.total} ticket(s) in the queue.`);
        } catch (error) {
          if (isAppError(error)) setMessage(describeError(error));
          else leave({ kind: 'crash', error });
        }
      },
      [desk, memory, leave],
    );

    React.useEffect(() => {
      void reload(memory.message !== 'Loading the queue…');
      const timer = setInterval(() => void reload(true), REFRESH_MS);
      const onResize = () => setSize({ columns: stdout.columns || 80, rows: stdout.rows || 24 });
      stdout.on('resize', onResize);
      return () => {
        clearInterval(timer);
        stdout.off('resize', onResize);
      };
    }, [reload, stdout, memory]);

    const act = async (action: TriageAction) => {
      const panel = panelRef.current;
      if (panel === null) return;
      setBusy(true);
      setMessage(`#${panel.seen.number}: working…`);
      let outcome: string;
      try {
        outcome = await desk.act(panel.seen, action);
        memory.actions += 1;
      } catch (error) {
        if (!isAppError(error)) return leave({ kind: 'crash', error });
        outcome = `#${panel.seen.number}: ${describeError(error)}`;
      }
      // The outcome shows once the screen holds the store as it is now, and keys work again.
      await reload(true);
      setMessage(outcome);
      setBusy(false);
    };

    const select = (to: number) => {
      const entries = queueRef.current?.entries ?? [];
      const entry = entries[Math.min(Math.max(to, 0), entries.length - 1)];
      if (!entry || entry.ticket.number === memory.selected) return;
      memory.selected = entry.ticket.number;
      setPanel(null);
      desk.panel(entry.ticket.number).then(
        (loaded) => {
          if (memory.selected === loaded.seen.number) setPanel(loaded);
        },
        (error: unknown) => (isAppError(error) ? setMessage(describeError(error)) : leave({ kind: 'crash', error })),
      );
    };

    const write = (purpose: 'reply' | 'note') => {
      const panel = panelRef.current;
      if (panel === null) return;
      if (desk.editor !== null) return leave({ kind: 'compose', what: purpose, panel });
      setMode({
        kind: 'text',
        purpose,
        text: desk
          .draft(panel, purpose)
          .split('\n')
          .filter((line) => !line.startsWith('#'))
          .join('\n')
          .trim(),
      });
    };

    useInput((input, key) => {
      if (key.ctrl && input === 'c') return leave({ kind: 'interrupt' });
      const mode = modeRef.current;
      if (mode.kind === 'text') return typeText(mode, input, key);
      if (busyRef.current) return;
      if (mode.kind !== 'browse') return answerMode(mode, input, key);
      browseKey(input, key);
    });

    const typeText = (current: Extract<Mode, { kind: 'text' }>, input: string, key: import('ink').Key) => {
      if (key.escape) {
        setMode({ kind: 'browse' });
        return setMessage('Cancelled: nothing was sent.');
      }
      const submit = current.purpose === 'lock' ? key.return : key.ctrl && input === 'd';
      if (submit) {
        const panel = panelRef.current;
        setMode({ kind: 'browse' });
        const text = current.text.trim();
        if (text === '' || panel === null) return setMessage('Empty: nothing was sent.');
        if (current.purpose === 'lock') return void act({ kind: 'lock', email: panel.customer?.email ?? '', reason: text });
        return void act(current.purpose === 'reply' ? { kind: 'reply', body: text, faqId: null } : { kind: 'note', body: text });
      }
      if (key.backspace || key.delete) return setMode({ ...current, text: current.text.slice(0, -1) });
      if (key.return) return setMode({ ...current, text: `${current.text}\n` });
      if (!key.ctrl && !key.meta && input !== '') setMode({ ...current, text: current.text + input });
    };

    const answerMode = (current: Mode, input: string, key: import('ink').Key) => {
      setMode({ kind: 'browse' });
      if (current.kind === 'priority') {
        const priority = PRIORITIES[Number(input) - 1];
        return priority === undefined ? setMessage('Priority unchanged.') : void act({ kind: 'priority', priority });
      }
      if (current.kind === 'faq') {
        const hit = panelRef.current?.suggestions[Number(input) - 1];
        return hit === undefined ? setMessage('No FAQ answer sent.') : void act({ kind: 'reply', body: null, faqId: hit.id });
      }
      if (current.kind === 'confirm-refund')
        return input === 'y' && !key.ctrl ? void act({ kind: 'refund', txId: current.txId }) : setMessage('No refund made.');
    };

    const browseKey = (input: string, key: import('ink').Key) => {
      const index = indexIn(queueRef.current?.entries ?? []);
      const panel = panelRef.current;
      if (key.upArrow || input === 'k') return select(index - 1);
      if (key.downArrow || input === 'j') return select(index + 1);
      if (key.pageDown) return select(index + 10);
      if (key.pageUp) return select(index - 10);
      if (input === 'q') return leave({ kind: 'quit' });
      if (input === '?') return setMode({ kind: 'help' });
      if (input === 'R') return void reload(false);
      if (panel === null) return;
      const ticket = panel.detail.ticket;
      const simple: Record<string, TriageAction | undefined> = {
        a: { kind: 'assign', to: 'me' },
        A: { kind: 'assign', to: 'auto' },
        e: { kind: 'escalate' },
        h: { kind: 'status', to: ticket.status === 'on-hold' ? 'open' : 'on-hold' },
        s: { kind: 'status', to: 'solved' },
        c: { kind: 'status', to: 'closed' },
      };
      const action = simple[input];
      if (action) return void act(action);
      if (input === 'r' || input === 'n') return write(input === 'r' ? 'reply' : 'note');
      if (input === 'p') return setMode({ kind: 'priority' });
      if (input === 'f') return setMode({ kind: 'faq' });
      if (input === 'l') return setMode({ kind: 'text', purpose: 'lock', text: '' });
      if (input === '$')
        return ticket.txId === null ? setMessage(`#${ticket.number} has no linked transaction.`) : setMode({ kind: 'confirm-refund', txId: ticket.txId });
    };

    const bodyRows = Math.max(size.rows - 2, 4);
    const queueWidth = Math.min(QUEUE_WIDTH, Math.floor(size.columns / 2.5));
    return h(
      Box,
      { flexDirection: 'column', width: size.columns, height: size.rows },
      h(
        Box,
        { flexDirection: 'row', height: bodyRows },
        h(QueueList, { entries, index, rows: bodyRows, width: queueWidth, total: queue?.total ?? 0 }),
        h(Box, { flexDirection: 'column', flexGrow: 1, paddingLeft: 1, overflow: 'hidden', height: bodyRows }, overlay(mode, panel) ?? h(PanelView, { panel })),
      ),
      h(Text, { wrap: 'truncate', color: message.startsWith('#') && message.includes('changed since') ? 'red' : 'yellow' }, message),
      h(Text, { wrap: 'truncate', inverse: true }, mode.kind === 'text' ? textKeys(mode.purpose) : STATUS_LINE),
    );
  };

  function textKeys(purpose: 'lock' | 'reply' | 'note'): string {
    return purpose === 'lock' ? 'Type the reason · Enter lock · Esc cancel' : `Type the ${purpose} · Enter new line · Ctrl-D send · Esc cancel`;
  }

  function overlay(mode: Mode, panel: TriagePanel | null) {
    if (mode.kind === 'help')
      return h(
        Box,
        { flexDirection: 'column' },
        h(Text, { bold: true }, 'Keys (any key to go back)'),
        ...KEYS.map(([keys, what]) => h(Text, { key: keys, wrap: 'truncate' }, `${keys.padEnd(9)} ${what}`)),
      );
    if (mode.kind === 'priority') return h(Text, {}, `Priority: ${PRIORITIES.map((p, i) => `${i + 1} ${p}`).join(', ')} (other key: keep)`);
    if (mode.kind === 'faq') return h(FaqList, { suggestions: panel?.suggestions ?? [] });
    if (mode.kind === 'confirm-refund') return h(Text, {}, `Refund ${mode.txId} to the customer? y to refund, any other key to keep it.`);
    if (mode.kind === 'text')
      return h(
        Box,
        { flexDirection: 'column' },
        h(Text, { bold: true }, mode.purpose === 'lock' ? `Lock ${panel?.customer?.email ?? 'the customer'}: why?` : `Your ${mode.purpose}:`),
        h(Text, { wrap: 'wrap' }, `${mode.text}▏`),
      );
    return null;
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

  function QueueList({ entries, index, rows, width, total }: { entries: AgentQueue['entries']; index: number; rows: number; width: number; total: number }) {
    const visible = Math.max(rows - 1, 1);
    const start = Math.min(Math.max(index - Math.floor(visible / 2), 0), Math.max(entries.length - visible, 0));
    const shown = entries.slice(start, start + visible);
    return h(
      Box,
      { flexDirection: 'column', width, height: rows, borderStyle: undefined },
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
    return h(
      Box,
      { flexDirection: 'column' },
      h(Text, { bold: true, wrap: 'truncate' }, `Ticket #${t.number}: ${t.subject}`),
      h(Text, { wrap: 'truncate' }, `${t.status} · ${t.priority} · tier ${t.tier} · ${t.category} · ${t.language} · ${assignee}`),
      h(Text, { wrap: 'truncate', color: customer?.locked ? 'red' : undefined }, `Customer: ${who}`),
      h(Text, { wrap: 'truncate' }, `Transaction: ${tx}`),
      h(Text, { wrap: 'truncate' }, `SLA ${slaText(detail.sla.current)} · urgency ${why.entry.urgency.score}: ${terms}`),
      ...messages.map((m) =>
        h(
          Box,
          { key: m.id, flexDirection: 'column', marginTop: 1 },
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
}
