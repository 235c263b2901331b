// Reading data through zod schemas (docs/SCHEMAS.md): the shipped data files and fixture files.
// A schema states each rule once; the types come from it. This module turns zod's issues into
// okpay's messages: where (a path such as regions[0].holidays[2].date) and what was expected.

import * as z from 'zod/mini';
import type { core, ZodMiniType } from 'zod/mini';

/** One thing wrong with the data: where, as a path, and what was expected there. */
export interface Problem {
  /** Property names and list indexes from the root, e.g. ['regions', 0, 'open']. */
  readonly path: readonly PropertyKey[];
  readonly message: string;
}

export type SchemaResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly problems: readonly Problem[] };

/**
 * A schema built the first time it is asked for (`schema()`), then kept. Schemas that not every
 * command uses are made this way: building a zod schema takes time and memory, and every schema
 * built when its module loads is paid by every command's start (docs/BENCHMARKS.md).
 */
export function onFirstUse<T>(build: () => T): () => T {
  let built: T | undefined;
  return () => (built ??= build());
}

/** Checks `data` against `schema` and returns the value it describes, or every problem found. */
export function checkWithSchema<T>(schema: ZodMiniType<T>, data: unknown): SchemaResult<T> {
  const result = schema.safeParse(data, { error: describeIssue });
  if (result.success) return { ok: true, value: result.data };
  return { ok: false, problems: result.error.issues.flatMap(problemsOfIssue) };
}

/**
 * Reads a shipped data file. A mistake there is a bug in what we ship, not a user error: by
 * default a plain Error that starts with the file's label and names every bad field.
 */
export function parseShippedData<T>(schema: ZodMiniType<T>, data: unknown, label: string, refuse: (message: string) => never = plainError): T {
  const result = checkWithSchema(schema, data);
  if (result.ok) return result.value;
  return refuse(`${label}: ${problemsText(result.problems)}`);
}

/** Problems as one line: `users[1].email must be text; users[2].name is required`. */
export function problemsText(problems: readonly Problem[]): string {
  return problems.map((problem) => [formatPath(problem.path), problem.message].filter(Boolean).join(' ')).join('; ');
}

function plainError(message: string): never {
  throw new Error(message);
}

/** A check on a list: no two items share a key. `message` says which key came twice. */
export function noDuplicates<T>(keyOf: (item: T) => string, message: (key: string) => string) {
  return z.superRefine((items: T[], context) => {
    const seen = new Set<string>();
    items.forEach((item, index) => {
      const key = keyOf(item);
      if (seen.has(key)) context.addIssue({ code: 'custom', message: message(key), path: [index], input: item });
      seen.add(key);
    });
  });
}

/** A path as it reads in the file: users[1].balances.USD. */
export function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((text, key) => (typeof key === 'number' ? `${text}[${key}]` : text === '' ? String(key) : `${text}.${String(key)}`), '');
}

// Unknown fields are one issue for several keys; a bad record key carries its own issue inside.
function problemsOfIssue(issue: core.$ZodIssue): Problem[] {
  if (issue.code === 'unrecognized_keys') return issue.keys.map((key) => ({ path: [...issue.path, key], message: issue.message }));
  if (issue.code === 'invalid_key') return [{ path: issue.path, message: issue.issues[0]?.message ?? issue.message }];
  return [{ path: issue.path, message: issue.message }];
}

const NOUNS: Readonly<Record<string, string>> = {
  string: 'text',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  array: 'a list',
  object: 'an object',
  record: 'an object',
};

/** The message of an issue whose schema gives none of its own. */
function describeIssue(issue: core.$ZodRawIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined ? 'is required' : `must be ${NOUNS[issue.expected] ?? issue.expected}`;
    case 'too_small':
      return `must be ${sizeText(issue.origin, issue.minimum, issue.inclusive === false ? 'more than' : 'at least')}`;
    case 'too_big':
      return `must be ${sizeText(issue.origin, issue.maximum, issue.inclusive === false ? 'less than' : 'at most')}`;
    case 'unrecognized_keys':
      return 'is not a known field';
    case 'invalid_value':
      return `must be ${issue.values.map((value) => JSON.stringify(value)).join(' or ')}`;
    case 'invalid_format':
      return issue.pattern === undefined ? `must be a valid ${issue.format}` : `must match ${issue.pattern}`;
    default:
      return 'is not valid here';
  }
}

function sizeText(origin: string, bound: number | bigint, relation: string): string {
  if (origin === 'string') return bound === 1 && relation === 'at least' ? 'a non-empty text' : `a text of ${relation} ${bound} characters`;
  if (origin === 'array') return `a list of ${relation} ${bound} items`;
  return `${relation} ${bound}`;
}
