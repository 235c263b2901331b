// Database URLs in messages: the password never appears, in any form okpay prints.

const USERINFO_PASSWORD = /^([a-z][a-z0-9+.-]*:\/\/[^:/?#@]*):[^@/?#]*@/i;
const QUERY_PASSWORD = /([?&]password=)[^&#]*/gi;

export function maskDatabaseUrl(url: string): string {
  return url.replace(USERINFO_PASSWORD, '$1:***@').replace(QUERY_PASSWORD, '$1***');
}

/** Whether a store location names a PostgreSQL database rather than a directory. */
export function isDatabaseUrl(text: string): boolean {
  return /^postgres(ql)?:\/\//i.test(text);
}
