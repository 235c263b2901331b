// Turns free text into search terms that match across spelling variants: case, accents,
// full-width forms and simple plurals/verb endings in Latin script; Chinese, written without
// spaces, becomes single characters plus overlapping character pairs, so "忘记密码" finds
// "密码" and "忘记" wherever they occur.
// Hand-written: segmenting Chinese well needs a dictionary library of megabytes; pairs of
// characters find the same articles for a knowledge base this size.

const RUN = /\p{Script=Han}+|(?:(?!\p{Script=Han})[\p{L}\p{N}])+/gu;
const HAN_START = /^\p{Script=Han}/u;
const MIN_WORD_CHARS = 2;

// Words so frequent in questions that they only add noise to a ranking (already folded).
const STOP_WORDS: ReadonlySet<string> = new Set(
  [
    'a an the and or is are was be to of in on at by for with from my me your you it this that how do does did can what why when where not no have has will am',
    'el la los las un una y o del en que mi por para con como es se lo al',
    'le les une et ou de des du je mon ma mes pour avec est pas ne il au aux',
    'der die das und oder ist ich mein meine ein eine zu von mit fur auf den dem im wie',
  ]
    .join(' ')
    .split(' '),
);

// The Chinese counterparts: question words and particles, as single characters and pairs.
const HAN_STOP_TERMS: ReadonlySet<string> = new Set('的 了 吗 呢 吧 么 怎 何 什 我 你 怎么 如何 什么 怎样 为什 哪些 我的 可以'.split(' '));

/** Lowercases, applies compatibility forms (full-width letters) and drops accents; ß becomes ss. */
function foldText(text: string): string {
  return text.normalize('NFKC').toLowerCase().normalize('NFD').replace(/\p{M}/gu, '').replaceAll('ß', 'ss');
}

/** The terms of `text` in order, repeats kept (term frequency matters to the ranking). */
export function searchTerms(text: string): string[] {
  const terms: string[] = [];
  for (const run of foldText(text).match(RUN) ?? []) {
    if (HAN_START.test(run)) pushHanTerms(run, terms);
    else if (run.length >= MIN_WORD_CHARS && !STOP_WORDS.has(run)) terms.push(stem(run));
  }
  return terms;
}

function pushHanTerms(run: string, terms: string[]): void {
  const characters = [...run];
  characters.forEach((character, index) => {
    const next = characters[index + 1];
    for (const term of next === undefined ? [character] : [character, character + next]) {
      if (!HAN_STOP_TERMS.has(term)) terms.push(term);
    }
  });
}

// A deliberately crude stemmer: it only has to map a word and its usual inflections to the
// same key, on the index side and the query side alike; the key need not be a real word.
function stem(word: string): string {
  const base = stripSuffix(word);
  return base.length > 4 && base.endsWith('e') ? base.slice(0, -1) : base;
}

function stripSuffix(word: string): string {
  if (word.length <= 3 || /^\d+$/.test(word)) return word;
  if (word.length > 4 && word.endsWith('ies')) return `${word.slice(0, -3)}y`;
  if (word.length > 5 && word.endsWith('ing')) return word.slice(0, -3);
  if (word.length > 4 && word.endsWith('ed')) return word.slice(0, -2);
  if (word.endsWith('s') && !word.endsWith('ss')) return word.slice(0, -1);
  return word;
}
