// The knowledge base: articles from data/faq.json, shown in the reader's language, and a small
// BM25 search over them that copes with Chinese (no spaces) and with accents and plurals in
// the Latin-script languages.
// Hand-written: a few dozen short articles need no search engine, and none of the small search
// libraries splits Chinese into terms (see search-terms.ts).

import * as v from 'valibot';
import { AppError } from './errors.js';
import { LANGUAGES, type Language } from './language.js';
import { printable } from './money.js';
import { noDuplicates, parseShippedData, strictObject, type Issue } from './schema.js';
import { searchTerms } from './search-terms.js';

export interface LocalizedArticle {
  readonly id: string;
  readonly topic: string;
  /** The language of the body: English when the requested language has only a title. */
  readonly language: Language;
  /** Always in the requested language. */
  readonly title: string;
  readonly body: string;
  readonly fallback: boolean;
}

export interface FaqHit {
  readonly article: LocalizedArticle;
  readonly score: number;
}

const MAX_ARTICLES = 500;
const MAX_TITLE_CHARS = 120;
const MAX_BODY_CHARS = 1200;
const MAX_TAGS = 30;
const MAX_TAG_CHARS = 40;
const ID_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const MAX_ID_CHARS = 64;

/** Lengths count characters as a reader does (a Chinese character or an emoji is one). */
function text(maxChars: number) {
  const error = `must be a non-empty text of at most ${maxChars} characters`;
  return v.pipe(
    v.string(error),
    v.check((value) => value.trim() !== '' && [...value].length <= maxChars, error),
  );
}

function slug() {
  const error = 'must be a short kebab-case word like "reset-password"';
  return v.pipe(v.string(error), v.maxLength(MAX_ID_CHARS, error), v.regex(ID_PATTERN, error));
}

const fullTextSchema = strictObject({ title: text(MAX_TITLE_CHARS), body: text(MAX_BODY_CHARS) });
/** Spanish, French and German may have only a title; the body is then shown in English. */
const titleTextSchema = strictObject({ title: text(MAX_TITLE_CHARS), body: v.optional(text(MAX_BODY_CHARS)) });

const articleSchema = strictObject({
  id: slug(),
  topic: slug(),
  tags: v.pipe(v.array(text(MAX_TAG_CHARS), `must be a list of at most ${MAX_TAGS} tags`), v.maxLength(MAX_TAGS, `must be a list of at most ${MAX_TAGS} tags`)),
  translations: strictObject({ en: fullTextSchema, zh: fullTextSchema, es: titleTextSchema, fr: titleTextSchema, de: titleTextSchema }, (issue: Issue) =>
    issue.expected === 'never' ? `is not a supported language (${LANGUAGES.join(', ')})` : issue.input === undefined ? 'is required' : 'must be an object',
  ),
});

const ARTICLES_PROBLEM = `must be a list of 1 to ${MAX_ARTICLES} articles`;

const faqFileSchema = strictObject({
  articles: v.pipe(
    v.array(articleSchema, ARTICLES_PROBLEM),
    v.minLength(1, ARTICLES_PROBLEM),
    v.maxLength(MAX_ARTICLES, ARTICLES_PROBLEM),
    noDuplicates(
      (article: FaqArticle) => article.id,
      (id) => `uses the id "${id}" twice`,
    ),
  ),
});

export type FaqArticle = v.InferOutput<typeof articleSchema>;

/** Reads data/faq.json. A mistake there is a bug in what we ship: a plain Error naming every bad field. */
export function parseFaq(json: unknown): FaqArticle[] {
  return parseShippedData(faqFileSchema, json, 'faq data').articles;
}

export function localizeArticle(article: FaqArticle, language: Language): LocalizedArticle {
  const text = article.translations[language];
  const base = { id: article.id, topic: article.topic, title: text.title };
  if (text.body !== undefined) return { ...base, language, body: text.body, fallback: false };
  return { ...base, language: 'en', body: article.translations.en.body, fallback: true };
}

/** Looks an article up by id (case and surrounding blanks ignored). */
export function findArticle(articles: readonly FaqArticle[], id: string): FaqArticle {
  const wanted = id.trim().toLowerCase();
  const found = articles.find((article) => article.id === wanted);
  if (found !== undefined) return found;
  const close = closeIds(articles, wanted);
  const listHint = 'run "okpay faq" to list every article';
  throw new AppError('FAQ_NOT_FOUND', `no FAQ article "${printable(id)}"`, {
    hint: close.length > 0 ? `did you mean ${close.join(', ')}? or ${listHint}` : listHint,
  });
}

const MAX_SUGGESTIONS = 3;

