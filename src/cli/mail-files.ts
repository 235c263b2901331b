// Reading customer mail for `ticket import`: .eml files named on the command line or every message
// of a Maildir (new/ and cur/; tmp/ holds mail still being written). A file is checked to be a
// regular file under the size cap before it is read, then parsed by mailparser, whose result is
// handed on as plain data; attachments are measured, never opened or kept.

import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { AddressObject, ParsedMail } from 'mailparser';
import { AppError } from '../domain/errors.js';
import { MAIL_MAX_BYTES, type ParsedInboundMail } from '../domain/inbound-mail.js';
import { printable } from '../domain/money.js';
import { errnoOf } from '../store/durable-file.js';
import { importMailparser } from './libraries.js';

/** A bound on one run: a maildir holding more is imported in parts. */
export const MAILS_PER_RUN_MAX = 5000;

export type MailFile = { readonly file: string; readonly mail: ParsedInboundMail } | { readonly file: string; readonly problem: string };

/** The message files of a Maildir in name order (a Maildir name starts with its delivery time). */
export async function maildirFiles(directory: string): Promise<string[]> {
  const files: string[] = [];
  for (const sub of ['new', 'cur']) {
    const names = await fs.readdir(path.join(directory, sub)).catch((error: unknown) => {
      throw new AppError('INVALID_FILE', `${printable(directory, 200)} is not a Maildir: ${sub}/ cannot be read (${errnoOf(error) ?? 'error'})`, {
        hint: 'name the folder that holds new/, cur/ and tmp/',
      });
    });
    files.push(...names.filter((name) => !name.startsWith('.')).map((name) => path.join(directory, sub, name)));
  }
  return files.sort((a, b) => path.basename(a).localeCompare(path.basename(b)) || a.localeCompare(b));
}

export async function readMailFile(file: string): Promise<MailFile> {
  const stat = await fs.stat(file).catch((error: unknown) => errnoOf(error) ?? 'error');
  if (typeof stat === 'string') return { file, problem: `it cannot be read (${stat})` };
  if (!stat.isFile()) return { file, problem: 'it is not a regular file' };
  if (stat.size > MAIL_MAX_BYTES) return { file, problem: `it is larger than ${MAIL_MAX_BYTES / (1024 * 1024)} MiB (${stat.size} bytes); it was not read` };
  const raw = await fs.readFile(file).catch(() => null);
  if (raw === null) return { file, problem: 'it cannot be read' };
  try {
    return { file, mail: inboundOf(await parse(raw)) };
  } catch (error) {
    return { file, problem: `it is not a mail message okpay can read (${error instanceof Error ? error.message.slice(0, 80) : 'parse error'})` };
  }
}

async function parse(raw: Buffer): Promise<ParsedMail> {
  const { simpleParser } = await importMailparser();
  // Images are not fetched or inlined: nothing in a mail is followed or opened.
  return simpleParser(raw, { skipImageLinks: true, skipHtmlToText: false, skipTextToHtml: true, skipTextLinks: true });
}

function addressesOf(field: AddressObject | AddressObject[] | undefined): string[] {
  const objects = field === undefined ? [] : Array.isArray(field) ? field : [field];
  return objects.flatMap((object) =>
    object.value.flatMap((entry) => (entry.group ? entry.group.map((member) => member.address ?? '') : [entry.address ?? ''])),
  );
}

function inboundOf(parsed: ParsedMail): ParsedInboundMail {
  const references = parsed.references === undefined ? [] : Array.isArray(parsed.references) ? parsed.references : parsed.references.split(/\s+/);
  const contentType = parsed.headerLines.find((h) => h.key === 'content-type')?.line.replace(/^content-type:\s*/i, '') ?? 'text/plain';
  return {
    headerLines: parsed.headerLines.map(({ key, line }) => ({ key, line })),
    messageId: parsed.messageId ?? null,
    inReplyTo: parsed.inReplyTo ?? null,
    references,
    from: addressesOf(parsed.from),
    subject: parsed.subject ?? '',
    contentType,
    text: parsed.text ?? '',
    attachments: parsed.attachments.map((a) => ({ filename: a.filename ?? null, contentType: a.contentType, sizeBytes: a.size })),
  };
}
