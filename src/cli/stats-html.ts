// `agent stats --html FILE`: the same charts as the terminal, as one self-contained HTML page —
// inline CSS and SVG, no script, and a content security policy that forbids loading anything, so
// the file can be mailed or archived and opens the same anywhere.

import type { DayTrend, ReplyBucket } from '../domain/ticket-trends.js';

export interface StatsPageData {
  readonly from: string;
  readonly to: string;
  readonly opened: number;
  readonly days: readonly DayTrend[];
  readonly firstReply: readonly ReplyBucket[];
}

const WIDTH = 760;
const HEIGHT = 180;
const PAD = { left: 44, right: 12, top: 12, bottom: 28 } as const;

const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const fixed = (n: number): string => (Math.round(n * 10) / 10).toString();

interface Bar {
  readonly label: string;
  readonly value: number;
  readonly title: string;
}

/** Day labels under the axis: about eight, evenly spaced, always the first and last. */
function axisLabels(labels: readonly string[], x: (index: number) => number): string {
  const step = Math.max(1, Math.ceil(labels.length / 8));
  return labels
    .map((label, index) =>
      index % step === 0 || index === labels.length - 1
        ? `<text class="axis" x="${fixed(x(index))}" y="${HEIGHT - 8}" text-anchor="middle">${escapeHtml(label)}</text>`
        : '',
    )
    .join('');
}

function frame(name: string, caption: string, top: string, body: string): string {
  const baseline = HEIGHT - PAD.bottom;
  return `<figure><figcaption>${escapeHtml(caption)}</figcaption><svg data-chart="${name}" role="img" aria-label="${escapeHtml(caption)}" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="100%" xmlns="http://www.w3.org/2000/svg"><line class="grid" x1="${PAD.left}" y1="${PAD.top}" x2="${WIDTH - PAD.right}" y2="${PAD.top}"/><text class="axis" x="${PAD.left - 6}" y="${PAD.top + 4}" text-anchor="end">${escapeHtml(top)}</text><line class="base" x1="${PAD.left}" y1="${baseline}" x2="${WIDTH - PAD.right}" y2="${baseline}"/><text class="axis" x="${PAD.left - 6}" y="${baseline + 4}" text-anchor="end">0</text>${body}</svg></figure>`;
}

function barChart(name: string, caption: string, bars: readonly Bar[]): string {
  const top = Math.max(1, ...bars.map((bar) => bar.value));
  const slot = (WIDTH - PAD.left - PAD.right) / Math.max(1, bars.length);
  const plot = HEIGHT - PAD.top - PAD.bottom;
  const x = (index: number) => PAD.left + slot * index + slot / 2;
  const rects = bars
    .map((bar, index) => {
      const height = (bar.value / top) * plot;
      return `<rect class="bar" x="${fixed(PAD.left + slot * index + slot * 0.15)}" y="${fixed(HEIGHT - PAD.bottom - height)}" width="${fixed(slot * 0.7)}" height="${fixed(height)}"><title>${escapeHtml(bar.title)}</title></rect>`;
    })
    .join('');
  return frame(
    name,
    caption,
    String(top),
    rects +
      axisLabels(
        bars.map((bar) => bar.label),
        x,
      ),
  );
}

function csatChart(days: readonly DayTrend[]): string {
  const slot = (WIDTH - PAD.left - PAD.right) / Math.max(1, days.length);
  const plot = HEIGHT - PAD.top - PAD.bottom;
  const x = (index: number) => PAD.left + slot * index + slot / 2;
  const y = (share: number) => HEIGHT - PAD.bottom - share * plot;
  const rated = days.flatMap((day, index) => (day.csat === null ? [] : [{ day, index, share: day.csat }]));
  const line = rated.length > 1 ? `<polyline class="line" points="${rated.map((p) => `${fixed(x(p.index))},${fixed(y(p.share))}`).join(' ')}"/>` : '';
  const points = rated
    .map(
      (p) =>
        `<circle class="point" cx="${fixed(x(p.index))}" cy="${fixed(y(p.share))}" r="3.5"><title>${escapeHtml(`${p.day.date}: ${Math.round(p.share * 100)}% of ${p.day.ratings} rated 4 or 5`)}</title></circle>`,
    )
    .join('');
  return frame(
    'csat',
    'Satisfaction: share of ratings of 4 or 5, per day',
    '100%',
    line +
      points +
      axisLabels(
        days.map((day) => day.date.slice(5)),
        x,
      ),
  );
}

const dayBars = (days: readonly DayTrend[], pick: (day: DayTrend) => number, what: string): Bar[] =>
  days.map((day) => ({ label: day.date.slice(5), value: pick(day), title: `${day.date}: ${pick(day)} ${what}` }));

const STYLE = `body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem auto;max-width:820px;color:#1f2933;padding:0 1rem}h1{font-size:1.4rem;margin:0 0 .25rem}p.period{color:#52606d;margin:0 0 1.5rem}figure{margin:0 0 1.75rem}figcaption{font-weight:600;margin-bottom:.35rem}.bar{fill:#3b82f6}svg[data-chart=breaches] .bar{fill:#dc2626}svg[data-chart=resolved] .bar{fill:#16a34a}svg[data-chart=first-reply] .bar{fill:#7c3aed}.line{fill:none;stroke:#d97706;stroke-width:2}.point{fill:#d97706}.axis{font-size:11px;fill:#52606d}.grid{stroke:#e4e7eb;stroke-dasharray:3 3}.base{stroke:#9aa5b1}`;

/** The whole page. */
export function statsHtml(data: StatsPageData): string {
  const { days } = data;
  const charts = [
    barChart(
      'opened',
      'Tickets opened per day',
      dayBars(days, (day) => day.opened, 'opened'),
    ),
    barChart(
      'resolved',
      'Tickets solved per day',
      dayBars(days, (day) => day.resolved, 'solved'),
    ),
    barChart(
      'breaches',
      'Reply targets missed per day (SLA breaches)',
      dayBars(days, (day) => day.breaches, 'missed'),
    ),
    barChart(
      'first-reply',
      'First-reply time, business hours (tickets opened in the period)',
      data.firstReply.map((bucket) => ({ label: bucket.label, value: bucket.tickets, title: `${bucket.label}: ${bucket.tickets} tickets` })),
    ),
    csatChart(days),
  ];
  const period = `${data.from.slice(0, 10)} to ${data.to.slice(0, 10)} (UTC days), ${data.opened} tickets opened`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>OKPay support statistics</title><style>${STYLE}</style></head>
<body><h1>OKPay support statistics</h1><p class="period">${escapeHtml(period)}</p>
${charts.join('\n')}
</body></html>
`;
}
