// okpay verify: every ledger invariant and both hash chains, with how fast it went.

import { performance } from 'node:perf_hooks';
import type { Command } from 'commander';
import { AppError } from '../../domain/errors.js';
import { auditChecker, compareWithState, LedgerReplay } from '../../domain/verify.js';
import { action, examples, subcommand, type App } from '../kit.js';

export function registerVerifyCommand(program: Command, app: App): void {
  const command = subcommand(program, 'verify', 'check the books: balanced transactions, balances, hash chains (exit 10 on any mismatch)');
  examples(command, ['okpay verify', 'okpay verify --json']);
  action(app, command, async (ctx) => {
    const started = performance.now();
    const report = await ctx.store.transaction(async (t) => {
      const problems: string[] = [];
      const replay = new LedgerReplay(t.journal.segmentSize, problems);
      let segment = 0;
      for await (const entries of t.journal.scan()) {
        replay.addSegment(segment, entries, t.journal.describeSegment(segment * t.journal.segmentSize + 1));
        segment += 1;
      }
      replay.chain.finish(t.journal.head());
      compareWithState(t.state, replay.balances, problems);
      const audits = auditChecker(t.journal.segmentSize, problems);
      let auditSegment = 0;
      for await (const entries of t.auditLog.scan()) {
        audits.addSegment(auditSegment, entries, t.auditLog.describeSegment(auditSegment * t.journal.segmentSize + 1));
        auditSegment += 1;
      }
      audits.finish(t.auditLog.head());
      return { problems, journalEntries: replay.chain.count, journalSegments: segment, auditEntries: audits.count, accounts: Object.keys(t.state.balances).length };
    });
    const seconds = (performance.now() - started) / 1000;
    const perSecond = Math.round(report.journalEntries / Math.max(seconds, 1e-6));
    const doc = { ok: report.problems.length === 0, checked: { journalEntries: report.journalEntries, journalSegments: report.journalSegments, auditEntries: report.auditEntries, accounts: report.accounts }, seconds: Number(seconds.toFixed(3)), entriesPerSecond: perSecond, problems: report.problems };
    ctx.out.data(doc, () => {
      ctx.out.line(`checked ${report.journalEntries} journal entries in ${report.journalSegments} segments, ${report.auditEntries} audit entries and ${report.accounts} accounts in ${seconds.toFixed(3)} s (${perSecond} entries/s)`);
      if (doc.ok) ctx.out.line('every transaction balances, every balance matches the journal, the books close, and both hash chains are intact');
    });
    if (!doc.ok) {
      for (const problem of report.problems) ctx.io.writeErr(`okpay: verify: ${problem}\n`);
      throw new AppError('STORE_CORRUPT', `verify found ${report.problems.length} problem${report.problems.length === 1 ? '' : 's'} in the store at ${ctx.dataDir}`);
    }
  });
}
