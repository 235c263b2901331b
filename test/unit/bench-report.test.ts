// npm run bench updates only its own figures in docs/BENCHMARKS.md: the notes, footnotes, sections
// and rows that engineers write by hand around them stay byte for byte.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SUMMARY, TARGETS, updateReport, type MeasuredFigure } from '../../bench/report.mjs';

const row = (figure: string, measured: string, pass: boolean) => `| ${figure} | how ${figure} | ${measured} | target | ${pass ? 'met' : '**not met**'} |`;
const figure = (name: string, measured: string, pass: boolean, why = 'why'): MeasuredFigure => ({
  figure: name,
  row: row(name, measured, pass),
  note: pass ? null : `- **${name}** (${measured}; target). ${why}`,
});

const BEFORE_SUMMARY = '# okpay benchmarks\n\nA note by hand above the figures.\n\n';
const BETWEEN = `
¹ A footnote written by hand, with its own table:

| row | measured |
|---|---|
| a read | 2.01× |

## At the size of a payment service

A section written by hand.

`;
const AFTER_TARGETS = '\nA closing remark by hand.\n';

const HAND_ROW = '| by hand | a row someone added | 3 | ≤ 4 | met |';
/** A summary block as the bench writes it, up to its end mark. */
const summaryBlock = (intro: string, rows: readonly string[]) =>
  `${SUMMARY.begin}\n${intro}\n\n| figure | how | measured | target | |\n|---|---|---|---|---|\n${rows.join('\n')}\n`;

const DOCUMENT = `${BEFORE_SUMMARY}${summaryBlock('Measured by `npm run bench` on 2026-11-22: the old machine.', [
  row('start-up', '1.02×¹', true),
  HAND_ROW,
  row('a read', '2.10×¹', false),
  row('verify', '246,584/s³', false),
])}${SUMMARY.end}
${BETWEEN}${TARGETS.begin}
## Targets not met

- **a read** on Node 20 (see ¹): measured by hand, with a long explanation.
- **verify** (246,584/s). Hashing is
  most of it.
- **by hand** an item of a figure the bench does not measure.
${TARGETS.end}
${AFTER_TARGETS}`;

const RUN = {
  title: '# okpay benchmarks',
  intro: 'Measured by `npm run bench` on 2026-12-07: the new machine.',
  figures: [
    figure('start-up', '0.98×', true),
    figure('a read', '1.80×', true),
    figure('verify', '251,000/s', true),
    figure('memory', '1.30×', false, 'copies'),
  ],
};

/** The document without its two generated blocks. */
function outsideBlocks(text: string): string {
  let rest = text;
  for (const marks of [SUMMARY, TARGETS]) {
    const begin = rest.indexOf(marks.begin);
    const end = rest.indexOf(marks.end);
    expect(begin).toBeGreaterThanOrEqual(0);
    expect(end).toBeGreaterThan(begin);
    rest = rest.slice(0, begin) + rest.slice(end + marks.end.length);
  }
  return rest;
}

describe('the benchmark report', () => {
  it('keeps every byte outside its blocks, and the rows and items of figures it did not measure', () => {
    const after = updateReport(DOCUMENT, RUN);
    expect(outsideBlocks(after)).toBe(outsideBlocks(DOCUMENT));
    expect(after.startsWith(BEFORE_SUMMARY)).toBe(true);
    expect(after).toContain(BETWEEN);
    expect(after.endsWith(`${TARGETS.end}\n${AFTER_TARGETS}`)).toBe(true);
    const summary = after.slice(after.indexOf(SUMMARY.begin), after.indexOf(SUMMARY.end));
    expect(summary).toBe(
      summaryBlock(RUN.intro, [
        row('start-up', '0.98×', true),
        HAND_ROW,
        row('a read', '1.80×', true),
        row('verify', '251,000/s', true),
        row('memory', '1.30×', false),
      ]),
    );
    const targets = after.slice(after.indexOf(TARGETS.begin), after.indexOf(TARGETS.end));
    expect(targets).toBe(
      `${TARGETS.begin}
## Targets not met

- **by hand** an item of a figure the bench does not measure.
- **memory** (1.30×; target). copies
`,
    );
  });

  it('replaces the item of a figure still not met, continuation lines and all', () => {
    const after = updateReport(DOCUMENT, { ...RUN, figures: [figure('verify', '240,000/s', false, 'still hashing')] });
    expect(after).toContain('- **verify** (240,000/s; target). still hashing\n- **by hand**');
    expect(after).not.toContain('most of it');
    expect(after).toContain('- **a read** on Node 20 (see ¹): measured by hand');
    expect(after).toContain(row('a read', '2.10×¹', false));
  });

  it('drops the targets heading when no target is left unmet', () => {
    const document = `${SUMMARY.begin}\n${SUMMARY.end}\n${TARGETS.begin}\n## Targets not met\n\n- **verify** (1/s). slow\n${TARGETS.end}\n`;
    const after = updateReport(document, { ...RUN, figures: [figure('verify', '251,000/s', true)] });
    expect(after.endsWith(`${TARGETS.begin}\n${TARGETS.end}\n`)).toBe(true);
  });

  it('gives the same document when run twice with the same figures', () => {
    const once = updateReport(DOCUMENT, RUN);
    expect(updateReport(once, RUN)).toBe(once);
  });

  it('appends its blocks to a document without them, and writes a new one', () => {
    const handWritten = '# okpay benchmarks\n\nOnly notes by hand so far.\n';
    const after = updateReport(handWritten, RUN);
    expect(after.startsWith(`${handWritten}\n${SUMMARY.begin}\n`)).toBe(true);
    expect(after).toContain(row('memory', '1.30×', false));
    const fresh = updateReport(null, RUN);
    expect(fresh.startsWith(`# okpay benchmarks\n\n${SUMMARY.begin}\n${RUN.intro}\n\n| figure |`)).toBe(true);
    expect(updateReport(fresh, RUN)).toBe(fresh);
  });

  it('finds both blocks in docs/BENCHMARKS.md, so that a run keeps the rest of it', () => {
    const document = readFileSync(new URL('../../docs/BENCHMARKS.md', import.meta.url), 'utf8');
    const after = updateReport(document, RUN);
    expect(outsideBlocks(after)).toBe(outsideBlocks(document));
    expect(after.length).toBeGreaterThan(document.length / 2);
  });
});
