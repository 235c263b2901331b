// The full-screen triage console (ink 6, React without JSX): the queue on the left, the selected
// ticket on the right, a status line with the keys. It only draws and reads keys; reading the store
// and acting go through the `TriageDesk` it is given (the same use-cases as the commands).
// Replies and notes leave the screen for the agent's editor: the console ends its ink instance,
// the editor gets the terminal, and the console is drawn again where it was.

import os from 'node:os';
import type { AgentQueue } from '../app/agent.js';
import type { FaqSuggestion, SeenVersion, TriageMacro, TriagePanel } from '../app/triage.js';
import { isAppError } from '../domain/errors.js';
import { PRIORITIES, TICKET_CATEGORIES, type Priority, type TicketCategory } from '../domain/ticket-kinds.js';
import { humanDuration } from './time.js';

type Ink = typeof import('ink');
type ReactModule = typeof import('react');

export type TriageAction =
  | { readonly kind: 'reply'; readonly body: string | null; readonly faqId: string | null }
  | { readonly kind: 'macro'; readonly name: string }
  | { readonly kind: 'note'; readonly body: string }
  | { readonly kind: 'assign'; readonly to: 'me' | 'auto' | { readonly email: string } }
  | { readonly kind: 'priority'; readonly priority: Priority }
  | { readonly kind: 'category'; readonly category: TicketCategory }
  | { readonly kind: 'merge'; readonly into: number }
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
  /** Ends the ink instance on the screen now, if any. */
  unmount: (() => void) | null;
}

const REFRESH_MS = 30_000;
const HANDLED_SIGNALS: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGHUP'];
const QUEUE_WIDTH = 32;
/** The queue's share of a narrow terminal: at 80 columns the ticket keeps 54, enough for a locked customer's line. */
const QUEUE_SHARE = 0.33;

const numbered = (names: readonly string[]) => names.map((name, i) => `${i + 1} ${name}`).join(' ');

export const KEYS: readonly (readonly [string, string])[] = [
  ['↑↓ j k', 'move in the queue (PgUp/PgDn: by 10)'],
  ['r', 'reply to the customer (editor)'],
  ['n', 'internal note (editor)'],
  ['f', 'FAQ suggestions: 1-5 answers with one'],
  ['t', 'saved replies (macros) in the customer’s language'],
  ['a', 'assign to me'],
  ['A', 'assign to an agent (email; empty: least loaded)'],
  ['p', `priority ${numbered(PRIORITIES)}`],
  ['g', `category ${numbered(TICKET_CATEGORIES)}`],
  ['e', 'escalate to the next tier'],
  ['h', 'hold / resume'],
  ['m', 'merge into another ticket (asks which)'],
  ['s', 'resolve (solved)'],
  ['c', 'close'],
  ['$', 'refund the linked transaction (asks y)'],
  ['l', 'lock the customer (asks a reason)'],
  ['R', 'read the store again'],
  ['?', 'show / hide the keys'],
  ['q', 'quit (Ctrl-C: interrupt, exit 130)'],
];

/** The status line's keys, most used first: as many as the width allows, then the way to the rest. */
const STATUS_KEYS = [
  'r reply',
  'n note',
  'f faq',
  't macro',
  'a me',
  'A assign',
  'p pri',
  'g cat',
  'e esc',
  'h hold',
  'm merge',
  's solve',
  'c close',
  '$ refund',
  'l lock',
];
const STATUS_END = '? keys q quit';

