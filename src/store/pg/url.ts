// Database URLs in messages: the password never appears, in any form okpay prints.

/**
 * The password of the user part: from the first colon after the user name up to the LAST "@" (a
 * URL parser, pg's included, takes an "@" left unencoded in a password as part of it:
 * postgres://okpay:pa@ss@host/db signs in with "pa@ss"). Masking up to the first "@" showed the
 * rest of such a password. A URL with an "@" further on (in its query) is masked further than
 * needed, never less.
 */
const USERINFO_PASSWORD = /^([a-z][a-z0-9+.-]*:\/\/[^:/]*):.*@/is;
const QUERY_PASSWORD = /([?&]password=)[^&#]*/gi;

export function maskDatabaseUrl(url: string): string {
  return url.replace(USERINFO_PASSWORD, '$1:***@').replace(QUERY_PASSWORD, '$1***');
}

/** Whether a store location names a PostgreSQL database rather than a directory. */
export function isDatabaseUrl(text: string): boolean {
  return /^postgres(ql)?:\/\//i.test(text);
}
