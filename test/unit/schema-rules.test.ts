// okpay's reading of objects, records and numbers on top of valibot (src/domain/schema.ts,
// docs/SCHEMAS.md): the rules that keep its messages as precise as they were with zod.

import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { checkWithSchema, int, number, object, problemsText, record, recordOf, strictObject, variant } from '../../src/domain/schema.js';

function problems(schema: Parameters<typeof checkWithSchema>[0], data: unknown): string {
  const result = checkWithSchema(schema, data);
  if (result.ok) throw new Error(`expected problems, read ${JSON.stringify(result.value)}`);
  return problemsText(result.problems);
}

describe('okpay schemas on valibot', () => {
  it('check a missing field with its own schema, so its own message says what is missing', () => {
    const schema = object({ tier: v.string('is required for an agent (1, 2 or 3)'), name: v.string() });
    expect(problems(schema, {})).toBe('tier is required for an agent (1, 2 or 3); name is required');
  });

  it('name every unknown field of a strict object, after the problems of its fields', () => {
    const schema = strictObject({ name: v.string() });
    expect(problems(schema, { name: 1, colour: 'red', size: 2 })).toBe('name must be text; colour is not a known field; size is not a known field');
  });

  it('drop the unknown fields of a plain object, and keep what is there', () => {
    expect(checkWithSchema(object({ name: v.string(), note: v.optional(v.string()) }), { name: 'Ada', extra: 1 })).toEqual({
      ok: true,
      value: { name: 'Ada' },
    });
  });

  it('take no list for an object, a record or a variant', () => {
    expect(problems(object({ name: v.string() }), ['Ada'])).toBe('must be an object');
    expect(problems(record(v.string(), v.string()), ['x'])).toBe('must be an object');
    expect(problems(variant('type', [object({ type: v.literal('a') })]), [])).toBe('must be an object');
  });

  it("name a record's bad key once, leave its value unchecked, and check every other entry", () => {
    const schema = record(v.pipe(v.string(), v.regex(/^[A-Z]{3}$/, 'must be a currency code')), int());
    expect(problems(schema, { usd: 'x', EUR: 1.5, constructor: 1 })).toBe(
      'usd must be a currency code; EUR must be a whole number; constructor must be a currency code',
    );
  });

  it('require every key of a record over a fixed set, and no other', () => {
    expect(problems(recordOf(['low', 'high'], int()), { low: 1, urgent: 2 })).toBe('high is required; urgent is not a known field');
  });

  it('read a number that is not whole, or not finite, as the wrong type, and an unsafe whole number as out of bounds', () => {
    const atLeastOne = v.pipe(int(), v.minValue(1));
    expect(problems(atLeastOne, 0.5)).toBe('must be a whole number');
    expect(problems(atLeastOne, 'one')).toBe('must be a number');
    expect(problems(atLeastOne, 2 ** 60)).toBe('must be at most 9007199254740991');
    expect(problems(object({ count: atLeastOne }), {})).toBe('count is required');
    expect(problems(v.pipe(number(), v.minValue(1)), Infinity)).toBe('must be a number');
  });
});
