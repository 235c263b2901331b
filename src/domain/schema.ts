// Reading data through valibot schemas (docs/SCHEMAS.md): the shipped data files, fixture files and
// records read back. A schema states each rule once; the types come from it. This module turns
// valibot's issues into okpay's messages: where (a path such as regions[0].holidays[2].date) and
// what was expected. Its object and record schemas are valibot's with three rules of okpay's: a
// missing field is checked by its own schema (so the field's own message says what is missing),
// every unknown field of a strict object is named, and a list is not an object.

import * as v from 'valibot';

/** One thing wrong with the data: where, as a path, and what was expected there. */
export interface Problem {
  /** Property names and list indexes from the root, e.g. ['regions', 0, 'open']. */
  readonly path: readonly PropertyKey[];
  readonly message: string;
}

export type SchemaResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly problems: readonly Problem[] };

/** Any schema okpay checks data with. */
export type Schema<T = unknown> = v.GenericSchema<unknown, T>;
/** What a schema's issue-message functions are handed. */
export type Issue = v.BaseIssue<unknown>;
type Message = string | ((issue: Issue) => string);
type Dataset = v.OutputDataset<unknown, Issue> | v.UnknownDataset;
type PathItem = v.IssuePathItem;

/**
 * A schema built the first time it is asked for (`schema()`), then kept. Schemas that not every
 * command uses are made this way: every schema built when its module loads is paid by every
 * command's start (docs/BENCHMARKS.md).
 */
export function onFirstUse<T>(build: () => T): () => T {
  let built: T | undefined;
  return () => (built ??= build());
}

const CONFIG: v.Config<Issue> = { message: describeIssue };

/** Checks `data` against `schema` and returns the value it describes, or every problem found. */
export function checkWithSchema<T>(schema: Schema<T>, data: unknown): SchemaResult<T> {
  const result = v.safeParse(schema, data, CONFIG);
  if (result.success) return { ok: true, value: result.output };
  return { ok: false, problems: result.issues.map(problemOfIssue) };
}

/**
 * Reads a shipped data file. A mistake there is a bug in what we ship, not a user error: by
 * default a plain Error that starts with the file's label and names every bad field.
 */
export function parseShippedData<T>(schema: Schema<T>, data: unknown, label: string, refuse: (message: string) => never = plainError): T {
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
  return v.rawCheck<T[]>(({ dataset, addIssue }) => {
    if (!hasItsShape(dataset)) return;
    const items = dataset.value as T[];
    const seen = new Set<string>();
    items.forEach((item, index) => {
      const key = keyOf(item);
      if (seen.has(key)) addIssue({ message: message(key), path: [{ type: 'array', origin: 'value', input: items, key: index, value: item }] });
      seen.add(key);
    });
  });
}

/**
 * Whether a value has the shape its schema describes, though some of its values may break a rule
 * (too long, out of range): then a check of the whole still runs, as zod's did, so a file with
 * such problems is told of the whole's problems too.
 */
export function hasItsShape(dataset: { readonly typed: boolean; readonly issues?: readonly Issue[] }): boolean {
  return dataset.typed || (dataset.issues ?? []).every((issue) => issue.kind === 'validation');
}

/** A path as it reads in the file: users[1].balances.USD. */
export function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((text, key) => (typeof key === 'number' ? `${text}[${key}]` : text === '' ? String(key) : `${text}.${String(key)}`), '');
}

function problemOfIssue(issue: Issue): Problem {
  return { path: (issue.path ?? []).map((item) => item.key as PropertyKey), message: issue.message };
}

// ---- okpay's object, record and whole-number schemas ----------------------------------------------

function isPlainObject(input: unknown): input is Record<string, unknown> {
  return typeof input === 'object' && input !== null && !Array.isArray(input);
}

function keyItem(input: Record<string, unknown>, key: string, origin: 'key' | 'value'): PathItem {
  return { type: 'object', origin, input, key, value: input[key] };
}

function prefixed(issues: readonly Issue[], item: PathItem): Issue[] {
  return issues.map((issue) => ({ ...issue, path: issue.path ? [item, ...issue.path] : [item] }));
}

type ObjectLike =
  | v.ObjectSchema<v.ObjectEntries, Message | undefined>
  | v.StrictObjectSchema<v.ObjectEntries, Message | undefined>
  | v.LooseObjectSchema<v.ObjectEntries, Message | undefined>;

/**
 * valibot's object schema `schema`, run okpay's way: every field is checked by its own schema, a
 * missing one as undefined (so the field's own message says what is missing), every unknown field
 * of a strict object is named, and a list is not an object.
 */
