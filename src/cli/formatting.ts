// --jq and --template: a command's JSON document filtered by jq (the real jq, compiled to
// WebAssembly: the jq-wasm package, no binary downloaded at install) or formatted by a Handlebars
// template. Both libraries are loaded from node_modules only when asked for.
// `okpay help formatting` documents both.

import { createRequire } from 'node:module';
import { AppError } from '../domain/errors.js';
import { humanTime } from './time.js';

interface JqModule {
  raw(input: string, filter: string, flags: string[]): Promise<string>;
}

type HandlebarsModule = typeof import('handlebars');

const load = (name: string): unknown => createRequire(import.meta.url)(name);

const firstLine = (text: string) => text.split('\n').find((line) => line.trim() !== '') ?? text;

/** jq's output for the document, strings printed raw (as `gh --jq` and `jq -r` do). */
export async function applyJq(document: unknown, expression: string): Promise<string> {
  const jq = load('jq-wasm') as JqModule;
  try {
    const output = await jq.raw(JSON.stringify(document), expression, ['-r']);
    return output === '' || output.endsWith('\n') ? output : `${output}\n`;
  } catch (error) {
    const message = firstLine(error instanceof Error ? error.message : String(error)).replace(/^Failed to execute raw query: /, '');
    throw new AppError('USAGE', `--jq: ${message}`, { hint: 'see `okpay help formatting`' });
  }
}

/** Template text as typed on a command line: \n and \t stand for a newline and a tab. */
function unescape(template: string): string {
  return template.replace(/\\([nt\\])/g, (_, c: string) => (c === 'n' ? '\n' : c === 't' ? '\t' : '\\'));
}

function registerHelpers(handlebars: HandlebarsModule): void {
  handlebars.registerHelper('json', (value: unknown) => JSON.stringify(value));
  handlebars.registerHelper('join', (list: unknown, separator: unknown) =>
    Array.isArray(list) ? list.map(String).join(typeof separator === 'string' ? separator : ', ') : '',
  );
  handlebars.registerHelper('time', (value: unknown) => (typeof value === 'string' || typeof value === 'number' ? humanTime(value) : ''));
  handlebars.registerHelper('pad', (value: unknown, width: unknown) => String(value ?? '').padEnd(typeof width === 'number' ? width : 0));
  handlebars.registerHelper('upper', (value: unknown) => String(value ?? '').toUpperCase());
}

/** The document through a Handlebars template (no HTML escaping: this is a terminal). */
export function applyTemplate(document: unknown, template: string): string {
  const handlebars = (load('handlebars') as HandlebarsModule).create();
  registerHelpers(handlebars);
  try {
    return handlebars.compile(unescape(template), { noEscape: true, strict: false })(document);
  } catch (error) {
    throw new AppError('USAGE', `--template: ${firstLine(error instanceof Error ? error.message : String(error))}`, { hint: 'see `okpay help formatting`' });
  }
}
