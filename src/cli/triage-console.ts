// The full-screen triage console (ink 6, React without JSX): the queue on the left, the selected
// ticket on the right, a status line with the keys. It only draws and reads keys; reading the store
// and acting go through the `TriageDesk` it is given (the same use-cases as the commands).
// This file holds the terminal: the alternate screen, signals, and the round trips to the editor.
// Replies and notes leave the screen for the agent's editor: the console ends its ink instance,
// the editor gets the terminal, and the console is drawn again where it was (triage-app.ts holds
// the state and the keys, triage-views.ts draws, triage-keys.ts lists the keys).
import os from 'node:os';
import type { TriagePanel } from '../app/triage.js';
import { describeError, makeApp, type Leave, type Memory } from './triage-app.js';
import type { TriageDesk } from './triage-desk.js';
import { importInk, importReact } from './libraries.js';

type Ink = typeof import('ink');
type ReactModule = typeof import('react');

const HANDLED_SIGNALS: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGHUP'];

/** Runs the console until the agent quits; Ctrl-C and crashes are thrown after the terminal is restored. */
export async function runConsole(desk: TriageDesk): Promise<number> {
  const [ink, React] = await Promise.all([importInk(), importReact()]);
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
