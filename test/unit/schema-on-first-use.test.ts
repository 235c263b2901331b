// Schemas that not every command uses are built the first time they are asked for, and once
// (onFirstUse): a command's start does not pay for the schemas of records it never reads.

import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { checkWithSchema, object, onFirstUse } from '../../src/domain/schema.js';

describe('a schema built on first use', () => {
  it('is not built until asked for, then built once and the same schema handed back', () => {
    let builds = 0;
    const schema = onFirstUse(() => {
      builds += 1;
      return object({ name: v.string() });
    });
    expect(builds).toBe(0);
    const first = schema();
    expect(schema()).toBe(first);
    expect(builds).toBe(1);
    expect(checkWithSchema(schema(), { name: 'Ada' })).toEqual({ ok: true, value: { name: 'Ada' } });
    expect(checkWithSchema(schema(), { name: 1 }).ok).toBe(false);
  });
});
