// The password of a database URL in the driver's and the server's messages: masked where it stands
// as the password, and only there (found by review: a user, host or database name equal to the
// password was masked too, which made messages about them unreadable).

import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/domain/errors.js';
import { DatabaseErrors } from '../../src/store/pg/pg-errors.js';
import { maskDatabaseUrl, maskPasswordIn } from '../../src/store/pg/url.js';

/** A refused sign-in as the server reports it (SQLSTATE 28P01), explained for `url`. */
function refusedSignIn(url: string, serverMessage: string): AppError {
  const errors = new DatabaseErrors(url, maskDatabaseUrl(url));
  const explained = errors.explain(Object.assign(new Error(serverMessage), { code: '28P01' }));
  if (!(explained instanceof AppError)) throw new Error('expected an AppError');
  return explained;
}

describe('maskPasswordIn', () => {
  it('masks the password component and leaves a user, host or database name equal to it alone', () => {
    const url = 'postgres://okpay:okpay@okpay:5432/okpay';
    expect(maskPasswordIn(`connect to ${url} failed for user "okpay" at host okpay`, url)).toBe(
      'connect to postgres://okpay:***@okpay:5432/okpay failed for user "okpay" at host okpay',
    );
    expect(maskPasswordIn('getaddrinfo ENOTFOUND db', 'postgres://app:db@db/shop')).toBe('getaddrinfo ENOTFOUND db');
  });

  it('masks the password as written in the URL, encoded, decoded and as a password= parameter', () => {
    const url = 'postgres://ops:pa%40ss@db.example.com/okpay';
    expect(maskPasswordIn('in postgres://ops:pa%40ss@db.example.com/okpay and ops:pa@ss@db and password=pa@ss&x=1', url)).toBe(
      'in postgres://ops:***@db.example.com/okpay and ops:***@db and password=***&x=1',
    );
    const raw = 'postgres://ops:hunter@2secret@127.0.0.1/okpay';
    expect(maskPasswordIn(`at ${raw}`, raw)).toBe('at postgres://ops:***@127.0.0.1/okpay');
    const query = 'postgresql://u@h/db?password=s3cret-pw';
    expect(maskPasswordIn('keyword password=s3cret-pw refused', query)).toBe('keyword password=*** refused');
  });

  it('leaves a message alone when the URL has no password', () => {
    expect(maskPasswordIn('user "okpay" has no password', 'postgres://okpay@127.0.0.1/okpay')).toBe('user "okpay" has no password');
  });
});

describe('DatabaseErrors', () => {
  it('a refused sign-in names the user even when the password is the user name, and never shows the password in a URL', () => {
    const same = refusedSignIn('postgres://okpay:okpay@127.0.0.1:5432/okpay', 'password authentication failed for user "okpay"');
    expect(same.code).toBe('STORE_UNAVAILABLE');
    expect(same.message).toBe('cannot use the database at postgres://okpay:***@127.0.0.1:5432/okpay: password authentication failed for user "okpay"');
    const quoted = refusedSignIn('postgres://app:s3cret-pw@db.example.com/okpay', 'could not use postgres://app:s3cret-pw@db.example.com/okpay');
    expect(quoted.message).not.toContain('s3cret-pw');
    expect(quoted.message).toContain('could not use postgres://app:***@db.example.com/okpay');
  });
});
