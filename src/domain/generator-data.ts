// What `okpay fixtures generate` draws from (data/generator.json): names by the language people
// speak, the mix of countries (currency, mobile numbers, who lives there and which support language
// serves them), ticket texts per category and language, and agents' first replies.

import * as z from 'zod/mini';
import { isLanguage, LANGUAGES, type Language } from './language.js';
import { parseShippedData } from './schema.js';
import { TICKET_CATEGORIES } from './ticket-kinds.js';

const text = () => z.string().check(z.minLength(1));
/** A name, with its Latin spelling (for e-mail addresses) when it is written in another script. */
const nameSchema = z.union([text(), z.tuple([text(), text()])]);

const nameSetSchema = z.object({
  /** How a full name is written: "Ada Lovelace" (given-family) or "王伟" (family-given). */
  order: z.enum(['given-family', 'family-given']),
  given: z.array(nameSchema).check(z.minLength(1)),
  family: z.array(nameSchema).check(z.minLength(1)),
});

/**
 * People of a country who speak one language: it picks their names; `language` is the support
 * language they are served in — the same when okpay supports it, else an explicit fallback.
 */
const speakersSchema = z
  .object({
    speaks: z.string().check(z.regex(/^[a-z]{2}$/, { error: 'must be a two-letter language code' })),
    language: z.enum(LANGUAGES),
    weight: z.number().check(z.positive()),
  })
  .check(z.refine((p) => !isLanguage(p.speaks) || p.language === p.speaks, { error: 'people who speak a supported language are served in it' }));

const countryMixSchema = z.object({
  code: z.string().check(z.regex(/^[A-Z]{2}$/, { error: 'must be an upper-case ISO 3166 alpha-2 code' })),
  weight: z.number().check(z.positive()),
  currency: z.string().check(z.regex(/^[A-Z]{3}$/, { error: 'must be a currency code such as USD' })),
  /** Generated numbers are the prefix and then `digits` digits: a mobile range of the country. */
  mobile: z.object({
    prefix: z.string().check(z.regex(/^\+\d{2,7}$/, { error: 'must be + and digits' })),
    digits: z.number().check(z.int(), z.minimum(4), z.maximum(10)),
  }),
  people: z.array(speakersSchema).check(z.minLength(1)),
});

const generatorDataSchema = z
  .object({
    names: z.record(z.string(), nameSetSchema),
    countries: z.array(countryMixSchema).check(z.minLength(1)),
    /** Per category and language: a subject and a body. Typed by plain names, as the generator looks them up. */
    tickets: z.record(z.enum(TICKET_CATEGORIES), z.record(z.enum(LANGUAGES), z.tuple([text(), text()]))) as z.ZodMiniType<
      Record<string, Record<Language, [string, string]>>
    >,
    agentReplies: z.record(z.enum(LANGUAGES), text()),
  })
  .check(
    z.refine((data) => data.countries.every((c) => c.people.every((p) => p.speaks in data.names)), { error: 'every language people speak needs its names' }),
    z.refine((data) => LANGUAGES.every((language) => language in data.names), { error: 'every support language needs names (agents are named by theirs)' }),
  );

export type GeneratorData = z.infer<typeof generatorDataSchema>;

/** Reads data/generator.json. A mistake there is a bug in what we ship: a plain Error naming every bad field. */
export function parseGeneratorData(json: unknown): GeneratorData {
  return parseShippedData(generatorDataSchema, json, 'generator data');
}
