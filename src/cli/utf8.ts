// Text okpay reads from standard input or a file (passwords, message bodies, batch files,
// fixtures, an editor's draft) is UTF-8, and is refused whole when it is not: a lenient decoder
// turns broken bytes into U+FFFD, so a password typed with one broken byte would sign in with any
// other. The decoding is the platform's own (WHATWG TextDecoder, fatal), not a hand-written check.

import { AppError } from '../domain/errors.js';

// ignoreBOM: a leading byte-order mark is kept as text, as Buffer#toString kept it before.
const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

const HINT = 'okpay reads text as UTF-8; convert it first (e.g. iconv -f LATIN1 -t UTF-8)';

/** `bytes` as text; refused with `what.code`, naming `what.name` (e.g. "standard input"), when they are not UTF-8. */
export function utf8Text(bytes: Uint8Array, what: { readonly code: 'INVALID_TEXT' | 'INVALID_FILE'; readonly name: string }): string {
  try {
    return STRICT_UTF8.decode(bytes);
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
    throw new AppError(what.code, `${what.name} is not valid UTF-8 text`, { hint: `${HINT}; nothing was changed` });
  }
}

/** A file named on the command line, as text (INVALID_FILE when it is not UTF-8). */
export function fileText(bytes: Uint8Array, file: string): string {
  return utf8Text(bytes, { code: 'INVALID_FILE', name: file });
}
