// The mails of account security: activation, password reset, lock notices, and notices of
// changes a user should hear about (so an intruder's change does not go unnoticed).

import { type LockExplanation, MAX_FAILED_SIGN_INS } from './accounts.js';
import type { OutgoingMail } from './mail.js';
import { mailTo } from './mail-texts/index.js';
import type { LockFacts, SecurityChange } from './mail-texts/types.js';
import type { User } from './state.js';

export function activationMail(user: User, token: string): OutgoingMail {
  return mailTo(user, 'activation', (texts) => texts.activation(token));
}

export function registrationAttemptMail(owner: User, address: string): OutgoingMail {
  return mailTo(owner, 'registration-attempt', (texts) => texts.registrationAttempt(address, owner.email));
}

export function passwordResetMail(user: User, token: string): OutgoingMail {
  return mailTo(user, 'password-reset', (texts) => texts.passwordReset(token));
}

export function lockedAfterFailuresMail(user: User, token: string, explanation: LockExplanation): OutgoingMail {
  return mailTo(user, 'account-locked', (texts) => texts.lockedAfterFailures(lockFacts(user), token, explanation));
}

export function lockNoticeMail(user: User, explanation: LockExplanation): OutgoingMail {
  return mailTo(user, 'account-locked', (texts) => texts.lockNotice(lockFacts(user), explanation));
}

export function unlockedMail(user: User): OutgoingMail {
  return mailTo(user, 'account-unlocked', (texts) => texts.unlocked);
}

export function securityChangeMail(user: User, change: SecurityChange): OutgoingMail {
  return mailTo(user, `security-${change}`, (texts) => texts.securityChange(change, user.email));
}

function lockFacts(user: User): LockFacts {
  if (!user.lock) throw new Error(`a lock mail was asked for ${user.id}, whose account is not locked`);
  const { reason, at, note } = user.lock;
  return { email: user.email, reason, since: at.slice(0, 16).replace('T', ' '), note, twoFactor: user.twoFactor.enabled, failedSignIns: MAX_FAILED_SIGN_INS };
}
