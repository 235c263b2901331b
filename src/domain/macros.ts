// Saved replies (macros): data/macros/<language>.json, one file per language, each with the same
// macros by name. A macro is a reply text with placeholders ({{customer.name}}, …) and the status
// the ticket takes when it is sent. Placeholders are a fixed set, checked when the file is read,
// so a typo in a saved reply is found before any customer could receive "{{custmer.name}}".

import * as v from 'valibot';
import { AppError } from './errors.js';
import { LANGUAGES, type Language } from './language.js';
import { noDuplicates, parseShippedData, strictObject } from './schema.js';
import type { Ticket } from './ticket-record.js';
import type { User } from './user.js';

/** What a placeholder stands for: the customer, the ticket and the agent replying. */
const PLACEHOLDERS = {
  'customer.name': (c: MacroContext) => c.customer.name ?? c.customer.email,
  'customer.email': (c: MacroContext) => c.customer.email,
  'ticket.number': (c: MacroContext) => String(c.ticket.number),
  'ticket.subject': (c: MacroContext) => c.ticket.subject,
  'agent.name': (c: MacroContext) => c.agent.name ?? c.agent.email,
} as const;

export interface MacroContext {
  readonly customer: Pick<User, 'name' | 'email'>;
  readonly agent: Pick<User, 'name' | 'email'>;
  readonly ticket: Pick<Ticket, 'number' | 'subject'>;
}

export const MACRO_PLACEHOLDERS: readonly string[] = Object.keys(PLACEHOLDERS).map((name) => `{{${name}}}`);

const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;
const NAME = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const MACRO_STATUSES = ['open', 'pending', 'on-hold', 'solved'] as const;
const MAX_BODY_CHARS = 5000;
const MAX_MACROS = 200;

const isPlaceholder = (name: string): name is keyof typeof PLACEHOLDERS => Object.hasOwn(PLACEHOLDERS, name);

function unknownPlaceholders(body: string): string[] {
  return [...body.matchAll(PLACEHOLDER)].map((match) => match[1] ?? '').filter((name) => !isPlaceholder(name));
}

const text = (max: number) =>
  v.pipe(
    v.string(),
    v.check((value) => value.trim() !== '' && value.length <= max, `must be a text of 1 to ${max} characters`),
  );

const macroSchema = strictObject({
  name: v.pipe(v.string(), v.regex(NAME, 'must be lower-case letters, digits and single hyphens, e.g. ask-for-details'), v.maxLength(40)),
  title: text(80),
  body: v.pipe(
    text(MAX_BODY_CHARS),
    v.check(
      (body) => unknownPlaceholders(body).length === 0,
      (issue) =>
        `uses unknown placeholders ${unknownPlaceholders(String(issue.input))
          .map((name) => `{{${name}}}`)
          .join(', ')}; known: ${MACRO_PLACEHOLDERS.join(', ')}`,
    ),
  ),
  status: v.picklist(MACRO_STATUSES, `must be one of ${MACRO_STATUSES.join(', ')}`),
});

const macroFileSchema = strictObject({
  language: v.picklist(LANGUAGES, `must be one of ${LANGUAGES.join(', ')}`),
  macros: v.pipe(
    v.array(macroSchema),
    v.maxLength(MAX_MACROS),
    noDuplicates(
      (macro: Macro) => macro.name,
      (name) => `"${name}" is defined twice`,
    ),
  ),
});

export type Macro = v.InferOutput<typeof macroSchema>;
export type MacroFile = v.InferOutput<typeof macroFileSchema>;

/** The macros of every language, by language and name. */
export type MacroBook = Readonly<Record<Language, ReadonlyMap<string, Macro>>>;

export const macroFileName = (language: Language): string => `macros/${language}.json`;

const badFile = (message: string): never => {
  throw new AppError('INVALID_FILE', message, { hint: 'fix the saved replies in data/macros/ (see docs/DESK.md)' });
};

/** One language's file, checked; `label` names it in messages (data/macros/de.json). */
export function parseMacroFile(json: unknown, language: Language, label: string): MacroFile {
  const file = parseShippedData(macroFileSchema, json, label, badFile);
  if (file.language !== language) badFile(`${label}: language is "${file.language}", but the file is for ${language}`);
  return file;
}

/** The files of all languages: each must define the same macros, with the same status. */
export function macroBook(files: Readonly<Record<Language, MacroFile>>): MacroBook {
  const reference = files.en.macros;
  for (const language of LANGUAGES) {
    const names = new Set(files[language].macros.map((macro) => macro.name));
    const missing = reference.filter((macro) => !names.has(macro.name)).map((macro) => macro.name);
    const extra = [...names].filter((name) => !reference.some((macro) => macro.name === name));
    if (missing.length > 0 || extra.length > 0)
      badFile(
        `data/macros/${language}.json: ${missing.length > 0 ? `lacks ${missing.join(', ')}` : `has ${extra.join(', ')}, which en.json lacks`}; every language has the same macros`,
      );
    for (const macro of files[language].macros) {
      const status = reference.find((other) => other.name === macro.name)?.status;
      if (status !== macro.status) badFile(`data/macros/${language}.json: "${macro.name}" sets status ${macro.status}, but en.json sets ${String(status)}`);
    }
  }
  return Object.fromEntries(LANGUAGES.map((language) => [language, new Map(files[language].macros.map((macro) => [macro.name, macro]))])) as Record<
    Language,
    Map<string, Macro>
  >;
}

export function findMacro(book: MacroBook, name: string, language: Language): Macro {
  const macro = book[language].get(name.trim().toLowerCase());
  if (!macro) throw new AppError('MACRO_NOT_FOUND', `there is no saved reply "${name.slice(0, 40)}"`, { hint: 'list them with `okpay agent macros`' });
  return macro;
}

/** The macro's text with its placeholders filled in. */
export function renderMacro(macro: Macro, context: MacroContext): string {
  return macro.body.replace(PLACEHOLDER, (_whole, name: string) => (isPlaceholder(name) ? PLACEHOLDERS[name](context) : _whole));
}
