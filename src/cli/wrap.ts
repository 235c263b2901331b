// Long text wrapped to the terminal: every line keeps its indent (continuation lines take the indent
// of the line they continue, plus the width of a list marker such as "- " or "1. "), a Latin word
// is never broken (one longer than the line stays whole), and CJK text breaks between characters.
// wrap-ansi breaks only at spaces, so it would leave a Chinese paragraph on one line: this keeps
// its greedy filling but splits Han, kana and Hangul into one-character pieces; widths come from
// string-width, so CJK and colour codes are measured as the terminal shows them.

import stringWidth from 'string-width';

const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\u3000-\u303f\uff00-\uffef]/u;
// A list marker: -, *, • (written \u2022: regular expressions stay ASCII in the bundle, see scripts/bundle.mjs), $, 1. or 1).
const MARKER = /^(\s*)((?:[-*\u2022$]|\d{1,3}[.)]|Usage:)\s+)?/;

/** The pieces a line may break between: words, and single CJK characters, each with the spaces before it. */
function pieces(text: string): { text: string; before: string }[] {
  const out: { text: string; before: string }[] = [];
  for (const match of text.matchAll(/(\s*)(\S+)/g)) {
    let before = match[1] ?? '';
    let word = '';
    const flush = () => {
      if (word === '') return;
      out.push({ text: word, before });
      before = '';
      word = '';
    };
    for (const char of match[2] ?? '') {
      if (CJK.test(char)) {
        flush();
        word = char;
        flush();
      } else word += char;
    }
    flush();
  }
  return out;
}

/** Where continuation lines start: under a list marker's text, or under the second column of "term  description". */
function hangingIndent(line: string, width: number): { prefix: string; hanging: string } {
  const [prefix = '', indent = '', marker = ''] = MARKER.exec(line) ?? [];
  const column = /^(\s*\S.*?\s{2,})\S/.exec(line)?.[1];
  if (marker === '' && column !== undefined && stringWidth(column) <= width / 2) return { prefix, hanging: ' '.repeat(stringWidth(column)) };
  return { prefix, hanging: ' '.repeat(stringWidth(indent) + stringWidth(marker)) };
}

function wrapLine(line: string, width: number): string[] {
  if (stringWidth(line) <= width) return [line];
  const { prefix, hanging } = hangingIndent(line, width);
  const room = Math.max(8, width);
  const lines: string[] = [];
  let current = prefix;
  let filled = false;
  for (const piece of pieces(line.slice(prefix.length))) {
    const joined = `${current}${filled ? piece.before : ''}${piece.text}`;
    if (filled && stringWidth(joined) > room) {
      lines.push(current);
      // A word too long for the hanging column starts at the line's own indent instead.
      const start = stringWidth(hanging + piece.text) > room ? (/^\s*/.exec(line)?.[0] ?? '') : hanging;
      current = start + piece.text;
    } else current = joined;
    filled = true;
  }
  lines.push(current);
  return lines;
}

/** Each line of `text` wrapped to `width` display columns. */
export function wrapText(text: string, width: number): string {
  return text
    .split('\n')
    .flatMap((line) => wrapLine(line.trimEnd(), width))
    .join('\n');
}
