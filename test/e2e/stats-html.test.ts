// agent stats through the real binary: the terminal charts and their --json twin, and the
// --html page opened in a real headless Chromium (puppeteer-core): it renders with no console
// error and no request, and its charts hold what the JSON says.

import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import puppeteer, { type Browser } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectOk } from '../support/desk-cli.js';
import { chromiumPath } from '../support/chromium.js';
import { Okpay, type Run } from '../support/okpay.js';

const DEMO = fileURLToPath(new URL('../../data/fixtures/demo.json', import.meta.url));
const MEI = 'mei@support.okpay.example';

interface Day {
  date: string;
  opened: number;
  resolved: number;
  breaches: number;
  ratings: number;
  csat: number | null;
}

interface StatsJson {
  stats: { daily: Day[]; firstReply: { label: string; tickets: number }[]; total: { volume: number } };
}

describe('agent stats charts', () => {
  const o = new Okpay();
  const out = mkdtempSync(path.join(os.tmpdir(), 'okpay-stats-'));
  let session = '';
  const asMei = (args: readonly string[], columns?: number): Promise<Run> =>
    o.run(args, { env: { OKPAY_SESSION: session, ...(columns === undefined ? {} : { COLUMNS: String(columns) }) } });

  beforeAll(async () => {
    expectOk(await o.run(['fixtures', 'load', DEMO]));
    session = expectOk(await o.run(['login', '--email', MEI, '--password-stdin', '--raw'], { stdin: 'Demo-pass-2026!\n' })).stdout.trim();
  });

  afterAll(() => {
    o.cleanup();
    rmSync(out, { recursive: true, force: true });
  });

  it('prints a sparkline per series and first-reply bars, with the same figures in --json', async () => {
    const json = expectOk(await asMei(['agent', 'stats', '--json'])).json<StatsJson>().stats;
    expect(json.daily).toHaveLength(31);
    expect(json.daily.reduce((sum, day) => sum + day.opened, 0)).toBe(json.total.volume);
    expect(json.daily.find((day) => day.ratings > 0)).toMatchObject({ date: '2026-11-20', ratings: 1, csat: 1 });
    expect(json.firstReply.map((bucket) => bucket.label)).toEqual(['under 1 h', '1–4 h', '4–8 h', '8–24 h', '24 h and more']);
    const human = expectOk(await asMei(['agent', 'stats']));
    const lines = human.stdout.split('\n');
    const opened = lines[lines.findIndex((line) => line.startsWith('Opened per day')) + 1] ?? '';
    expect([...opened]).toHaveLength(31);
    expect([...opened].filter((mark) => mark === '█')).toHaveLength(
      json.daily.filter((day) => day.opened === Math.max(...json.daily.map((d) => d.opened))).length,
    );
    expect(human.stdout).toMatch(/^8–24 h +█+ 2$/m);
  });

  it('writes a self-contained HTML page (0600) that renders in headless Chromium without errors', async () => {
    const file = path.join(out, 'stats.html');
    const json = expectOk(await asMei(['agent', 'stats', '--json', '--html', file])).json<StatsJson>().stats;
    expect(statSync(file).mode & 0o777).toBe(0o600);

    const browser: Browser = await puppeteer.launch({ executablePath: chromiumPath(), headless: true, args: ['--no-sandbox', '--disable-gpu'] });
    try {
      const page = await browser.newPage();
      const problems: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error' || message.type() === 'warn') problems.push(`console ${message.type()}: ${message.text()}`);
      });
      page.on('pageerror', (error) => problems.push(`page error: ${String(error)}`));
      page.on('request', (request) => {
        if (request.url() !== pathToFileURL(file).href) problems.push(`request: ${request.url()}`);
      });
      await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
      const charts = await page.$$eval('svg[data-chart]', (svgs) =>
        svgs.map((svg) => ({ name: svg.getAttribute('data-chart'), width: svg.getBoundingClientRect().width })),
      );
      expect(charts.map((chart) => chart.name)).toEqual(['opened', 'resolved', 'breaches', 'first-reply', 'csat']);
      expect(charts.every((chart) => chart.width > 300)).toBe(true);
      const bars = await page.$$eval('svg[data-chart=opened] rect.bar', (rects) =>
        rects.map((rect) => ({ title: rect.querySelector('title')?.textContent ?? '', height: rect.getBoundingClientRect().height })),
      );
      expect(bars).toHaveLength(json.daily.length);
      expect(bars.map((bar) => bar.title)).toEqual(json.daily.map((day) => `${day.date}: ${day.opened} opened`));
      expect(bars.filter((bar) => bar.height > 0)).toHaveLength(json.daily.filter((day) => day.opened > 0).length);
      expect(await page.$$eval('svg[data-chart=first-reply] rect.bar title', (titles) => titles.map((t) => t.textContent))).toEqual(
        json.firstReply.map((b) => `${b.label}: ${b.tickets} tickets`),
      );
      expect(await page.$$eval('svg[data-chart=csat] circle.point', (points) => points.length)).toBe(json.daily.filter((day) => day.csat !== null).length);
      expect(problems).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 600_000);
});
