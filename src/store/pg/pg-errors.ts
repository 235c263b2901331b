// Failures of the PostgreSQL store's connection, told apart and explained: a broken connection (not
// reused), a server that cannot be reached, a refused change; every message without the password.
import { AppError } from '../../domain/errors.js';

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
    return error;
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
    const message = error instanceof Error ? error.message : String(error);
    return new AppError('STORE_UNAVAILABLE', `cannot use the database at ${this.location}: ${this.masked(message)}`, {
      hint: 'Check OKPAY_DATABASE_URL (or --database-url) and that the server is running.',
    });
  }

  private masked(message: string): string {
    const password = passwordOf(this.url);
    return password ? message.split(password).join('***') : message;
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

function passwordOf(url: string): string | null {
  try {
    const parsed = new URL(url.replace(/^postgres(ql)?:\/\/([^@/]*@)?\//i, 'postgres://$2localhost/'));
    return parsed.password ? decodeURIComponent(parsed.password) : null;
  } catch {
    return null;
  }
}

/** Connection exceptions, shutdowns, refused logins: the connection is not reused. */
function isConnectionState(state: string): boolean {
  return state.startsWith('08') || state.startsWith('57P') || state.startsWith('28') || state === '53300' || state === '3D000';
}

export function sqlState(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : '';
}
