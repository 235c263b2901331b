// The triage console's one component (ink 6, React without JSX): it holds the queue, the selected
// ticket and the mode, reloads them every half minute, and turns keys into the desk's actions. It
// draws through triage-views.ts; the terminal and the editor round trips are triage-console.ts's.

import type { AgentQueue } from '../app/agent.js';
import type { TriagePanel } from '../app/triage.js';
import { isAppError } from '../domain/errors.js';
import { PRIORITIES, TICKET_CATEGORIES } from '../domain/ticket-kinds.js';
import type { TriageAction, TriageDesk } from './triage-desk.js';
import { ONE_LINE, strokes, type Mode, type Stroke, type TextPurpose } from './triage-keys.js';
import { makeViews } from './triage-views.js';

type Ink = typeof import('ink');
type ReactModule = typeof import('react');

/** Why the screen was left: quit, Ctrl-C, a crash, or a text to write in the editor. */
export type Leave =
  | { readonly kind: 'quit' }
  | { readonly kind: 'interrupt' }
  | { readonly kind: 'crash'; readonly error: unknown }
  | { readonly kind: 'compose'; readonly what: 'reply' | 'note'; readonly panel: TriagePanel };

/** What survives leaving the screen for the editor. */
export interface Memory {
  selected: number | null;
  message: string;
  actions: number;
  /** Ends the ink instance on the screen now, if any. */
  unmount: (() => void) | null;
}

const REFRESH_MS = 30_000;

export function describeError(error: unknown): string {
  if (!isAppError(error)) throw error;
  return `${error.message}${error.hint ? ` — ${error.hint}` : ''}`;
}

interface AppProps {
  readonly desk: TriageDesk;
  readonly memory: Memory;
  readonly leave: (why: Leave) => void;
}

export function makeApp(ink: Ink, React: ReactModule) {
  const { useInput, useStdout } = ink;
  const { screen } = makeViews(ink, React);

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
        const typing = modeRef.current.kind === 'text';
        for (const stroke of strokes(input, key)) {
          if (stroke.key.ctrl && stroke.input === 'c') return leave({ kind: 'interrupt' });
          // Once a text is sent or cancelled, the rest of the same read was typed into it: dropped, not taken as keys.
          if (typing && modeRef.current.kind !== 'text') return;
          onStroke(stroke);
        }
      } catch (error) {
        leave({ kind: 'crash', error });
      }
    });

    const onStroke = ({ input, key }: Stroke) => {
      // Keys typed faster than ink reads them arrive as one run ("jj"): each is a key of its own,
      // until one of them opens a text, which takes the rest of the run as typed.
      const chars = [...input];
      for (let at = 0; at < Math.max(chars.length, 1); at++) {
        const mode = modeRef.current;
        if (mode.kind === 'text') return typeText(mode, chars.slice(at).join(''), key);
        onKey(chars[at] ?? '', key);
      }
    };

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
      // A paste is one stroke of text; its line ends came as Enter strokes of their own (strokes()).
      setMode({ ...current, text: current.text + input });
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

    return screen({ size, mode, entries, index, total: queue?.total ?? 0, panel, message });
  };
}
