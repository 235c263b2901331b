// Failures of the PostgreSQL store's connection, told apart and explained: a broken connection (not
// reused), a server that cannot be reached, a refused change; every message without the password.
import { AppError } from '../../domain/errors.js';
import { READ_ONLY } from '../store.js';
import { maskPasswordIn } from './url.js';

/** The one-line AppErrors of one database, which never show its password. */
export class DatabaseErrors {
  constructor(
    private readonly url: string,
    private readonly location: string,
  ) {}

  /** A database failure as a one-line AppError that never shows the password. */
  explain(error: unknown): unknown {
    if (error instanceof AppError || !(error instanceof Error)) return error;
    const state = sqlState(error);
    const where = this.location;
    if (state === '' ? isNetworkError(error) : isConnectionState(state)) return this.unavailable(error);
    if (state.startsWith('23')) {
      return new AppError(
        'STORE_CORRUPT',
        `the database at ${where} refused a change that breaks its rules (${this.masked(error.message)}); nothing was changed`,
      );
    }
    return this.refusal(state, this.masked(error.message)) ?? error;
  }

  /**
   * What the server answers when it is busy, limited or read-only (its error undoes the transaction,
   * so nothing was changed): the store's own errors, as the file store answers a held lock or a
   * read-only disk, instead of an internal error.
   */
  private refusal(state: string, reason: string): AppError | null {
    const where = this.location;
    if (state === '55P03')
      return new AppError(
        'STORE_LOCKED',
        `the database at ${where} is busy: a lock okpay needs stayed held by another session (${reason}); nothing was changed`,
        {
          hint: 'Try again once the other session has finished (its lock_timeout ended the wait).',
        },
      );
    if (state === '57014')
      return new AppError('STORE_UNAVAILABLE', `the database at ${where} cancelled okpay's statement (${reason}); nothing was changed`, {
        hint: 'Try again; if it keeps happening, the role or database may set a statement_timeout too short for okpay.',
      });
    if (state === '53300')
      return new AppError('STORE_UNAVAILABLE', `the database server at ${where} takes no more connections (${reason}); nothing was changed`, {
        hint: "Try again once fewer clients are connected, or raise the limit (max_connections, or the role's CONNECTION LIMIT).",
      });
    if (state.startsWith('53'))
      return new AppError('STORE_UNAVAILABLE', `the database server at ${where} is out of resources (${reason}); nothing was changed`, {
        hint: 'Try again once the server has space and memory to spare.',
      });
    if (state === '25006' || (state === '0A000' && /hot standby|during recovery/i.test(reason)))
      return new AppError('STORE_UNAVAILABLE', `the database at ${where} is read-only (${reason}); nothing was changed`, {
        hint: "It takes no changes now (default_transaction_read_only for the role or database, or a standby server): commands that only look still answer; for the others, use the primary server's URL.",
        details: READ_ONLY,
      });
    if (state === '42501')
      return new AppError('STORE_UNAVAILABLE', `the database at ${where} does not allow okpay's role this (${reason}); nothing was changed`, {
        hint: "Grant the role in OKPAY_DATABASE_URL the rights on the store's tables, or use its owner.",
      });
    return null;
  }

  /**
   * The server went away (a restart, a network cut) in the middle of a change. Before COMMIT was
   * sent the server undid the transaction, so nothing changed; during the COMMIT nobody here can
   * know whether it was made, and the message says so.
   */
  connectionLost(error: unknown, committing: boolean): ConnectionLost {
    const reason = this.masked(error instanceof Error ? error.message : String(error));
    if (!committing) {
      return new ConnectionLost(
        `lost the connection to the database at ${this.location} in the middle of the change (${reason}); the database undid it, so nothing was changed`,
        'Run the command again once the server is back.',
      );
    }
    return new ConnectionLost(
      `lost the connection to the database at ${this.location} while it committed the change (${reason}); the change may or may not have been made`,
      'Look with okpay history before running it again: a batch, or a transfer with --idempotency-key, can simply be run again and pays nothing twice.',
    );
  }

  unavailable(error: unknown): AppError {
    const message = this.masked(error instanceof Error ? error.message : String(error));
    // A server that is up but full (too many connections) is told as such, not as a wrong URL.
    const full = this.refusal(sqlState(error), message);
    if (full) return full;
    return new AppError('STORE_UNAVAILABLE', `cannot use the database at ${this.location}: ${message}`, {
      hint: 'Check OKPAY_DATABASE_URL (or --database-url) and that the server is running.',
    });
  }

  /** A URL that pg cannot read (its syntax, a port out of range, a certificate file it names): bad input. */
  unusableUrl(error: unknown): AppError {
    const message = this.masked(error instanceof Error ? error.message : String(error));
    return new AppError('USAGE', `the database URL ${this.location} cannot be used: ${message}`, {
      hint: 'postgres://user:password@host:port/database, with special characters in the password percent-encoded (@ as %40)',
    });
  }

  private masked(message: string): string {
    return oneLine(maskPasswordIn(message, this.url));
  }
}

/** STORE_UNAVAILABLE for a connection that broke during a unit of work: the connection is not reused. */
class ConnectionLost extends AppError {
  constructor(message: string, hint: string) {
    super('STORE_UNAVAILABLE', message, { hint });
  }
}

export function brokenConnection(error: unknown): boolean {
  if (error instanceof ConnectionLost) return true;
  if (error instanceof AppError || !(error instanceof Error)) return false;
  const state = sqlState(error);
  return state === '' ? isNetworkError(error) : isConnectionState(state);
}

/** A failure to reach the server at all (socket errors carry an errno code, not a SQLSTATE). */
function isNetworkError(error: Error): boolean {
  const code = (error as { code?: unknown }).code;
  return (typeof code === 'string' && /^E[A-Z]+$/.test(code)) || /Connection terminated|connection .*(closed|ended)/i.test(error.message);
}

/** A server or socket message on one line (an error is one line on stderr). */
function oneLine(message: string): string {
  return message.replace(/\s*\n\s*/g, ' ').trim();
}

/** Connection exceptions, shutdowns, refused logins: the connection is not reused. */
function isConnectionState(state: string): boolean {
  return state.startsWith('08') || state.startsWith('57P') || state.startsWith('28') || state === '53300' || state === '3D000';
}

export function sqlState(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : '';
}
