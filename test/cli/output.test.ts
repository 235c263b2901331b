// Output's renderers on a terminal of a given width (tables and times have their own tests).

import stringWidth from 'string-width';
import { beforeAll, describe, expect, it } from 'vitest';
import { bufferIO } from '../../src/cli/io.js';
import { loadTerminalKit, Output } from '../../src/cli/output.js';

beforeAll(() => loadTerminalKit());

describe('key: value fields', () => {
  const pairs = [
    ['SLA', 'first reply: overdue by 129 h 00 min, due 2026-11-16 13:00 Europe/Berlin'],
    ['status', 'new'],
  ] as const;

  it('wrap a long value under itself on a terminal', () => {
    const io = bufferIO({ tty: true, columns: 50 });
    new Output(io, false, false).fields(pairs);
    const lines = io.stdout().trimEnd().split('\n');
    for (const line of lines) expect(stringWidth(line)).toBeLessThanOrEqual(50);
    expect(lines[0]).toMatch(/^SLA: {4}first reply: overdue by 129 h 00 min, due$/);
    expect(lines[1]).toMatch(/^ {8}2026-11-16 13:00 Europe\/Berlin$/);
    expect(lines[2]).toBe('status: new');
  });

  it('stay one line each when piped', () => {
    const io = bufferIO({ columns: 50 });
    new Output(io, false, false).fields(pairs);
    expect(io.stdout().trimEnd().split('\n')).toEqual([`SLA:    ${pairs[0][1]}`, 'status: new']);
  });
});

describe('prose', () => {
  it('is wrapped with its indent on a terminal and left alone when piped', () => {
    const text = '  Withdrawals usually arrive within one to three business days; bank holidays add a day.';
    const tty = bufferIO({ tty: true, columns: 40 });
    new Output(tty, false, false).text(text);
    for (const line of tty.stdout().trimEnd().split('\n')) expect(line).toMatch(/^ {2}\S/);
    const piped = bufferIO({ columns: 40 });
    new Output(piped, false, false).text(text);
    expect(piped.stdout()).toBe(`${text}\n`);
  });
});

describe('tab-separated tables', () => {
  it('name their columns with clean words: no slashes, brackets or symbols', () => {
    const io = bufferIO({ columns: 80 });
    const columns = [
      { key: 'number', title: '#' },
      { key: 'left', title: 'SLA left' },
      { key: 'csat', title: 'CSAT (4–5)' },
      { key: 'detail', title: 'Status / reason' },
      { key: 'detail2', title: 'Transaction or reason' },
    ];
    new Output(io, false, false).table(columns, [{ number: 6, left: '1 h', csat: '80%', detail: 'solved', detail2: 'txn_1' }]);
    expect(io.stdout().split('\n')[0]?.split('\t')).toEqual(['number', 'sla_left', 'csat', 'status_reason', 'transaction_or_reason']);
  });
});
