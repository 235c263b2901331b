// What `okpay fixtures generate` draws from (data/generator.json): names by the language people
// speak, the mix of countries (currency, mobile numbers, who lives there and which support language
// serves them), ticket texts per category and language, and agents' first replies.

import * as v from 'valibot';
import { isLanguage, LANGUAGES, type Language } from './language.js';
import { int, number, object, parseShippedData, record, recordOf, type Schema } from './schema.js';
import { TICKET_CATEGORIES } from './ticket-kinds.js';

const text = () => v.pipe(v.string(), v.minLength(1));
/** A name, with its Latin spelling (for e-mail addresses) when it is written in another script. */
/** Two texts: a list of exactly two (typed as the pair it is). */
const pair = () => v.pipe(v.array(text()), v.minLength(2), v.maxLength(2)) as unknown as Schema<[string, string]>;
const nameSchema = v.union([text(), pair()]);

const nameSetSchema = object({
  /** How a full name is written: "Ada Lovelace" (given-family) or "王伟" (family-given). */
  order: v.picklist(['given-family', 'family-given']),
  given: v.pipe(v.array(nameSchema), v.minLength(1)),
  family: v.pipe(v.array(nameSchema), v.minLength(1)),
});

/**
 * People of a country who speak one language: it picks their names; `language` is the support
 * language they are served in — the same when okpay supports it, else an explicit fallback.
 */
const speakersSchema = v.pipe(
  object({
    speaks: v.pipe(v.string(), v.regex(/^[a-z]{2}$/, 'must be a two-letter language code')),
    language: v.picklist(LANGUAGES),
    weight: v.pipe(number(), v.gtValue(0)),
  }),
  v.check((p) => !isLanguage(p.speaks) || p.language === p.speaks, 'people who speak a supported language are served in it'),
);

const countryMixSchema = object({
  code: v.pipe(v.string(), v.regex(/^[A-Z]{2}$/, 'must be an upper-case ISO 3166 alpha-2 code')),
  weight: v.pipe(number(), v.gtValue(0)),
  currency: v.pipe(v.string(), v.regex(/^[A-Z]{3}$/, 'must be a currency code such as USD')),
  /** Generated numbers are the prefix and then `digits` digits: a mobile range of the country. */
  mobile: object({
    prefix: v.pipe(v.string(), v.regex(/^\+\d{2,7}$/, 'must be + and digits')),
    digits: v.pipe(int(), v.minValue(4), v.maxValue(10)),
  }),
  people: v.pipe(v.array(speakersSchema), v.minLength(1)),
});

const generatorDataSchema = v.pipe(
  object({
    names: record(v.string(), nameSetSchema),
    countries: v.pipe(v.array(countryMixSchema), v.minLength(1)),
    /** Per category and language: a subject and a body. Typed by plain names, as the generator looks them up. */
    tickets: recordOf(TICKET_CATEGORIES, recordOf(LANGUAGES, pair())) as Schema<Record<string, Record<Language, [string, string]>>>,
    agentReplies: recordOf(LANGUAGES, text()),
  }),
  v.check((data) => data.countries.every((c) => c.people.every((p) => p.speaks in data.names)), 'every language people speak needs its names'),
  v.check((data) => LANGUAGES.every((language) => language in data.names), 'every support language needs names (agents are named by theirs)'),
);

export type GeneratorData = v.InferOutput<typeof generatorDataSchema>;

/** Reads data/generator.json. A mistake there is a bug in what we ship: a plain Error naming every bad field. */
export function parseGeneratorData(json: unknown): GeneratorData {
  return parseShippedData(generatorDataSchema, json, 'generator data');
}