function withOkpayFields<S extends ObjectLike>(schema: S): S {
  return v._standardSchema({
    ...schema,
    '~run'(this: S, dataset: v.UnknownDataset, config: v.Config<Issue>) {
      return readPlainObject(this, dataset, config, (input, output, issues) => readFields(this, input, output, issues, config));
    },
  } as S);
}

/** Reads the fields of `schema` from `input` into `output` and `issues`; whether the output is typed. */
function readFields(schema: ObjectLike, input: Record<string, unknown>, output: Record<string, unknown>, issues: Issue[], config: v.Config<Issue>): boolean {
  let typed = true;
  for (const key of Object.keys(schema.entries)) {
    const field = (schema.entries[key] as Schema)['~run']({ value: input[key] }, config) as Dataset;
    if (field.issues) issues.push(...prefixed(field.issues, keyItem(input, key, 'value')));
    if (!field.typed) typed = false;
    if (field.value !== undefined || key in input) output[key] = field.value;
  }
  for (const key of Object.keys(input)) {
    if (Object.hasOwn(schema.entries, key)) continue;
    if (schema.type === 'loose_object') output[key] = input[key];
    else if (schema.type === 'strict_object') {
      const into = { value: input, typed: false, issues } as unknown as v.UnknownDataset;
      v._addIssue(schema, 'key', into, config, { input: key, expected: 'never', path: [keyItem(input, key, 'key')] });
      typed = false;
    }
  }
  return typed;
}

/**
 * What `read` makes of a plain object (its output, its issues, and whether the output is typed), or
 * the type issue of `schema` for anything else.
 */
function readPlainObject(
  schema: v.GenericSchema,
  dataset: v.UnknownDataset,
  config: v.Config<Issue>,
  read: (input: Record<string, unknown>, output: Record<string, unknown>, issues: Issue[]) => boolean,
): Dataset {
  const input = dataset.value;
  if (!isPlainObject(input)) {
    v._addIssue(schema, 'type', dataset, config);
    return dataset;
  }
  const output: Record<string, unknown> = {};
  const issues: Issue[] = [];
  const typed = read(input, output, issues);
  return (issues.length > 0 ? { typed, value: output, issues } : { typed: true, value: output }) as unknown as Dataset;
}

/** An object; fields it does not name are dropped from what it reads. */
export function object<const E extends v.ObjectEntries, const M extends Message | undefined = undefined>(entries: E, message?: M): v.ObjectSchema<E, M> {
  return withOkpayFields(v.object(entries, message as M));
}

/** An object whose fields it does not name are refused, each by name. */
export function strictObject<const E extends v.ObjectEntries, const M extends Message | undefined = undefined>(
  entries: E,
  message?: M,
): v.StrictObjectSchema<E, M> {
  return withOkpayFields(v.strictObject(entries, message as M));
}

/** An object whose fields it does not name are kept as they are. */
export function looseObject<const E extends v.ObjectEntries, const M extends Message | undefined = undefined>(
  entries: E,
  message?: M,
): v.LooseObjectSchema<E, M> {
  return withOkpayFields(v.looseObject(entries, message as M));
}

type KeySchema = v.BaseSchema<string, string, Issue>;

/**
 * An object of any keys: each key checked by `key` (a bad key is named with its key schema's first
 * message, and its value is not checked), each value by `value`. Every own key is checked.
 */
export function record<const K extends KeySchema, const V extends Schema<unknown>, const M extends Message | undefined = undefined>(
  key: K,
  value: V,
  message?: M,
): v.RecordSchema<K, V, M> {
  const schema = v.record(key, value, message as M);
  return v._standardSchema({
    ...schema,
    '~run'(this: typeof schema, dataset: v.UnknownDataset, config: v.Config<Issue>) {
      return readPlainObject(this, dataset, config, (input, output, issues) => {
        let typed = true;
        for (const entryKey of Object.keys(input)) {
          const keyResult = this.key['~run']({ value: entryKey }, config) as Dataset;
          if (keyResult.issues) {
            issues.push(...prefixed(keyResult.issues.slice(0, 1), keyItem(input, entryKey, 'key')));
            typed = false;
            continue;
          }
          const valueResult = this.value['~run']({ value: input[entryKey] }, config) as Dataset;
          if (valueResult.issues) issues.push(...prefixed(valueResult.issues, keyItem(input, entryKey, 'value')));
          if (!valueResult.typed) typed = false;
          Object.defineProperty(output, keyResult.value as string, { value: valueResult.value, enumerable: true, writable: true, configurable: true });
        }
        return typed;
      });
    },
  } as typeof schema);
}

/** An object with exactly the keys `keys`, each value checked by `value` (a key missing is required, another key is not a known field). */
export function recordOf<const K extends string, const V extends Schema<unknown>>(keys: readonly K[], value: V) {
  return strictObject(Object.fromEntries(keys.map((key) => [key, value])) as { [key in K]: V });
}

