// Every expected failure is an AppError with a stable code. The shell (src/cli/main.ts)
// is the one place that turns a code into an exit code; the domain only names the code.

const ERROR_CODES = [
  'INTERNAL',
  // invalid usage or input (exit 2)
  'USAGE',
  'INVALID_INPUT',
  'INVALID_AMOUNT',
  'INVALID_CURRENCY',
  'INVALID_EMAIL',
  'INVALID_PHONE',
  'INVALID_COUNTRY',
  'INVALID_IBAN',
  'INVALID_ROUTING_NUMBER',
  'INVALID_DOCUMENT',
  'INVALID_FILE',
  'WEAK_PASSWORD',
  'TERMS_NOT_ACCEPTED',
  'CONFIRMATION_REQUIRED',
  'CANCELLED',
  // authentication (exit 3)
  'NOT_LOGGED_IN',
  'BAD_CREDENTIALS',
  'BAD_OTP',
  'OTP_REQUIRED',
  'SESSION_EXPIRED',
  'INVALID_TOKEN',
  // authorisation (exit 4)
  'FORBIDDEN',
  // not found (exit 5)
  'NOT_FOUND',
  'USER_NOT_FOUND',
  'TX_NOT_FOUND',
  'TICKET_NOT_FOUND',
  'QUOTE_NOT_FOUND',
  'METHOD_NOT_FOUND',
  'WITHDRAWAL_NOT_FOUND',
  'MAIL_NOT_FOUND',
  'FAQ_NOT_FOUND',
  // conflicting state (exit 6)
  'ACCOUNT_LOCKED',
  'NOT_ACTIVATED',
  'INVALID_TRANSITION',
  'IDEMPOTENCY_CONFLICT',
  'QUOTE_EXPIRED',
  'ALREADY_EXISTS',
  'EXPECTATION_FAILED',
  // money (exit 7, 8)
  'INSUFFICIENT_FUNDS',
  'LIMIT_EXCEEDED',
  'KYC_REQUIRED',
  // the data store (exit 10)
  'STORE_LOCKED',
  'STORE_CORRUPT',
  'STORE_TOO_NEW',
  'STORE_UNAVAILABLE',
  'STORE_UNSAFE',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(code: ErrorCode, message: string, options: { hint?: string; details?: Record<string, unknown> } = {}) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.hint = options.hint;
    this.details = options.details;
  }
}

export function isAppError(value: unknown): value is AppError {
  return value instanceof AppError;
}

export function fail(code: ErrorCode, message: string, hint?: string, details?: Record<string, unknown>): never {
  throw new AppError(code, message, { ...(hint === undefined ? {} : { hint }), ...(details === undefined ? {} : { details }) });
}
