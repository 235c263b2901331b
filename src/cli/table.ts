// Bordered tables sized to the terminal. Widths are display columns (string-width), so CJK text and
// colour codes line up. When a table is too wide, the widest free-text column gives way first and
// its cells end in "…"; amounts, numbers and ids are never cut. Columns marked `hide` are dropped
// (lowest first) before free text would become unreadable, each time after the shorter texts given
// for cells were tried; times are cut to their date as a last resort (see renderTable). Below
// COMPACT_BELOW columns, or when nothing else fits, each row becomes a block of "title  value" lines.

import cliTruncate from 'cli-truncate';
import stringWidth from 'string-width';

export interface TableColumn {
  readonly title: string;
  readonly align?: 'left' | 'right';
  /** Never truncated (amounts, ids). Right-aligned and id-like columns are kept by default. */
  readonly keep?: boolean;
  /** Dropped when the table does not fit otherwise; lower numbers go first. */
  readonly hide?: number;
}

interface TableStyle {
  header(text: string): string;
  border(text: string): string;
}

const COMPACT_BELOW = 60;
/** A free-text column is shrunk to this before other columns are dropped. */
const COMFORTABLE_WIDTH = 16;
/** Below this a free-text cell says too little to be worth a bordered row. */
const MINIMUM_WIDTH = 6;
const ID_LIKE = /(^|[^a-z])(id|#|no\.?|number|amount|fee|total|net|balance|available|held)$/i;
/** Cells that are whole tokens: ids (txn_0000000042), times (2026-12-05 16:16 CET), dates and amounts (-12.50 USD). */
const TOKEN =
  /^(?:[a-z]+_[A-Za-z0-9_-]+|\d{4}-\d{2}-\d{2}(?:[ T][\d:.]+(?: ?[A-Z][A-Za-z0-9+:-]*)?)?|[+-]?[\d,]+(?:\.\d+)? [A-Z]{3}(?:, [+-]?[\d,]+(?:\.\d+)? [A-Z]{3})*)$/;

const plainStyle: TableStyle = { header: (t) => t, border: (t) => t };

/** Kept whole: marked so, right-aligned, titled like an id or amount, or holding only tokens. */
function isKept(column: TableColumn, cells: readonly string[] = []): boolean {
  if (column.keep !== undefined) return column.keep;
  if (column.align === 'right' || ID_LIKE.test(column.title)) return true;
  const filled = cells.map((cell) => cell.replace(ANSI, '')).filter((cell) => cell !== '');
  return filled.length > 0 && filled.every((cell) => TOKEN.test(cell));
}

const ANSI = /\u001b\[[0-9;]*m/g;

/**
 * The table as lines of at most `width` display columns (rows as already-rendered cell texts).
 * `narrow` holds shorter texts of the same cells (a payout hold's total instead of its breakdown, a
 * date instead of a time): they are tried before a column is dropped, and last, with every time
 * cut to its date, before one block per row.
 */
export function renderTable(
  columns: readonly TableColumn[],
  rows: readonly (readonly string[])[],
  width: number,
  style: TableStyle = plainStyle,
  narrow: readonly (readonly string[])[] = rows,
): string[] {
  const clean = (table: readonly (readonly string[])[]) => table.map((row) => row.map((cell) => cell.replace(/[\r\n\t]+/g, ' ')));
  const cells = clean(rows);
  if (width >= COMPACT_BELOW) {
    const layout = fitLayout(columns, cells, clean(narrow), width);
    if (layout) return bordered(layout, style);
  }
  return compact(columns, cells, width, style);
}

const TIME = /^(\d{4}-\d{2}-\d{2}) \d{2}:\d{2}(?: [A-Z][A-Za-z0-9+:-]*)?$/;

/** "2026-12-04" for "2026-12-04 16:00 CET"; any other cell as it is. */
function dateOfTime(cell: string): string {
  return TIME.exec(cell)?.[1] ?? cell;
}

interface Layout {
  readonly shown: readonly number[];
  readonly widths: readonly number[];
  readonly columns: readonly TableColumn[];
  readonly cells: readonly (readonly string[])[];
}

function naturalWidths(columns: readonly TableColumn[], cells: readonly (readonly string[])[]): number[] {
  return columns.map((column, i) => Math.max(stringWidth(column.title), ...cells.map((row) => stringWidth(row[i] ?? ''))));
}

/** The columns with `keep` decided from their cells. */
function withKeep(given: readonly TableColumn[], cells: readonly (readonly string[])[]): TableColumn[] {
  return given.map((column, i) => ({
    ...column,
    keep: isKept(
      column,
      cells.map((row) => row[i] ?? ''),
    ),
  }));
}

/** The first that fits: every column (full texts, then narrow ones), then without the hideable ones in their order; last, free text squeezed. */
function fitLayout(given: readonly TableColumn[], full: readonly (readonly string[])[], narrow: readonly (readonly string[])[], width: number): Layout | null {
  const hideOrder = given
    .map((c, i) => ({ i, rank: c.hide }))
    .filter((c) => c.rank !== undefined)
    .sort((a, b) => (a.rank ?? 0) - (b.rank ?? 0));
  let shown = given.map((_, i) => i);
  for (let dropped = 0; dropped <= hideOrder.length; dropped += 1) {
    for (const cells of [full, narrow]) {
      const layout = tryLayout(given, cells, shown, width, COMFORTABLE_WIDTH);
      if (layout) return layout;
    }
    const next = hideOrder[dropped];
    if (next) shown = shown.filter((i) => i !== next.i);
  }
  for (const cells of [full, narrow, narrow.map((row) => row.map(dateOfTime))]) {
    const layout = tryLayout(given, cells, shown, width, MINIMUM_WIDTH);
    if (layout) return layout;
  }
  return null;
}

function tryLayout(
  given: readonly TableColumn[],
  cells: readonly (readonly string[])[],
  shown: readonly number[],
  width: number,
  floor: number,
): Layout | null {
  const columns = withKeep(given, cells);
  const natural = naturalWidths(given, cells);
  const widths = shrink(
    shown.map((i) => natural[i] ?? 0),
    shown.map((i) => columns[i] as TableColumn),
    width - borderWidth(shown.length),
    shown.map((i) => Math.max(floor, widestToken(cells, i))),
  );
  return widths ? { shown, widths, columns, cells } : null;
}

const borderWidth = (count: number) => count * 3 + 1;

/** The widest whole token (an id, a time, an amount) in a column of free text, which is never cut either ("txn_… or a reason"). */
function widestToken(cells: readonly (readonly string[])[], column: number): number {
  return Math.max(
    0,
    ...cells
      .map((row) => (row[column] ?? '').replace(ANSI, ''))
      .filter((cell) => TOKEN.test(cell))
      .map((cell) => stringWidth(cell)),
  );
}

/** Narrows the widest shrinkable column, one display column at a time, down to its floor. */
function shrink(natural: readonly number[], columns: readonly TableColumn[], room: number, floors: readonly number[]): number[] | null {
  const widths = [...natural];
  let total = widths.reduce((a, b) => a + b, 0);
  while (total > room) {
    let widest = -1;
    for (let i = 0; i < widths.length; i += 1) {
      const w = widths[i] ?? 0;
      if (!isKept(columns[i] as TableColumn) && w > (floors[i] ?? 0) && (widest < 0 || w > (widths[widest] ?? 0))) widest = i;
    }
    if (widest < 0) return null;
    widths[widest] = (widths[widest] ?? 0) - 1;
    total -= 1;
  }
  return widths;
}

/** Cut to at most `width` columns with "…"; cli-truncate runs one column over when the cut falls on a wide (CJK) character. */
function truncateTo(text: string, width: number): string {
  for (let target = width; target > 0; target -= 1) {
    const cut = cliTruncate(text, target, { position: 'end' });
    if (stringWidth(cut) <= width) return cut;
  }
  return '';
}

function fit(text: string, width: number, align: 'left' | 'right' = 'left'): string {
  const cut = stringWidth(text) > width ? truncateTo(text, width) : text;
  const pad = ' '.repeat(Math.max(0, width - stringWidth(cut)));
  return align === 'right' ? pad + cut : cut + pad;
}

function bordered(layout: Layout, style: TableStyle): string[] {
  const { shown, widths, columns, cells } = layout;
  const rule = (left: string, mid: string, right: string) => style.border(left + widths.map((w) => '─'.repeat(w + 2)).join(mid) + right);
  const bar = style.border('│');
  const line = (texts: readonly string[], header: boolean) =>
    bar +
    shown
      .map((col, k) => {
        const column = columns[col] as TableColumn;
        const text = fit(texts[col] ?? '', widths[k] ?? 0, header ? 'left' : column.align);
        return ` ${header ? style.header(text) : text} `;
      })
      .join(bar) +
    bar;
  return [
    rule('┌', '┬', '┐'),
    line(
      columns.map((c) => c.title),
      true,
    ),
    rule('├', '┼', '┤'),
    ...cells.map((row) => line(row, false)),
    rule('└', '┴', '┘'),
  ];
}

/** One block per row: "title  value" lines, the values cut to the width. */
function compact(columns: readonly TableColumn[], cells: readonly (readonly string[])[], width: number, style: TableStyle): string[] {
  const labelWidth = Math.max(...columns.map((c) => stringWidth(c.title)));
  const room = Math.max(1, width - labelWidth - 2);
  return cells.flatMap((row, r) => [
    ...(r > 0 ? [''] : []),
    ...columns.flatMap((column, i) => {
      const value = row[i] ?? '';
      return value === '' ? [] : [`${style.header(fit(column.title, labelWidth))}  ${fit(value, room).trimEnd()}`];
    }),
  ]);
}
