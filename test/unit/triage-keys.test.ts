// What the terminal sends in one read, split into the triage console's strokes.

import type { Key } from 'ink';
import { describe, expect, it } from 'vitest';
import { NO_KEY, strokes } from '../../src/cli/triage-keys.js';

const none = NO_KEY;

/** A stroke as "text", or the name of the one key it is. */
const named = (input: string, key: Key = none) =>
  strokes(input, key).map(({ input, key }) => {
    const on = Object.entries(key).filter(([name, value]) => value === true && name !== 'ctrl');
    if (key.ctrl) return `Ctrl-${input.toUpperCase()}`;
    return on.length > 0 ? on.map(([name]) => name).join('+') : JSON.stringify(input);
  });

describe('strokes', () => {
  it('keeps a key ink named, and a single character, as it is', () => {
    expect(strokes('d', { ...none, ctrl: true })).toEqual([{ input: 'd', key: { ...none, ctrl: true } }]);
    expect(strokes('', { ...none, upArrow: true })).toEqual([{ input: '', key: { ...none, upArrow: true } }]);
    expect(named('j')).toEqual(['"j"']);
  });

  it('finds the Ctrl-D at the end of text typed in one read', () => {
    expect(named('Waiting on them.\x04')).toEqual(['"Waiting on them."', 'Ctrl-D']);
  });

  it('turns line ends and backspaces into keys, a CRLF into one Enter, and keeps a paste whole between them, tabs included', () => {
    expect(named('Called the bank.\r\nWaiting.\rok\n')).toEqual(['"Called the bank."', 'return', '"Waiting."', 'return', '"ok"', 'return']);
    expect(named('ab\x7fc\td\b')).toEqual(['"ab"', 'backspace', '"c\\td"', 'backspace']);
  });

  it('makes each control letter a Ctrl key and drops control characters that are no key', () => {
    expect(named('x\x03y')).toEqual(['"x"', 'Ctrl-C', '"y"']);
    expect(named('a\x00\x1cb')).toEqual(['"ab"']);
  });

  it('keeps characters outside the BMP whole', () => {
    expect(named('ok 👍\x04')).toEqual(['"ok 👍"', 'Ctrl-D']);
  });
});
