import stringWidth from 'string-width';
import { describe, expect, it } from 'vitest';
import { renderTable, type TableColumn } from '../../src/cli/table.js';

const HISTORY: TableColumn[] = [
  { title: 'Date' },
  { title: 'ID' },
  { title: 'Type', hide: 1 },
  { title: 'Counterparty' },
  { title: 'Amount', align: 'right' },
  { title: 'Status' },
];

const ROWS = [
  ['2026-12-05 16:16 CET', 'txn_0000000042', 'transfer', 'a-very-long-address-of-a-counterparty@example.com', '-1,250.00 USD', 'completed'],
  ['2026-12-04 09:01 CET', 'txn_0000000041', 'deposit', 'card', '+100.00 USD', 'completed'],
];

const widths = (lines: readonly string[]) => lines.map((line) => stringWidth(line));

describe('tables sized to the terminal', () => {
  it('keep their natural width when they fit, with no separator between rows', () => {
    const lines = renderTable(HISTORY, ROWS, 200);
    expect(lines).toHaveLength(6);
    expect(new Set(widths(lines)).size).toBe(1);
    expect(lines[3]).toContain('a-very-long-address-of-a-counterparty@example.com');
    expect(lines.filter((line) => line.startsWith('├'))).toHaveLength(1);
  });

  for (const width of [80, 120]) {
    it(`fit in ${width} columns, cutting free text with … and keeping ids and amounts whole`, () => {
      const lines = renderTable(HISTORY, ROWS, width);
      expect(Math.max(...widths(lines))).toBeLessThanOrEqual(width);
      expect(new Set(widths(lines)).size).toBe(1);
      const body = lines.join('\n');
      for (const whole of ['txn_0000000042', '-1,250.00 USD', '+100.00 USD', 'completed']) expect(body).toContain(whole);
      expect(body).toMatch(/│ a-very-\S*… /);
      expect(lines[1]?.includes('Type')).toBe(width === 120);
      expect(body).toContain('2026-12-05 16:16 CET');
    });
  }

  it('align Chinese text by display width', () => {
    const rows = [
      ['1', '提现一直没有到账，请帮我查一下这笔款项的状态，已经等了三个工作日了', 'zh'],
      ['2', 'Withdrawal missing', 'en'],
    ];
    const lines = renderTable([{ title: '#', align: 'right' }, { title: 'Subject' }, { title: 'Lang' }], rows, 60);
    expect(new Set(widths(lines)).size).toBe(1);
    expect(Math.max(...widths(lines))).toBeLessThanOrEqual(60);
    expect(lines[3]).toContain('…');
    const bars = lines
      .slice(1)
      .filter((l) => l.startsWith('│'))
      .map((line) => [...line].reduce<number[]>((at, ch, i) => (ch === '│' ? [...at, stringWidth([...line].slice(0, i).join(''))] : at), []));
    expect(new Set(bars.map((b) => b.join(','))).size).toBe(1);
  });

  it('keep Chinese aligned when the cut falls on a wide character (cli-truncate alone runs one column over)', () => {
    const rows = [
      ['1', '提现什么时候到账？'.repeat(5)],
      ['5', 'Lost my phone with the authenticator, and the recovery codes too'],
    ];
    for (const width of [60, 61, 62, 63]) {
      const lines = renderTable([{ title: '#', align: 'right' }, { title: 'Subject' }], rows, width);
      expect(new Set(widths(lines)).size, lines.join('\n')).toBe(1);
      expect(Math.max(...widths(lines))).toBeLessThanOrEqual(width);
    }
  });

  it('drop the columns marked hideable, lowest first, before squeezing free text unreadably', () => {
    const columns: TableColumn[] = [
      { title: '#', align: 'right' },
      { title: 'ID' },
      { title: 'Tier', align: 'right', hide: 1 },
      { title: 'Lang', hide: 2 },
      { title: 'Subject' },
    ];
    const rows = [['7', `txn_${'0'.repeat(36)}`, '2', 'en', 'x'.repeat(70)]];
    const at80 = renderTable(columns, rows, 80);
    expect(at80[1]).not.toContain('Tier');
    expect(at80[1]).toContain('Lang');
    expect(renderTable(columns, rows, 120)[1]).toContain('Tier');
  });

  it('try the shorter texts given for cells, then times cut to their date, before one block per row', () => {
    const hold = ['2026-10-12 15:09 CEST', 'txn_0000000061', 'withdrawal.hold', 'Grace Smith •••• 3000', '1200.00 USD held + 0.50 fee', 'processing'];
    const narrowHold = [...hold.slice(0, 4), '1200.50 USD held', 'processing'];
    const columns = HISTORY.map((column) => (column.title === 'Status' ? { ...column, keep: true } : column));
    const full = renderTable(columns, [hold], 140, undefined, [narrowHold]);
    expect(full.join('\n')).toContain('│ 2026-10-12 15:09 CEST │ txn_0000000061 │ withdrawal.hold │');
    expect(full.join('\n')).toContain('1200.00 USD held + 0.50 fee');
    const at80 = renderTable(columns, [hold], 80, undefined, [narrowHold]);
    expect(Math.max(...widths(at80))).toBeLessThanOrEqual(80);
    expect(at80[3]).toMatch(/^│ 2026-10-12 │ txn_0000000061 │ Grace Smith •\S* +│ 1200\.50 USD held │ processing │$/);
    expect(renderTable(columns, [hold], 80).some((line) => line.includes('│'))).toBe(false);
  });

  it('keep the ids of a column that mixes them with free text whole, cutting only the text', () => {
    const columns: TableColumn[] = [
      { title: 'Line', align: 'right' },
      { title: 'To' },
      { title: 'Amount', align: 'right' },
      { title: 'Result', keep: true },
      { title: 'Transaction or reason' },
    ];
    const rows = [
      ['2', 'someone.with.a.long.address@example.com', '1.00 USD', 'paid', 'txn_0000000066'],
      ['4', 'another.long.address@example.com', '99999.00 USD', 'failed', 'not enough money: 3766.15 USD available, this transfer needs more'],
    ];
    const lines = renderTable(columns, rows, 60);
    expect(Math.max(...widths(lines))).toBeLessThanOrEqual(60);
    expect(lines[3]).toMatch(/│ txn_0000000066 +│$/);
    expect(lines[4]).toMatch(/│ not enough \S*… +│$/);
  });

  it('switch to one block per row below 60 columns', () => {
    const lines = renderTable(HISTORY, ROWS, 50);
    expect(lines.some((line) => line.includes('│'))).toBe(false);
    expect(Math.max(...widths(lines))).toBeLessThanOrEqual(50);
    expect(lines[0]).toMatch(/^Date\s+2026-12-05 16:16 CET$/);
    expect(lines).toContain('');
    expect(lines.join('\n')).toContain('txn_0000000041');
  });
});
