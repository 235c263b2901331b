// Finds ASCII sentence punctuation that touches Chinese text, where Chinese wants the full-width
// marks (，。：；？！). ASCII stays right inside commands, numbers and times ("okpay fee quote",
// "09:00", "12.50"), and a full stop before a letter is a file name ("文件.csv").

// Han characters, CJK punctuation and full-width forms (（）「」…).
const CJK = '\\p{Script=Han}\\u3000-\\u303f\\uff01-\\uff60';
const OFFENDING = new RegExp(`[${CJK}][,:;?!]|[${CJK}]\\.(?![A-Za-z0-9])|[,:;?!] ?[${CJK}]`, 'gu');
const CONTEXT_CHARS = 10;

/** One snippet around every offending mark, e.g. `…请运行:okpay activate…`. */
export function asciiPunctuationInChinese(text: string): string[] {
  return [...text.matchAll(OFFENDING)].map((match) => {
    const start = Math.max(0, match.index - CONTEXT_CHARS);
    const end = Math.min(text.length, match.index + match[0].length + CONTEXT_CHARS);
    return `…${text.slice(start, end).replace(/\n/g, '\\n')}…`;
  });
}
