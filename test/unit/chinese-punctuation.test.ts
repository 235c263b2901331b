import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { asciiPunctuationInChinese } from '../support/chinese-punctuation.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function filesUnder(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir)).flatMap((name) => {
    const relative = path.join(dir, name);
    return statSync(path.join(ROOT, relative)).isDirectory() ? filesUnder(relative) : [relative];
  });
}

/** Every string in a JSON document, with the path that leads to it. */
function stringsOf(value: unknown, at: string): Array<{ at: string; text: string }> {
  if (typeof value === 'string') return [{ at, text: value }];
  if (Array.isArray(value)) return value.flatMap((item, index) => stringsOf(item, `${at}[${index}]`));
  if (value !== null && typeof value === 'object') return Object.entries(value).flatMap(([key, item]) => stringsOf(item, `${at}.${key}`));
  return [];
}

function offencesIn(file: string, texts: Array<{ at: string; text: string }>): string[] {
  return texts.flatMap(({ at, text }) => asciiPunctuationInChinese(text).map((snippet) => `${file}${at}: ${snippet}`));
}

function linesOf(file: string): Array<{ at: string; text: string }> {
  return readFileSync(path.join(ROOT, file), 'utf8')
    .split('\n')
    .map((text, index) => ({ at: `:${index + 1}`, text }));
}

/** JSON is read string by string (escapes decoded, paths named); any other text file line by line. */
function textsOf(file: string): Array<{ at: string; text: string }> {
  return file.endsWith('.json') ? stringsOf(JSON.parse(readFileSync(path.join(ROOT, file), 'utf8')), '') : linesOf(file);
}

const MESSAGE = 'ASCII punctuation next to Chinese (use ，。：；？！)';

describe('Chinese text the tool ships uses full-width punctuation', () => {
  it('in every data file', () => {
    const files = filesUnder('data');
    expect(files).toContain(path.join('data', 'faq.json'));
    expect(files).toContain(path.join('data', 'macros', 'zh.json'));
    const offences = files.flatMap((file) => offencesIn(file, textsOf(file)));
    expect(offences, `${MESSAGE}:\n${offences.join('\n')}`).toEqual([]);
  });

  it('in every source file', () => {
    const offences = filesUnder('src').flatMap((file) => offencesIn(file, linesOf(file)));
    expect(offences, `${MESSAGE}:\n${offences.join('\n')}`).toEqual([]);
  });
});

describe('asciiPunctuationInChinese', () => {
  it.each([
    ['运行:okpay activate', '运行:o'],
    ['设置密码;在脚本中', '码;在'],
    ['它。以后,重置', '后,重'],
    ['忘记密码怎么办?', '办?'],
    ['请联系客服!', '服!'],
    ['账户已锁定.', '定.'],
    ['okpay lock,自己先冻结', 'k,自'],
    ['okpay balance, 然后', 'e, 然'],
    ['（最快）, 电子邮件', '）, 电'],
  ])('flags %s', (text, mark) => {
    const [snippet] = asciiPunctuationInChinese(text);
    expect(snippet).toContain(mark);
  });

  it.each([
    '运行：okpay fee quote transfer --to a@example.com --amount 12.50 --currency USD',
    '周一至周五 09:00–18:00，写 1250.50，而不是 1,250.50。',
    'okpay transfer --batch 文件.csv 一次就能发出多笔付款。',
    'Run: okpay activate TOKEN. Then sign in, please!',
    '1. 运行 okpay register',
  ])('accepts %s', (text) => {
    expect(asciiPunctuationInChinese(text)).toEqual([]);
  });
});
