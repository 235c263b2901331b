// Runs the triage console (the built dist/cli/triage-console.js) on a desk whose queue holds a
// ticket it cannot draw, so that drawing throws: the end-to-end test checks that such a crash
// leaves the terminal as it was and ends with exit 70 and the error on stderr.
import { runConsole } from '../../dist/cli/triage-console.js';

const undrawable = { entries: [{ ticket: { number: 1, subject: 'cannot be drawn' }, sla: null }], total: 1 };

const desk = {
  queue: async () => undrawable,
  // The panel never arrives: the crash comes from drawing the queue, not from loading.
  panel: () => new Promise(() => undefined),
  act: async () => 'nothing',
  editor: null,
  draft: () => '',
};

try {
  await runConsole(desk);
  process.stdout.write('the console ended without a crash\n');
} catch (error) {
  process.stderr.write(`crashed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 70;
}
