import stringWidth from 'string-width';
import { describe, expect, it } from 'vitest';
import { wrapText } from '../../src/cli/wrap.js';

const widest = (text: string) => Math.max(...text.split('\n').map((line) => stringWidth(line)));

describe('wrapping long text to the terminal', () => {
  const english = '  To reset your password, run okpay password reset with the e-mail address of your account and follow the link in the mail.';

  it('keeps the indent on every line and never breaks a word', () => {
    const wrapped = wrapText(english, 40);
    expect(widest(wrapped)).toBeLessThanOrEqual(40);
    for (const line of wrapped.split('\n')) expect(line.startsWith('  ') && !line.startsWith('   ')).toBe(true);
    expect(wrapped.replace(/\n\s+/g, ' ').trim()).toBe(english.trim());
  });

  it('hangs a list item under its text, not under its marker', () => {
    const wrapped = wrapText('  - Give your account e-mail, the transaction ID and the time it happened.', 30).split('\n');
    expect(wrapped[0]).toMatch(/^ {2}- Give/);
    for (const line of wrapped.slice(1)) expect(line).toMatch(/^ {4}\S/);
  });

  it('hangs a bullet (•) item under its text as well', () => {
    const wrapped = wrapText('  • Give your account e-mail, the transaction ID and the time it happened.', 30).split('\n');
    expect(wrapped[0]).toMatch(/^ {2}• Give/);
    for (const line of wrapped.slice(1)) expect(line).toMatch(/^ {4}\S/);
  });

  it('leaves a word longer than the line whole', () => {
    const url = 'https://okpay.example/activate/act_0123456789abcdefghijklmnopqrstuvwxyz';
    expect(wrapText(`see ${url} now`, 30).split('\n')).toEqual(['see', url, 'now']);
  });

  it('breaks Chinese between characters, measuring two columns for each', () => {
    const chinese = '    提现通常在一到三个工作日内到账。如果超过三个工作日仍未到账，请提供交易编号、金额和时间，我们会尽快为您查询。';
    const wrapped = wrapText(chinese, 30);
    const lines = wrapped.split('\n');
    expect(lines.length).toBeGreaterThan(3);
    expect(widest(wrapped)).toBeLessThanOrEqual(30);
    for (const line of lines) expect(line).toMatch(/^ {4}\S/);
    expect(lines.map((line) => line.trim()).join('')).toBe(chinese.trim());
    expect(stringWidth(lines[0] ?? '')).toBeGreaterThanOrEqual(28);
  });

  it('keeps short lines and blank lines as they are', () => {
    expect(wrapText('one\n\n  two', 80)).toBe('one\n\n  two');
  });
});
