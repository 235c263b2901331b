// Database URLs in messages: the password never appears, in any form okpay prints.

/**
 * The password of the user part: from the first colon after the user name up to the LAST "@" (a
 * URL parser, pg's included, takes an "@" left unencoded in a password as part of it:
 * postgres://okpay:pa@ss@host/db signs in with "pa@ss"). Masking up to the first "@" showed the
 * rest of such a password. A URL with an "@" further on (in its query) is masked further than
 * needed, never less.
 */
const USERINFO_PASSWORD = /^([a-z][a-z0-9+.-]*:\/\/[^:/]*):(.*)@/is;
const QUERY_PASSWORD = /([?&]password=)[^&#]*/gi;

export function maskDatabaseUrl(url: string): string {
  return url.replace(USERINFO_PASSWORD, '$1:***@').replace(QUERY_PASSWORD, '$1***');
}

/**
 * A message about the database at `url` (a driver's or the server's) with that URL's password
 * masked where it stands as a password: between "user:" and "@", and after "password=". The same
 * characters anywhere else, such as a user, host or database name equal to the password, stay as
 * they are ("password authentication failed for user "okpay"" for postgres://okpay:okpay@…).
 */
export function maskPasswordIn(message: string, url: string): string {
  let masked = message;
  for (const password of passwordForms(url)) {
    masked = masked.split(`:${password}@`).join(':***@').split(`password=${password}`).join('password=***');
  }
  return masked;
}

/** The password as written in the URL, as the URL parser reads it, and decoded: the forms a message may quote. */
function passwordForms(url: string): string[] {
  const forms = new Set<string>();
  const written = USERINFO_PASSWORD.exec(url)?.[2];
  if (written) forms.add(written);
  try {
    // A URL with no host (a socket directory in its query) parses with a stand-in host.
    const parsed = new URL(url.replace(/^postgres(ql)?:\/\/([^@/]*@)?\//i, 'postgres://$2localhost/'));
    for (const encoded of [parsed.password, parsed.searchParams.get('password') ?? '']) {
      if (encoded === '') continue;
      forms.add(encoded);
      forms.add(decodeOrSame(encoded));
    }
  } catch {
    // Not a URL pg could use either: the form as written is all there is.
  }
  // Longest first, so that a form that is part of another never leaves the rest of it showing.
  return [...forms].sort((a, b) => b.length - a.length);
}

function decodeOrSame(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** Whether a store location names a PostgreSQL database rather than a directory. */
export function isDatabaseUrl(text: string): boolean {
  return /^postgres(ql)?:\/\//i.test(text);
}
