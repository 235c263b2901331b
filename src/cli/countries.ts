// The shipped list of countries (codes, names, calling codes), parsed once per process.

import { parseCountries } from '../domain/validate.js';
import type { Context } from './context.js';

export function countries(ctx: Pick<Context, 'ref'>) {
  return ctx.ref.load('countries.json', parseCountries);
}
