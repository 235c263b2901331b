// agent stats: volume, first-reply times, SLA compliance and satisfaction per agent and per
// category, for the tickets opened in a period (by default the last 30 days).

import type { Command } from 'commander';
import { agentStats } from '../../app/agent.js';
import { AppError } from '../../domain/errors.js';
import { formatBusinessMinutes } from '../../domain/sla.js';
import type { StatsRow } from '../../domain/ticket-stats.js';
import { parseIsoDate } from '../../domain/validate.js';
import { sessionToken } from '../auth.js';
import type { Context } from '../context.js';
import { action, examples, subcommand, type App } from '../kit.js';
import { actAs } from '../ticket-kit.js';

const DAY_MS = 86_400_000;
const DEFAULT_PERIOD_DAYS = 30;
const MAX_PERIOD_DAYS = 366;

function percent(part: number, whole: number): string {
  return whole === 0 ? '' : `${Math.round((part / whole) * 100)}%`;
}

function rowCells(label: string, row: StatsRow): Record<string, string | number> {
  return {
    label,
    volume: row.volume,
    firstReplies: row.firstReplies,
    median: row.medianFirstReplyMinutes === null ? '' : formatBusinessMinutes(row.medianFirstReplyMinutes),
    sla: row.slaMeasured === 0 ? '' : `${percent(row.slaMet, row.slaMeasured)} (${row.slaMet}/${row.slaMeasured})`,
    csat: row.csat === null ? '' : `${Math.round(row.csat * 100)}% of ${row.ratings}`,
    average: row.averageScore === null ? '' : row.averageScore.toFixed(2),
  };
}

function printRows(ctx: Context, title: string, rows: readonly Record<string, string | number>[]): void {
  ctx.out.line(ctx.out.style.bold(title));
  ctx.out.table(
    [
      { key: 'label', title: title.startsWith('Per agent') ? 'Agent' : 'Category' },
      { key: 'volume', title: 'Tickets', align: 'right' },
      { key: 'firstReplies', title: 'First replies', align: 'right' },
      { key: 'median', title: 'Median first reply', align: 'right' },
      { key: 'sla', title: 'Within SLA', align: 'right' },
      { key: 'csat', title: 'CSAT (4–5)', align: 'right' },
      { key: 'average', title: 'Avg score', align: 'right' },
    ],
    rows,
    'no tickets in this period',
  );
}

function period(ctx: Context, since: string | undefined, until: string | undefined): { fromMs: number; toMs: number } {
  // Without --until the period ends now, and a ticket opened this very millisecond still counts.
  const toMs = until === undefined ? ctx.now().getTime() + 1 : parseIsoDate(until, '--until');
  const fromMs = since === undefined ? toMs - DEFAULT_PERIOD_DAYS * DAY_MS : parseIsoDate(since, '--since');
  if (fromMs >= toMs) throw new AppError('INVALID_PERIOD', '--since must be before --until');
  if (toMs - fromMs > MAX_PERIOD_DAYS * DAY_MS) throw new AppError('INVALID_PERIOD', `the period may span at most ${MAX_PERIOD_DAYS} days`);
  return { fromMs, toMs };
}

export function registerAgentStats(agent: Command, app: App): void {
  const command = subcommand(agent, 'stats', 'volume, first-reply times, SLA compliance and CSAT per agent and category')
    .option('--since <date>', 'start of the period (ISO 8601; default: 30 days ago)')
    .option('--until <date>', 'end of the period, exclusive (default: now)');
  examples(command, ['okpay agent stats', 'okpay agent stats --since 2026-10-01 --until 2026-11-01 --json']);
  action<{ since?: string; until?: string }>(app, command, async (ctx, o) => {
    const { fromMs, toMs } = period(ctx, o.since, o.until);
    const token = await sessionToken(ctx);
    const { stats, names } = await actAs(ctx, token, { roles: ['agent'], what: '`agent stats`' }, (t, actor) => agentStats(t, ctx, actor, { fromMs, toMs }));
    const byAgent = stats.byAgent.map((row) => ({ agent: names[row.key] ?? row.key, ...row }));
    const document = { stats: { from: new Date(fromMs).toISOString(), to: new Date(toMs).toISOString(), total: stats.total, byAgent, byCategory: stats.byCategory } };
    ctx.out.data(document, () => {
      ctx.out.line(`Tickets opened ${document.stats.from.slice(0, 10)} to ${document.stats.to.slice(0, 10)}: ${stats.total.volume}`);
      printRows(ctx, 'Per agent (tickets they hold; first replies they wrote)', byAgent.map((row) => rowCells(row.agent, row)));
      printRows(ctx, 'Per category', [...stats.byCategory.map((row) => rowCells(row.key, row)), rowCells('all', stats.total)]);
    });
  });
}
