// Saved replies (src/domain/macros.ts): the shipped files, placeholders, and every way a file can be wrong.

import { describe, expect, it } from 'vitest';
import { macros } from '../../src/app/desk.js';
import { RefData } from '../../src/cli/refdata.js';
import { LANGUAGES, type Language } from '../../src/domain/language.js';
import { findMacro, macroBook, parseMacroFile, renderMacro, type MacroFile } from '../../src/domain/macros.js';
import { appErrorOf } from '../support/app-error.js';

const macro = {
  name: 'ask',
  title: 'Ask',
  status: 'pending',
  body: 'Hello {{customer.name}}, about #{{ticket.number}} ({{ ticket.subject }}). {{agent.name}}',
};
const file = (language: Language, macros: unknown[] = [macro]): unknown => ({ language, macros });
const files = (change: (language: Language) => unknown = (language) => file(language)) =>
  Object.fromEntries(LANGUAGES.map((l) => [l, parseMacroFile(change(l), l, `data/macros/${l}.json`)])) as Record<Language, MacroFile>;
const refusal = (run: () => unknown): string => {
  const error = appErrorOf(run);
  expect(error.code).toBe('INVALID_FILE');
  return error.message;
};

describe('the shipped saved replies', () => {
  it('exist in all five languages with the same names and statuses', () => {
    const book = macros(new RefData());
    const names = [...book.en.keys()];
    expect(names.length).toBeGreaterThanOrEqual(5);
    for (const language of LANGUAGES) expect([...book[language].keys()]).toEqual(names);
  });
});

describe('placeholders', () => {
  const book = macroBook(files());
  it('are filled from the customer, the ticket and the agent; a missing name falls back to the email', () => {
    const context = {
      customer: { name: 'Ada', email: 'ada@example.com' },
      agent: { name: null, email: 'lin@okpay.example' },
      ticket: { number: 7, subject: 'Card' },
    };
    expect(renderMacro(findMacro(book, 'ask', 'de'), context)).toBe('Hello Ada, about #7 (Card). lin@okpay.example');
  });

  it('an unknown name is MACRO_NOT_FOUND', () => {
    expect(appErrorOf(() => findMacro(book, 'nope', 'en')).code).toBe('MACRO_NOT_FOUND');
  });
});

describe('a bad macro file', () => {
  it('names the file, the entry and what is wrong', () => {
    expect(refusal(() => parseMacroFile(file('en', [{ ...macro, body: 'Hi {{custmer.name}} {{x}}' }]), 'en', 'data/macros/en.json'))).toBe(
      'data/macros/en.json: macros[0].body uses unknown placeholders {{custmer.name}}, {{x}}; known: {{customer.name}}, {{customer.email}}, {{ticket.number}}, {{ticket.subject}}, {{agent.name}}',
    );
    expect(refusal(() => parseMacroFile(file('en', [{ ...macro, name: 'Ask Me' }]), 'en', 'f'))).toContain('f: macros[0].name must be lower-case letters');
    expect(refusal(() => parseMacroFile(file('en', [macro, macro]), 'en', 'f'))).toBe('f: macros[1] "ask" is defined twice');
    expect(refusal(() => parseMacroFile(file('en', [{ ...macro, status: 'closed' }]), 'en', 'f'))).toBe(
      'f: macros[0].status must be one of open, pending, on-hold, solved',
    );
    expect(refusal(() => parseMacroFile(file('en', [{ ...macro, extra: 1 }]), 'en', 'f'))).toBe('f: macros[0].extra is not a known field');
    expect(refusal(() => parseMacroFile(file('de'), 'en', 'f'))).toBe('f: language is "de", but the file is for en');
  });

  it('every language defines the same macros with the same status', () => {
    expect(refusal(() => macroBook(files((l) => file(l, l === 'fr' ? [] : [macro]))))).toBe(
      'data/macros/fr.json: lacks ask; every language has the same macros',
    );
    expect(refusal(() => macroBook(files((l) => file(l, l === 'zh' ? [macro, { ...macro, name: 'more' }] : [macro]))))).toBe(
      'data/macros/zh.json: has more, which en.json lacks; every language has the same macros',
    );
    expect(refusal(() => macroBook(files((l) => file(l, [{ ...macro, status: l === 'es' ? 'solved' : 'pending' }]))))).toBe(
      'data/macros/es.json: "ask" sets status solved, but en.json sets pending',
    );
  });
});
