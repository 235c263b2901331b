// The shipped country list (data/countries.json): ISO code, name and calling code of each country,
// read through a schema. Its own module so that phone numbers (phone.ts) and the other validators
// (validate.ts) can both use it.

import * as z from 'zod/mini';
import { AppError } from './errors.js';
import { noDuplicates, onFirstUse, parseShippedData } from './schema.js';

const countrySchema = onFirstUse(() =>
  z.object({
    code: z.string().check(z.regex(/^[A-Z]{2}$/, { error: 'must be an upper-case ISO 3166 alpha-2 code' })),
    name: z.string().check(z.refine((name) => name.trim() !== '', { error: 'must be a non-empty text' })),
    /** ITU-T E.164 country calling code without the plus: "1", "44", "86". */
    callingCode: z.string().check(z.regex(/^[1-9][0-9]{0,3}$/, { error: 'must be 1 to 4 digits without the +' })),
  }),
);

const countryFileSchema = onFirstUse(() =>
  z.object({
    countries: z.array(countrySchema()).check(
      z.minLength(1),
      noDuplicates(
        (country: Country) => country.code,
        (code) => `names ${code} twice`,
      ),
    ),
  }),
);

export type Country = z.infer<ReturnType<typeof countrySchema>>;

/** Reads the parsed contents of data/countries.json, refusing a malformed list. */
export function parseCountries(json: unknown): Country[] {
  return parseShippedData(countryFileSchema(), json, 'the country list', (message) => {
    throw new AppError('INVALID_FILE', message);
  }).countries;
}