export function statusLine(columns: number): string {
  const room = columns - STATUS_END.length - 1;
  let line = '';
  for (const item of STATUS_KEYS) {
    const next = line === '' ? item : `${line} ${item}`;
    if (next.length > room) break;
    line = next;
  }
  return line === '' ? STATUS_END : `${line} ${STATUS_END}`;
}

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
  const memory: Memory = { selected: null, message: 'Loading the queue…', actions: 0, unmount: null };
  const out = process.stdout;
  const restore = () => {
    if (process.stdin.isTTY) process.stdin.setRawMode(false);
    out.write('\u001b[?25h\u001b[?1049l');
  };
  // Killed or hung up on: ink draws its last frame first (it would otherwise do so on its own exit
  // hook, after the terminal is given back, onto the shell's screen), then the terminal is given
  // back, and okpay ends with the status a shell gives a process ended by that signal.
  const onSignal = (signal: NodeJS.Signals) => {
    memory.unmount?.();
    restore();
    process.exit(128 + os.constants.signals[signal]);
  };
  out.write('\u001b[?1049h\u001b[H');
  for (const signal of HANDLED_SIGNALS) process.once(signal, onSignal);
  try {
    for (;;) {
      const leave = await showScreen(ink, React, desk, memory);
      if (leave.kind === 'quit') return memory.actions;
      if (leave.kind === 'interrupt') return -1;
      if (leave.kind === 'crash') throw leave.error;
      await compose(desk, memory, leave.what, leave.panel);
    }
  } finally {
    for (const signal of HANDLED_SIGNALS) process.off(signal, onSignal);
    restore();
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
    memory.unmount = () => instance.unmount();
    // An error while drawing ends ink's instance, not a handler of ours: it is a crash all the same.
    instance.waitUntilExit().catch((error: unknown) => leave({ kind: 'crash', error }));
  });
}

type Mode =
  | { readonly kind: 'browse' }
  | { readonly kind: 'help' }
  | { readonly kind: 'priority' }
  | { readonly kind: 'category' }
  | { readonly kind: 'faq' }
  | { readonly kind: 'macros' }
  | { readonly kind: 'confirm'; readonly question: string; readonly action: TriageAction; readonly refused: string }
  | { readonly kind: 'text'; readonly purpose: TextPurpose; readonly text: string };

