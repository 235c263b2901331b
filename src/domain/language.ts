// The languages the service answers in, and a cheap guess of which one a piece of text is
// written in (tickets use it when the customer did not say).

import { AppError } from './errors.js';

export const LANGUAGES = ['en', 'zh', 'es', 'fr', 'de'] as const;

export type Language = (typeof LANGUAGES)[number];

export function isLanguage(value: unknown): value is Language {
  return typeof value === 'string' && (LANGUAGES as readonly string[]).includes(value);
}

/** A language a person typed (any case, spaces around), or INVALID_CHOICE. */
export function parseLanguage(text: string): Language {
  const lower = text.trim().toLowerCase();
  if (!isLanguage(lower))
    throw new AppError('INVALID_CHOICE', `"${text.slice(0, 20)}" is not a supported language`, { hint: `use one of ${LANGUAGES.join(', ')}` });
  return lower;
}

type LatinLanguage = Exclude<Language, 'zh'>;

// Short function words that are frequent in one language and rare in the others. Words shared
// between languages ("de", "la", "es") are listed under each: the other clues break the tie.
const FUNCTION_WORDS: Readonly<Record<LatinLanguage, ReadonlySet<string>>> = {
  en: new Set(
    'the and is are was were my to of you it not have has how what why when where with for this that can do does did please from been i me'.split(' '),
  ),
  es: new Set(
    'el la los las un una es y de que en mi no por para con como qué cómo está pero se lo del al hola gracias puedo necesito tengo mis muy ya dinero cuenta'.split(
      ' ',
    ),
  ),
  fr: new Set(
    'le la les un une est et de des du que je mon ma mes pas pour avec vous nous il elle ce cette sur dans bonjour merci ai suis ne compte argent'.split(' '),
  ),
  de: new Set(
    'der die das und ist ich nicht ein eine mein meine mit für auf zu von den dem es sie wir bitte danke habe kann wie warum hallo auch konto geld'.split(' '),
  ),
};

// Letters that only (or almost only) one of the Latin languages uses.
const SIGNATURE_LETTERS: Readonly<Record<LatinLanguage, RegExp | null>> = {
  en: null,
  // From strings, which the bundle escapes, rather than regular expression literals, which it keeps as they are (scripts/bundle.mjs).
  es: new RegExp('[ñ¿¡áíóú]', 'gu'),
  fr: new RegExp('[èêàçœùâîôëï]', 'gu'),
  de: new RegExp('[äöüß]', 'gu'),
};

const LETTER_WEIGHT = 2;
// Only the start of a long text is looked at: enough to decide, and it bounds the work.
const MAX_SAMPLE_CHARS = 2000;
// Made on first use: a Unicode-property pattern loads ICU's tables (about half a millisecond).
let han: RegExp | undefined;

/**
 * Guesses the language of `text`: any Han character means Chinese; otherwise function words
 * and language-specific letters are counted for es/fr/de against English, and English wins
 * ties (including text with no clue at all). Null only for text that is empty or blank.
 */
export function detectLanguage(text: string): Language | null {
  const sample = text.trimStart().slice(0, MAX_SAMPLE_CHARS).toLowerCase();
  if (sample.trim().length === 0) return null;
  if ((han ??= /\p{Script=Han}/u).test(sample)) return 'zh';
  const words = sample.match(/\p{L}+/gu) ?? [];
  let best: LatinLanguage = 'en';
  let bestScore = 0;
  for (const language of ['en', 'es', 'fr', 'de'] as const) {
    const score = clueScore(sample, words, language);
    if (score > bestScore) {
      best = language;
      bestScore = score;
    }
  }
  return best;
}

function clueScore(sample: string, words: readonly string[], language: LatinLanguage): number {
  const vocabulary = FUNCTION_WORDS[language];
  const wordHits = words.filter((word) => vocabulary.has(word)).length;
  const letters = SIGNATURE_LETTERS[language];
  const letterHits = letters === null ? 0 : (sample.match(letters)?.length ?? 0);
  return wordHits + LETTER_WEIGHT * letterHits;
}