/** valibot's variant (objects told apart by the value of `key`), for which a list is not an object. */
export function variant<const K extends string, const O extends v.VariantOptions<K>, const M extends Message | undefined = undefined>(
  key: K,
  options: O,
  message?: M,
): v.VariantSchema<K, O, M> {
  const schema = v.variant(key, options, message as M);
  const run = schema['~run'];
  return v._standardSchema({
    ...schema,
    '~run'(this: typeof schema, dataset: v.UnknownDataset, config: v.Config<Issue>) {
      if (!Array.isArray(dataset.value)) return run.call(this, dataset, config);
      v._addIssue(this, 'type', dataset, config);
      return dataset;
    },
  } as typeof schema);
}

// Not a number, or not a whole one, is a wrong type (nothing more is checked); a whole number outside
// the safe range is out of bounds.
const notAnInteger = (issue: Issue) => (issue.input === undefined ? 'is required' : describeNotInteger(issue.input));
const notANumber = (issue: Issue) => (issue.input === undefined ? 'is required' : 'must be a number');

/** A safe integer; `message` (if given) for anything else. */
export function int(message?: Message) {
  return v.pipe(
    v.custom<number>((input) => typeof input === 'number' && Number.isInteger(input), message ?? notAnInteger),
    v.safeInteger(message),
  );
}

/** A finite number; `message` (if given) for anything else. */
export function number(message?: Message) {
  return v.custom<number>((input) => typeof input === 'number' && Number.isFinite(input), message ?? notANumber);
}

/** A schema whose output is typed read-only. */
export function readonly<const S extends Schema>(schema: S) {
  return v.pipe(schema, v.readonly<v.InferOutput<S>>());
}

// ---- okpay's English ---------------------------------------------------------------------------------

const NOUNS: Readonly<Record<string, string>> = {
  string: 'text',
  number: 'a number',
  boolean: 'true or false',
  array: 'a list',
  object: 'an object',
  strict_object: 'an object',
  loose_object: 'an object',
  record: 'an object',
  variant: 'an object',
};

/** The message of an issue whose schema gives none of its own. */
function describeIssue(issue: Issue): string {
  if (issue.kind === 'schema') return describeSchemaIssue(issue);
  const requirement = (issue as Issue & { requirement?: unknown }).requirement;
  switch (issue.type) {
    case 'safe_integer':
      return describeNotInteger(issue.input);
    case 'min_length':
      return `must be ${sizeText(issue.input, Number(requirement), 'at least')}`;
    case 'max_length':
      return `must be ${sizeText(issue.input, Number(requirement), 'at most')}`;
    case 'min_value':
      return `must be at least ${String(requirement)}`;
    case 'max_value':
      return `must be at most ${String(requirement)}`;
    case 'gt_value':
      return `must be more than ${String(requirement)}`;
    case 'lt_value':
      return `must be less than ${String(requirement)}`;
    case 'regex':
      return `must match ${String(requirement)}`;
    default:
      return 'is not valid here';
  }
}

function describeSchemaIssue(issue: Issue): string {
  if (issue.expected === 'never' && (issue.type === 'strict_object' || issue.type === 'loose_object' || issue.type === 'object')) return 'is not a known field';
  if (issue.type === 'picklist' || issue.type === 'literal' || issue.type === 'enum') return `must be ${choicesText(issue.expected)}`;
  if (issue.type === 'union' || (issue.type === 'variant' && issue.path !== undefined)) return 'is not valid here';
  const noun = NOUNS[issue.type];
  if (noun === undefined) return 'is not valid here';
  return issue.input === undefined ? 'is required' : `must be ${noun}`;
}

/** valibot's `("a" | "b")` as `"a" or "b"`. */
function choicesText(expected: string | null): string {
  const list = expected ?? '';
  return (list.startsWith('(') && list.endsWith(')') ? list.slice(1, -1) : list).split(' | ').join(' or ');
}

function describeNotInteger(input: unknown): string {
  if (typeof input !== 'number' || !Number.isFinite(input)) return 'must be a number';
  if (!Number.isInteger(input)) return 'must be a whole number';
  return input > 0 ? `must be at most ${Number.MAX_SAFE_INTEGER}` : `must be at least ${Number.MIN_SAFE_INTEGER}`;
}

function sizeText(input: unknown, bound: number, relation: string): string {
  if (typeof input === 'string') return bound === 1 && relation === 'at least' ? 'a non-empty text' : `a text of ${relation} ${bound} characters`;
  if (Array.isArray(input)) return `a list of ${relation} ${bound} items`;
  return `${relation} ${bound}`;
}