/** What a text typed in the console is for: a reason, an address or a number end at Enter; a reply or note at Ctrl-D. */
type TextPurpose = 'lock' | 'reply' | 'note' | 'assign' | 'merge';
const ONE_LINE: ReadonlySet<TextPurpose> = new Set(['lock', 'assign', 'merge']);

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
        // A merged ticket leaves the queue; the one it went into is where the work goes on.
        if (action.kind === 'merge') memory.selected = action.into;
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
      // A throw in here would end the process past runConsole's finally, leaving the terminal raw.
      try {
        if (key.ctrl && input === 'c') return leave({ kind: 'interrupt' });
        const mode = modeRef.current;
        if (mode.kind === 'text') return typeText(mode, input, key);
        // Keys typed faster than ink reads them arrive as one chunk ("jj"): each is a key of its own.
        const keys = input.length > 1 && !key.ctrl && !key.meta ? [...input] : [input];
        for (const one of keys) onKey(one, key);
      } catch (error) {
        leave({ kind: 'crash', error });
      }
    });

    const onKey = (input: string, key: import('ink').Key) => {
      if (busyRef.current) return;
      const mode = modeRef.current;
      if (mode.kind !== 'browse') return answerMode(mode, input, key);
      browseKey(input, key);
    };

    const typeText = (current: Extract<Mode, { kind: 'text' }>, input: string, key: import('ink').Key) => {
      if (key.escape) {
        setMode({ kind: 'browse' });
        return setMessage('Cancelled: nothing was sent.');
      }
      const submit = ONE_LINE.has(current.purpose) ? key.return : key.ctrl && input === 'd';
      if (submit) {
        setMode({ kind: 'browse' });
        return submitText(current.purpose, current.text.trim());
      }
      if (key.backspace || key.delete) return setMode({ ...current, text: current.text.slice(0, -1) });
      if (key.return) return setMode({ ...current, text: `${current.text}\n` });
      if (key.ctrl || key.meta || input === '') return;
      // Fast typing and pasting arrive as one chunk, line ends included.
      const typed = input.replace(/\r\n?/g, '\n');
      const [line = ''] = typed.split('\n');
      if (!ONE_LINE.has(current.purpose) || line === typed) return setMode({ ...current, text: current.text + typed });
      setMode({ kind: 'browse' });
      submitText(current.purpose, (current.text + line).trim());
    };

    const submitText = (purpose: TextPurpose, text: string) => {
      const panel = panelRef.current;
      if (panel === null) return;
      if (purpose === 'assign') return void act({ kind: 'assign', to: text === '' ? 'auto' : { email: text } });
      if (text === '') return setMessage('Empty: nothing was sent.');
      if (purpose === 'lock') return void act({ kind: 'lock', email: panel.customer?.email ?? '', reason: text });
      if (purpose === 'merge') return askMerge(panel, text);
      return void act(purpose === 'reply' ? { kind: 'reply', body: text, faqId: null } : { kind: 'note', body: text });
    };

    const askMerge = (panel: TriagePanel, text: string) => {
      const from = panel.seen.number;
      const into = Number(text.replace(/^#/, ''));
      if (!Number.isSafeInteger(into) || into <= 0) return setMessage(`"${text.slice(0, 20)}" is not a ticket number: nothing was merged.`);
      if (into === from) return setMessage(`#${from} cannot be merged into itself.`);
      setMode({
        kind: 'confirm',
        question: `Merge #${from} into #${into}? #${from} ends as merged and its conversation carries on in #${into}. y to merge, any other key to keep it.`,
        action: { kind: 'merge', into },
        refused: 'Nothing was merged.',
      });
    };

    const answerMode = (current: Mode, input: string, key: import('ink').Key) => {
      setMode({ kind: 'browse' });
      if (current.kind === 'priority') {
        const priority = PRIORITIES[Number(input) - 1];
        return priority === undefined ? setMessage('Priority unchanged.') : void act({ kind: 'priority', priority });
      }
      if (current.kind === 'category') {
        const category = TICKET_CATEGORIES[Number(input) - 1];
        return category === undefined ? setMessage('Category unchanged.') : void act({ kind: 'category', category });
      }
      if (current.kind === 'faq') {
        const hit = panelRef.current?.suggestions[Number(input) - 1];
        return hit === undefined ? setMessage('No FAQ answer sent.') : void act({ kind: 'reply', body: null, faqId: hit.id });
      }
      if (current.kind === 'macros') {
        const macro = panelRef.current?.macros[Number(input) - 1];
        return macro === undefined ? setMessage('No saved reply sent.') : void act({ kind: 'macro', name: macro.name });
      }
      if (current.kind === 'confirm') return input === 'y' && !key.ctrl ? void act(current.action) : setMessage(current.refused);
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
        e: { kind: 'escalate' },
        h: { kind: 'status', to: ticket.status === 'on-hold' ? 'open' : 'on-hold' },
        s: { kind: 'status', to: 'solved' },
        c: { kind: 'status', to: 'closed' },
      };
      const action = simple[input];
      if (action) return void act(action);
      if (input === 'r' || input === 'n') return write(input === 'r' ? 'reply' : 'note');
      if (input === 'p') return setMode({ kind: 'priority' });
      if (input === 'g') return setMode({ kind: 'category' });
      if (input === 'A') return setMode({ kind: 'text', purpose: 'assign', text: '' });
      if (input === 'm') return setMode({ kind: 'text', purpose: 'merge', text: '' });
      if (input === 'f') return setMode({ kind: 'faq' });
      if (input === 't') return setMode({ kind: 'macros' });
      if (input === 'l') return setMode({ kind: 'text', purpose: 'lock', text: '' });
      if (input === '$')
        return ticket.txId === null
          ? setMessage(`#${ticket.number} has no linked transaction.`)
          : setMode({
              kind: 'confirm',
              question: `Refund ${ticket.txId} to the customer? y to refund, any other key to keep it.`,
              action: { kind: 'refund', txId: ticket.txId },
              refused: 'No refund made.',
            });
    };

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
            h(QueueList, { entries, index, rows: bodyRows, width: queueWidth, total: queue?.total ?? 0 }),
            h(
              Box,
              { flexDirection: 'column', width: size.columns - queueWidth, paddingLeft: 1, overflow: 'hidden', height: bodyRows },
              overlay(mode, panel) ?? h(PanelView, { panel }),
            ),
          ),
      h(Text, { wrap: 'truncate', color: message.startsWith('#') && message.includes('changed since') ? 'red' : 'yellow' }, message),
      h(Text, { wrap: 'truncate', inverse: true }, mode.kind === 'text' ? textKeys(mode.purpose) : statusLine(size.columns)),
    );
  };

  function textKeys(purpose: TextPurpose): string {
    if (purpose === 'lock') return 'Type the reason · Enter lock · Esc cancel';
    if (purpose === 'assign') return 'Type the agent’s email (empty: least loaded) · Enter assign · Esc cancel';
    if (purpose === 'merge') return 'Type the ticket number · Enter · Esc cancel';
    return `Type the ${purpose} · Enter new line · Ctrl-D send · Esc cancel`;
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
}
