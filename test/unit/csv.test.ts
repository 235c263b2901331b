import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { AppError } from '../../src/domain/errors.js';
import { formatCsv, neutralizeFormula, parseCsv, type CsvOptions } from '../../src/domain/csv.js';

const payout: CsvOptions = { maxRows: 100, requiredColumns: ['to', 'amount', 'currency'], optionalColumns: ['memo', 'idempotencyKey'] };

function caught(run: () => unknown): AppError | null {
  try {
    run();
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  return null;
}

describe('parseCsv', () => {
  it('reads a header and rows into records keyed by the canonical column names', () => {
    const result = parseCsv('To, AMOUNT ,currency,memo\nalice@example.com,12.50,USD,rent\n+14155550100,3,EUR,\n', payout);
    expect(result.errors).toEqual([]);
    expect(result.rows).toEqual([
      { to: 'alice@example.com', amount: '12.50', currency: 'USD', memo: 'rent' },
      { to: '+14155550100', amount: '3', currency: 'EUR', memo: '' },
    ]);
    expect(result.rowLines).toEqual([2, 3]);
  });

  it('handles quotes, doubled quotes, commas and line breaks inside quotes, CRLF and a BOM', () => {
    const text = '\uFEFFto,amount,currency,memo\r\n"bob@example.com","1,000.00",USD,"say ""hi""\r\nsecond line"\r\ncarol@example.com,5,USD,"a,b"';
    const result = parseCsv(text, payout);
    expect(result.errors).toEqual([]);
    expect(result.rows).toEqual([
      { to: 'bob@example.com', amount: '1,000.00', currency: 'USD', memo: 'say "hi"\r\nsecond line' },
      { to: 'carol@example.com', amount: '5', currency: 'USD', memo: 'a,b' },
    ]);
    expect(result.rowLines).toEqual([2, 4]);
  });

  it('keeps field values exactly as written, spaces included', () => {
    expect(parseCsv('to,amount,currency\n bob , 5 ,USD\n', payout).rows).toEqual([{ to: ' bob ', amount: ' 5 ', currency: 'USD' }]);
  });

  it('skips blank lines and rows of empty fields, counting them for line numbers', () => {
    const result = parseCsv('\n\nto,amount,currency\n\n   \n,,\nbob@example.com,5,USD\n\n', payout);
    expect(result.rows).toHaveLength(1);
    expect(result.rowLines).toEqual([7]);
    expect(result.errors).toEqual([]);
  });

  it('reports a row with the wrong number of fields and goes on', () => {
    const result = parseCsv('to,amount,currency\na@example.com,1\nb@example.com,2,USD,x\nc@example.com,3,USD\n', payout);
    expect(result.errors).toEqual([
      { line: 2, message: 'expected 3 fields as in the header, found 2' },
      { line: 3, message: 'expected 3 fields as in the header, found 4' },
    ]);
    expect(result.rows).toEqual([{ to: 'c@example.com', amount: '3', currency: 'USD' }]);
    expect(result.rowLines).toEqual([4]);
  });

  it('reports stray quotes and text after a closing quote for their line only', () => {
    const result = parseCsv('to,amount,currency\na@example.com,5" ,USD\n"b@example.com"x,5,USD\n"c@\nexample.com"x,5,USD\nd@example.com,4,USD\n', payout);
    expect(result.errors.map((error) => error.line)).toEqual([2, 3, 4]);
    expect(result.errors[0]?.message).toMatch(/quote inside an unquoted field/);
    expect(result.errors[1]?.message).toMatch(/after a closing quote/);
    expect(result.rows).toEqual([{ to: 'd@example.com', amount: '4', currency: 'USD' }]);
    expect(result.rowLines).toEqual([6]);
  });

  it('reports an unterminated quote on the line where it opens', () => {
    const result = parseCsv('to,amount,currency\na@example.com,1,USD\nb@example.com,2,"USD\nc@example.com,3,USD\n', payout);
    expect(result.rows).toHaveLength(1);
    expect(result.errors).toEqual([{ line: 3, message: 'a quote in this row is never closed, so the rest of the file was read into one field' }]);
  });

  it('keeps exact line numbers after quoted line breaks (CRLF counted once), bad rows and mixed line ends', () => {
    const text =
      '\uFEFFto,amount,currency\r\n"a@\r\nexample.com",1,USD\r\nb@example.com,2"x,USD\r\n"c@\r\nexample.com"!,3,USD\r\nd@example.com,4,USD\re@example.com,5,USD\n';
    const result = parseCsv(text, payout);
    expect(result.rows.map((row) => row['to'])).toEqual(['a@\r\nexample.com', 'd@example.com', 'e@example.com']);
    expect(result.rowLines).toEqual([2, 7, 8]);
    expect(result.errors.map((error) => error.line)).toEqual([4, 5]);
  });

  it('reads ragged rows after a BOM: each short or long row is an error of its own line, quoted fields included', () => {
    const text = '\uFEFFto,amount,currency\n"a,1",USD\n"b",2,"USD","x\ny"\n"",,\nc,3,USD\n';
    const result = parseCsv(text, payout);
    expect(result.errors).toEqual([
      { line: 2, message: 'expected 3 fields as in the header, found 2' },
      { line: 3, message: 'expected 3 fields as in the header, found 4' },
    ]);
    // A row of quoted empty fields is data (formatCsv writes a row of empty cells so), not a blank line.
    expect(result.rows).toEqual([
      { to: '', amount: '', currency: '' },
      { to: 'c', amount: '3', currency: 'USD' },
    ]);
    expect(result.rowLines).toEqual([5, 6]);
  });

  it('reports unknown and unnamed columns but still reads the known ones', () => {
    const result = parseCsv('to,amount,currency,colour,\na@example.com,1,USD,red,\n', payout);
    expect(result.errors).toEqual([
      { line: 1, message: 'unknown column "colour"; the columns are to, amount, currency, memo, idempotencyKey' },
      { line: 1, message: 'column 5 of the header has no name' },
    ]);
    expect(result.rows).toEqual([{ to: 'a@example.com', amount: '1', currency: 'USD' }]);
  });

  it('matches optional columns case-insensitively', () => {
    expect(parseCsv('to,amount,currency,IDEMPOTENCYKEY\na,1,USD,k1\n', payout).rows).toEqual([{ to: 'a', amount: '1', currency: 'USD', idempotencyKey: 'k1' }]);
  });

  it('refuses a file it cannot use at all with INVALID_FILE', () => {
    const cases: [string, RegExp][] = [
      ['', /the file is empty/],
      ['\uFEFF\r\n\r\n', /the file is empty/],
      ['to,amount\na,1\n', /line 1: the header row lacks the column currency/],
      ['alice@example.com,5,USD\n', /lacks the columns to, amount, currency/],
      ['to,amount,currency,To\n', /"to" appears twice/],
      ['to,"amount,currency\n', /header row is malformed/],
    ];
    for (const [text, message] of cases) {
      const error = caught(() => parseCsv(text, payout));
      expect(error?.code).toBe('INVALID_FILE');
      expect(error?.message).toMatch(message);
    }
    expect(caught(() => parseCsv('to,amount,currency\n', payout))).toBeNull();
  });

  it('refuses more than maxRows rows, but not blank lines', () => {
    const rows = Array.from({ length: 3 }, (_, index) => `a${index}@example.com,1,USD\n\n`).join('');
    expect(parseCsv(`to,amount,currency\n${rows}`, { ...payout, maxRows: 3 }).rows).toHaveLength(3);
    const error = caught(() => parseCsv(`to,amount,currency\n${rows}x@example.com,1,USD\n`, { ...payout, maxRows: 3 }));
    expect(error?.code).toBe('INVALID_FILE');
    expect(error?.message).toBe('the file has more than 3 rows');
    expect(caught(() => parseCsv(`to,amount,currency\n${'a,1,USD\n'.repeat(1_000_000)}`, payout))?.code).toBe('INVALID_FILE');
  });

  it('reports an over-long field for its row', () => {
    const result = parseCsv(`to,amount,currency,memo\na,1,USD,${'m'.repeat(50)}\n`, { ...payout, maxFieldLength: 40 });
    expect(result.errors).toEqual([{ line: 2, message: 'field 4 (memo) is longer than 40 characters' }]);
  });
});

describe('formatCsv', () => {
  it('quotes only the fields that need it, with CRLF line ends', () => {
    expect(
      formatCsv(
        ['to', 'memo'],
        [
          { to: 'a@example.com', memo: 'say "hi", ok' },
          { to: 'b', memo: 'x\ny' },
        ],
      ),
    ).toBe('to,memo\r\na@example.com,"say ""hi"", ok"\r\nb,"x\ny"\r\n');
  });

  it('keeps a row of empty fields from reading back as a blank line', () => {
    expect(formatCsv(['a', 'b'], [{ a: '', b: '' }])).toBe('a,b\r\n"",\r\n');
  });

  it('writes a cell a spreadsheet would run as a formula after an apostrophe; plain numbers stay numbers', () => {
    const memos = ['=HYPERLINK("http://x.example","click")', '@SUM(1+1)', '+1+cmd|calc', '-2+3', '\t=1+1', '\r=1+1', '-', '+5'];
    const text = formatCsv(
      ['memo'],
      memos.map((memo) => ({ memo })),
    );
    const back = parseCsv(text, { maxRows: 20, requiredColumns: ['memo'] }).rows.map((r) => r['memo']);
    expect(back).toEqual(memos.map((m) => `'${m}`));
    expect(
      formatCsv(
        ['net', 'memo'],
        [
          { net: '-12.50', memo: 'lunch = 12' },
          { net: '7', memo: "'quoted" },
        ],
      ),
    ).toBe("net,memo\r\n-12.50,lunch = 12\r\n7,'quoted\r\n");
  });
});

describe('properties', () => {
  const tricky = fc.constantFrom('"', ',', '\n', '\r', '\r\n', ' ', '""', '\uFEFF', 'é', '😀', 'a');
  const value = fc.oneof(fc.string({ unit: tricky, maxLength: 12 }), fc.string({ unit: 'binary', maxLength: 12 }));
  const columns = fc.uniqueArray(fc.stringMatching(/^[a-z][a-z0-9]{0,7}$/), { minLength: 1, maxLength: 5 });
  const table = columns.chain((names) =>
    fc.tuple(
      fc.constant(names),
      fc.array(
        fc.tuple(...names.map(() => value)).map((values) => Object.fromEntries(names.map((name, index) => [name, values[index] ?? '']))),
        { maxLength: 8 },
      ),
    ),
  );

  it('parse(format(rows)) gives the rows back', () => {
    fc.assert(
      fc.property(table, fc.nat(), ([names, rows], split) => {
        const required = names.slice(0, 1 + (split % names.length));
        const text = formatCsv(names, rows);
        const result = parseCsv(text, { maxRows: 100, requiredColumns: required, optionalColumns: names.slice(required.length) });
        expect(result.errors).toEqual([]);
        expect(result.rows).toEqual(rows.map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, neutralizeFormula(v)]))));
        expect(result.rowLines).toEqual([...result.rowLines].sort((a, b) => a - b));
      }),
    );
  });

  it('arbitrary text never throws anything but AppError', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: tricky, maxLength: 60 }), fc.string({ unit: 'binary', maxLength: 60 })), (body) => {
        for (const text of [body, `to,amount,currency\n${body}`]) {
          const error = caught(() => parseCsv(text, { ...payout, maxRows: 5 }));
          if (error !== null) expect(error.code).toBe('INVALID_FILE');
        }
      }),
    );
  });

  it('every reported line exists in the file', () => {
    fc.assert(
      fc.property(fc.string({ unit: tricky, maxLength: 60 }), (body) => {
        const text = `to,amount,currency\n${body}`;
        const lineCount = text.split(/\r\n|\r|\n/).length;
        let result;
        try {
          result = parseCsv(text, { ...payout, maxRows: 1000 });
        } catch (error) {
          if (error instanceof AppError) return;
          throw error;
        }
        for (const line of [...result.rowLines, ...result.errors.map((error) => error.line)]) {
          expect(line).toBeGreaterThanOrEqual(1);
          expect(line).toBeLessThanOrEqual(lineCount);
        }
      }),
    );
  });
});
