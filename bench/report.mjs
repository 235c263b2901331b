// How `npm run bench` updates docs/BENCHMARKS.md: engineers add footnotes, sections and rows by hand
// beside what the bench writes, so a run replaces only its own part and keeps every other byte.
//
// The bench's part is two marked blocks. The summary (between SUMMARY marks): the paragraph saying
// when and on what machine, and the table of figures, one row per figure named in its first cell. The
// targets not met (between TARGETS marks): one list item per figure, starting with its name in bold.
// A run rewrites the paragraph, replaces the rows and items of the figures it measured (an item goes
// when its figure is met now), appends the new ones, and keeps the rows and items of figures it did
// not measure. A document without the marks gets the blocks appended at its end.

export const SUMMARY = { begin: '<!-- bench:summary:begin -->', end: '<!-- bench:summary:end -->' };
export const TARGETS = { begin: '<!-- bench:targets:begin -->', end: '<!-- bench:targets:end -->' };

const TABLE_HEAD = ['| figure | how | measured | target | |', '|---|---|---|---|---|'];
const TARGETS_HEADING = '## Targets not met';

/**
 * The document with this run's figures in it. `previous` is the document as it is (null: none yet);
 * `run.title` the document's first line for a new one, `run.intro` the summary's paragraph;
 * `run.figures` what was measured, each `{ figure, row, note }`: its table row (markdown, one line)
 * and, when its target is not met, its item for the targets not met (markdown, one line), else null.
 */
export function updateReport(previous, run) {
  let text = previous ?? `${run.title}\n`;
  text = replaceBlock(text, SUMMARY, (old) => summaryBlock(old, run));
  text = replaceBlock(text, TARGETS, (old) => targetsBlock(old, run.figures));
  return text;
}

/** `text` with the lines between `marks` made by `make` from the lines there now (null: no block yet). */
function replaceBlock(text, marks, make) {
  const begin = text.indexOf(marks.begin);
  const end = begin < 0 ? -1 : text.indexOf(marks.end, begin);
  if (begin < 0 || end < 0) {
    const block = make(null);
    return `${text}${text.endsWith('\n') ? '' : '\n'}\n${marks.begin}\n${block}${marks.end}\n`;
  }
  const inside = text.slice(begin + marks.begin.length, end).replace(/^\n/, '');
  return `${text.slice(0, begin)}${marks.begin}\n${make(inside)}${text.slice(end)}`;
}

function summaryBlock(old, run) {
  const rows = mergeLines(
    tableRows(old),
    run.figures,
    (line) => rowFigure(line),
    (f) => f.row,
  );
  return `${run.intro}\n\n${[...TABLE_HEAD, ...rows].join('\n')}\n`;
}

function targetsBlock(old, figures) {
  const items = mergeLines(
    listItems(old),
    figures,
    (line) => itemFigure(line),
    (f) => f.note,
  );
  return items.length === 0 ? '' : `${TARGETS_HEADING}\n\n${items.join('\n')}\n`;
}

/**
 * The old lines in their order, each of a measured figure replaced by its new line (or dropped when
 * that is null), then the measured figures that had no line yet.
 */
function mergeLines(oldLines, figures, figureOf, lineOf) {
  const measured = new Map(figures.map((f) => [f.figure, f]));
  const placed = new Set();
  const lines = [];
  for (const line of oldLines) {
    const name = figureOf(line);
    const figure = name === null ? undefined : measured.get(name);
    if (figure === undefined) lines.push(line);
    else if (!placed.has(name)) {
      placed.add(name);
      if (lineOf(figure) !== null) lines.push(lineOf(figure));
    }
  }
  for (const figure of figures) if (!placed.has(figure.figure) && lineOf(figure) !== null) lines.push(lineOf(figure));
  return lines;
}

/** The table's rows below its head (none when there is no table yet). */
function tableRows(block) {
  if (block === null) return [];
  const lines = block.split('\n');
  const head = lines.findIndex((line) => line.startsWith('|---'));
  if (head < 0) return [];
  const rows = [];
  for (const line of lines.slice(head + 1)) {
    if (!line.startsWith('|')) break;
    rows.push(line);
  }
  return rows;
}

/** The list's items, each with the lines that continue it (indented). */
function listItems(block) {
  if (block === null) return [];
  const items = [];
  for (const line of block.split('\n')) {
    if (line.startsWith('- ')) items.push(line);
    else if (/^\s+\S/.test(line) && items.length > 0) items[items.length - 1] += `\n${line}`;
  }
  return items;
}

const rowFigure = (line) => /^\|\s*([^|]*?)\s*\|/.exec(line)?.[1] ?? null;
const itemFigure = (line) => /^- \*\*(.+?)\*\*/.exec(line)?.[1] ?? null;
