// The shipped country list (data/countries.json): ISO code, name and calling code of each country,
// read through a schema. Its own module so that phone numbers (phone.ts) and the other validators
// (validate.ts) can both use it.

import * as v from 'valibot';
import { AppError } from './errors.js';
import { noDuplicates, object, onFirstUse, parseShippedData } from './schema.js';

const countrySchema = onFirstUse(() =>
  object({
    code: v.pipe(v.string(), v.regex(/^[A-Z]{2}$/, 'must be an upper-case ISO 3166 alpha-2 code')),
    name: v.pipe(
      v.string(),
      v.check((name) => name.trim() !== '', 'must be a non-empty text'),
    ),
    /** ITU-T E.164 country calling code without the plus: "1", "44", "86". */
    callingCode: v.pipe(v.string(), v.regex(/^[1-9][0-9]{0,3}$/, 'must be 1 to 4 digits without the +')),
  }),
);

const countryFileSchema = onFirstUse(() =>
  object({
    countries: v.pipe(
      v.array(countrySchema()),
      v.minLength(1),
      noDuplicates(
        (country: Country) => country.code,
        (code) => `names ${code} twice`,
      ),
    ),
  }),
);

export type Country = v.InferOutput<ReturnType<typeof countrySchema>>;

/** Reads the parsed contents of data/countries.json, refusing a malformed list. */
export function parseCountries(json: unknown): Country[] {
  return parseShippedData(countryFileSchema(), json, 'the country list', (message) => {
    throw new AppError('INVALID_FILE', message);
  }).countries;
}
