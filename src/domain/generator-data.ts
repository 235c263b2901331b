// What `okpay fixtures generate` draws from (data/generator.json): names by language, the mix of
// countries, ticket texts per category and language, and agents' first replies.

import * as z from 'zod/mini';
import { LANGUAGES, type Language } from './language.js';
import { parseShippedData } from './schema.js';
import { TICKET_CATEGORIES } from './tickets.js';

const text = () => z.string().check(z.minLength(1));
/** A name, with its Latin spelling (for e-mail addresses) when it is written in another script. */
const nameSchema = z.union([text(), z.tuple([text(), text()])]);

const countryMixSchema = z.object({
  code: z.string().check(z.regex(/^[A-Z]{2}$/, { error: 'must be an upper-case ISO 3166 alpha-2 code' })),
  weight: z.number().check(z.positive()),
  language: z.enum(LANGUAGES),
  currency: z.string().check(z.regex(/^[A-Z]{3}$/, { error: 'must be a currency code such as USD' })),
});

const generatorDataSchema = z.object({
  names: z.record(z.enum(LANGUAGES), z.object({ given: z.array(nameSchema).check(z.minLength(1)), family: z.array(nameSchema).check(z.minLength(1)) })),
  countries: z.array(countryMixSchema).check(z.minLength(1)),
  /** Per category and language: a subject and a body. Typed by plain names, as the generator looks them up. */
  tickets: z.record(z.enum(TICKET_CATEGORIES), z.record(z.enum(LANGUAGES), z.tuple([text(), text()]))) as z.ZodMiniType<Record<string, Record<Language, [string, string]>>>,
  agentReplies: z.record(z.enum(LANGUAGES), text()),
});

export type GeneratorData = z.infer<typeof generatorDataSchema>;

/** Reads data/generator.json. A mistake there is a bug in what we ship: a plain Error naming every bad field. */
export function parseGeneratorData(json: unknown): GeneratorData {
  return parseShippedData(generatorDataSchema, json, 'generator data');
}