function closeIds(articles: readonly FaqArticle[], wanted: string): string[] {
  if (wanted.length === 0 || wanted.length > MAX_ID_CHARS) return [];
  const allowed = Math.max(2, Math.floor(wanted.length / 3));
  return articles
    .map((article) => ({ id: article.id, distance: idDistance(article.id, wanted) }))
    .filter((candidate) => candidate.distance <= allowed)
    .sort((a, b) => a.distance - b.distance || compareIds(a.id, b.id))
    .slice(0, MAX_SUGGESTIONS)
    .map((candidate) => candidate.id);
}

// A fragment of an id ("locked" for "account-locked") counts as close as a one-letter typo.
function idDistance(id: string, wanted: string): number {
  if (wanted.length >= 3 && id.includes(wanted)) return 1;
  return editDistance(id, wanted);
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

// Ranking: BM25 over one weighted bag of terms per article, built from the requested
// language and English (so an English keyword still works when reading in Spanish), plus
// the tags. A title word counts three times, a tag twice, a body word once.
const TITLE_WEIGHT = 3;
const TAG_WEIGHT = 2;
const BODY_WEIGHT = 1;
const BM25_K1 = 1.2;
const BM25_B = 0.75;
// Ticket texts may be passed in whole: only their start is searched, which bounds the work.
const MAX_QUERY_CHARS = 2000;
const SCORE_DECIMALS = 10_000;

interface IndexedArticle {
  readonly article: FaqArticle;
  readonly termWeights: ReadonlyMap<string, number>;
  readonly length: number;
}

/**
 * Ranks articles for `query`, best first, at most `limit` of them; ties go to the smaller id.
 * A query with nothing searchable in it (empty, blanks, punctuation, only stop words) lists
 * every article in file order with score 0, ignoring `limit`.
 */
export function searchFaq(articles: readonly FaqArticle[], query: string, language: Language, limit = 5): FaqHit[] {
  if (!Number.isSafeInteger(limit) || limit < 1) {
    throw new AppError('INVALID_NUMBER', `the result limit must be a whole number of at least 1, not ${limit}`);
  }
  const queryTerms = [...new Set(searchTerms(query.slice(0, MAX_QUERY_CHARS)))];
  if (queryTerms.length === 0) return articles.map((article) => ({ article: localizeArticle(article, language), score: 0 }));
  const indexed = articles.map((article) => indexArticle(article, language));
  const averageLength = indexed.reduce((sum, entry) => sum + entry.length, 0) / Math.max(indexed.length, 1);
  const inverseFrequency = new Map(queryTerms.map((term) => [term, idf(indexed, term)]));
  return indexed
    .map((entry) => ({ entry, score: bm25(entry, queryTerms, inverseFrequency, averageLength) }))
    .filter((scored) => scored.score > 0)
    .sort((a, b) => b.score - a.score || compareIds(a.entry.article.id, b.entry.article.id))
    .slice(0, limit)
    .map((scored) => ({ article: localizeArticle(scored.entry.article, language), score: scored.score }));
}

function indexArticle(article: FaqArticle, language: Language): IndexedArticle {
  const termWeights = new Map<string, number>();
  let length = 0;
  const add = (text: string, weight: number): void => {
    for (const term of searchTerms(text)) {
      termWeights.set(term, (termWeights.get(term) ?? 0) + weight);
      length += weight;
    }
  };
  for (const source of language === 'en' ? (['en'] as const) : ([language, 'en'] as const)) {
    const text = article.translations[source];
    add(text.title, TITLE_WEIGHT);
    if (text.body !== undefined) add(text.body, BODY_WEIGHT);
  }
  for (const tag of article.tags) add(tag, TAG_WEIGHT);
  return { article, termWeights, length };
}

function idf(indexed: readonly IndexedArticle[], term: string): number {
  const containing = indexed.filter((entry) => entry.termWeights.has(term)).length;
  return Math.log(1 + (indexed.length - containing + 0.5) / (containing + 0.5));
}

function bm25(entry: IndexedArticle, queryTerms: readonly string[], inverseFrequency: ReadonlyMap<string, number>, averageLength: number): number {
  const lengthNorm = 1 - BM25_B + (BM25_B * entry.length) / Math.max(averageLength, 1);
  let score = 0;
  for (const term of queryTerms) {
    const frequency = entry.termWeights.get(term) ?? 0;
    if (frequency > 0) score += ((inverseFrequency.get(term) ?? 0) * frequency * (BM25_K1 + 1)) / (frequency + BM25_K1 * lengthNorm);
  }
  // Rounded so equal relevance compares equal and the id decides, whatever the float noise.
  return Math.round(score * SCORE_DECIMALS) / SCORE_DECIMALS;
}
