// agent stats: charts of the period day by day (opened, solved, SLA breaches, CSAT) and of
// first-reply times, in the terminal and as an HTML page; volume, first-reply times, SLA
// compliance and satisfaction per agent and per category, for the tickets opened in a period
// (by default the last 30 days).

import type { Command } from '@commander-js/extra-typings';
import { agentStats } from '../../app/stats-report.js';
import { AppError } from '../../domain/errors.js';
import { formatBusinessMinutes } from '../../domain/sla.js';
import type { StatsRow } from '../../domain/ticket-stats.js';
import { parseIsoDate } from '../../domain/validate.js';
import { sessionToken } from '../auth.js';
import type { Context } from '../context.js';
import { action, examples, subcommand, type App } from '../command-builder.js';
import { lookAs } from '../signed-in.js';
import { barLines, fitSeries, sparkline, valuesPerColumn } from '../charts.js';
import { openRequestedFile } from '../requested-file.js';
import { statsHtml } from '../stats-html.js';
import type { DayTrend, TicketTrends } from '../../domain/ticket-trends.js';

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

function printSeries(ctx: Context, title: string, days: readonly DayTrend[], pick: (day: DayTrend) => number): void {
  const values = days.map(pick);
  const perMark = valuesPerColumn(values.length, ctx.io.columns);
  const total = values.reduce((sum, value) => sum + value, 0);
  const busiest = days[values.indexOf(Math.max(...values))];
  const peak = total === 0 || busiest === undefined ? 'none' : `most ${pick(busiest)} on ${busiest.date}`;
  ctx.out.line(`${ctx.out.style.bold(title)}: ${total} in all, ${peak}${perMark > 1 ? ` (one mark = ${perMark} days)` : ''}`);
  ctx.out.line(sparkline(fitSeries(values, ctx.io.columns)));
}

function printCharts(ctx: Context, trends: TicketTrends): void {
  const { days } = trends;
  printSeries(ctx, 'Opened per day', days, (day) => day.opened);
  printSeries(ctx, 'Solved per day', days, (day) => day.resolved);
  printSeries(ctx, 'SLA breaches per day', days, (day) => day.breaches);
  const ratings = days.reduce((sum, day) => sum + day.ratings, 0);
  const satisfied = days.reduce((sum, day) => sum + (day.csat ?? 0) * day.ratings, 0);
  const perMark = valuesPerColumn(days.length, ctx.io.columns);
  ctx.out.line(
    `${ctx.out.style.bold('CSAT per day')}: ${ratings === 0 ? 'no ratings' : `${Math.round((satisfied / ratings) * 100)}% of ${ratings} ratings were 4 or 5`}${perMark > 1 ? ` (one mark = ${perMark} days)` : ''}`,
  );
  ctx.out.line(
    sparkline(
      fitSeries(
        days.map((day) => day.csat),
        ctx.io.columns,
        days.map((day) => day.ratings),
      ),
      1,
    ),
  );
  ctx.out.line(ctx.out.style.bold('First reply (business hours), tickets opened in the period'));
  for (const line of barLines(
    trends.firstReply.map((bucket) => ({ label: bucket.label, value: bucket.tickets })),
    ctx.io.columns,
  ))
    ctx.out.line(line);
  ctx.out.line();
}

async function writeHtml(file: string, html: string): Promise<void> {
  const sink = await openRequestedFile(file);
  await sink.write(html);
  await sink.close();
}

export function registerAgentStats(agent: Command, app: App): void {
  const command = subcommand(agent, 'stats', 'charts of opened, solved and breached tickets, first-reply times and CSAT; tables per agent and category')
    .option('--since <date>', 'start of the period (ISO 8601; default: 30 days ago)')
    .option('--until <date>', 'end of the period, exclusive (default: now)')
    .option('--html <file>', 'also write the charts as a self-contained HTML page (a new file, mode 0600)');
  examples(command, ['okpay agent stats', 'okpay agent stats --since 2026-10-01 --until 2026-11-01 --json', 'okpay agent stats --html stats.html']);
  action(app, command, async (ctx, o) => {
    const { fromMs, toMs } = period(ctx, o.since, o.until);
    const token = await sessionToken(ctx);
    const { stats, trends, names } = await lookAs(ctx, token, { roles: ['agent'], what: '`agent stats`' }, (t, actor) =>
      agentStats(t, ctx, actor, { fromMs, toMs }),
    );
    const byAgent = stats.byAgent.map((row) => ({ agent: names[row.key] ?? row.key, ...row }));
    const document = {
      stats: {
        from: new Date(fromMs).toISOString(),
        to: new Date(toMs).toISOString(),
        total: stats.total,
        byAgent,
        byCategory: stats.byCategory,
        daily: trends.days,
        firstReply: trends.firstReply,
      },
    };
    if (o.html !== undefined)
      await writeHtml(
        o.html,
        statsHtml({ from: document.stats.from, to: document.stats.to, opened: stats.total.volume, days: trends.days, firstReply: trends.firstReply }),
      );
    ctx.out.data(document, () => {
      ctx.out.line(`Tickets opened ${document.stats.from.slice(0, 10)} to ${document.stats.to.slice(0, 10)}: ${stats.total.volume}`);
      ctx.out.line();
      printCharts(ctx, trends);
      printRows(
        ctx,
        'Per agent (tickets they hold; first replies they wrote)',
        byAgent.map((row) => rowCells(row.agent, row)),
      );
      printRows(ctx, 'Per category', [...stats.byCategory.map((row) => rowCells(row.key, row)), rowCells('all', stats.total)]);
      if (o.html !== undefined) ctx.out.note(`Charts written to ${o.html}.`);
    });
  });
}
