// What every language must say in the service's mails. A language is one object of this type, so
// the compiler refuses a language that lacks a mail; each text is a function of the facts it
// shows, because word order around amounts, names and dates differs between languages.

import type { LockExplanation } from '../accounts.js';
import type { LockReason } from '../state.js';
import type { TicketStatus } from '../ticket-record.js';

export interface MailText {
  readonly subject: string;
  readonly text: string;
}

export type SecurityChange = 'password' | '2fa-on' | '2fa-off' | 'recovery-codes';
export type ChangedStatus = Exclude<TicketStatus, 'new'>;

/** A lock as a mail describes it; `since` is "YYYY-MM-DD HH:MM" in UTC. */
export interface LockFacts {
  readonly email: string;
  readonly reason: LockReason;
  readonly since: string;
  readonly note: string | null;
  readonly twoFactor: boolean;
  readonly failedSignIns: number;
}

/**
 * A lock the owner set on an account without two-step verification: the password alone lifts it
 * (`okpay unlock`), so a thief who has the password can too; the notice says so (docs/SECURITY.md).
 */
export function passwordAloneUnlocks(lock: LockFacts): boolean {
  return lock.reason === 'self' && !lock.twoFactor;
}

export interface Payment {
  readonly from: string;
  readonly amount: string;
  readonly currency: string;
}

export interface Payout {
  readonly amount: string;
  readonly currency: string;
  readonly methodLabel: string;
}

export interface AccountTexts {
  activation(token: string): MailText;
  passwordReset(token: string): MailText;
  /** To the owner of an email or phone number someone tried to register again. */
  registrationAttempt(address: string, email: string): MailText;
  /** English repeats the CLI's own explanation; the other languages tell it from the facts. */
  lockedAfterFailures(lock: LockFacts, token: string, explanation: LockExplanation): MailText;
  lockNotice(lock: LockFacts, explanation: LockExplanation): MailText;
  readonly unlocked: MailText;
  securityChange(change: SecurityChange, email: string): MailText;
}

export interface WalletTexts {
  paymentReceived(payment: Payment, memo: string | null): MailText;
  /** To someone without an account; `until` is a date (YYYY-MM-DD). */
  moneyWaiting(payment: Payment, to: string, until: string): MailText;
  payoutCompleted(payout: Payout): MailText;
  /** `reason` is the recorded cause, kept in English in the record. */
  payoutFailed(payout: Payout, reason: string | null): MailText;
  transferReturned(to: string, amount: string, currency: string): MailText;
  /** To the payee of a transfer that support refunded to its payer (`from`). */
  paymentRefunded(payment: Payment, txId: string): MailText;
  /** A text message (no subject is shown on a phone): the code that verifies a phone number. */
  phoneCode(code: string, minutes: number): MailText;
}

export interface KycTexts {
  readonly kycApproved: MailText;
  kycRejected(reason: string): MailText;
}

export interface TicketTexts {
  readonly status: Readonly<Record<TicketStatus, string>>;
  readonly signature: string;
  receivedSubject(n: number, subject: string): string;
  received(n: number, expected: string | null, relatedTo: number | null): string;
  replySubject(n: number, subject: string): string;
  reply(n: number, body: string, status: string): string;
  statusSubject(n: number, status: string, subject: string): string;
  statusText(n: number, to: ChangedStatus, mergedInto: number | null): string;
  replyHint(n: number): string;
}

export interface MailTexts extends AccountTexts, WalletTexts, KycTexts {
  /** Ends every mail but the support desk's, which signs with `ticket.signature`. */
  readonly signature: string;
  readonly ticket: TicketTexts;
}
