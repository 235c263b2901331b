// Fixture transfers and withdrawals, through the transfer and payout use-cases; a withdrawal may be
// put in any status at once, by the steps settlement and cancel take.

import type { ErrorCode } from '../domain/errors.js';
import type { FixtureTransfer, FixtureWithdrawal } from '../domain/fixture-schemas.js';
import { parseAmount } from '../domain/money.js';
import type { User, Withdrawal, WithdrawalMethod } from '../domain/state.js';
import { validateMemo } from '../domain/validate.js';
import { activeMethods, addMethod } from '../domain/withdrawals.js';
import { bankFields, ewalletFields } from './wallet-kit.js';
import { currencyFlag } from './money-flags.js';
import { sendMoney } from '../app/wallet.js';
import { holdForPayout, releaseToCustomer } from '../app/withdrawals.js';
import { settleStep } from '../app/settle.js';
import { newId } from './random.js';
import { at, atAsync, counted, depsOf, nowIso, resolve, userRef, type Loader } from './fixture-load-state.js';

/** Refusals of the transfer flow that are about the payee; any other is about the amount. */
const PAYEE_ERRORS: ReadonlySet<ErrorCode> = new Set(['INVALID_EMAIL', 'INVALID_PHONE', 'INVALID_RECIPIENT', 'SELF_TRANSFER']);

export async function applyTransfer(l: Loader, f: FixtureTransfer): Promise<void> {
  const { ctx, t } = l;
  const sender = await userRef(l, f.where, 'from', f.from);
  const currency = at(f.where, 'currency', () => currencyFlag(ctx, f.currency));
  const toCurrency = f.toCurrency === null ? currency : at(f.where, 'toCurrency', () => currencyFlag(ctx, f.toCurrency ?? ''));
  const amountMinor = at(f.where, 'amount', () => parseAmount(resolve(l, f.amount), currency));
  const memo = f.memo === null ? null : at(f.where, 'memo', () => validateMemo(f.memo ?? ''));
  const request = { to: resolve(l, f.to), amountMinor, currency: currency.code, toCurrency: toCurrency.code };
  const field = (code: ErrorCode) => (PAYEE_ERRORS.has(code) ? 'to' : 'amount');
  const { tx } = await atAsync(f.where, field, () =>
    counted(l, sendMoney(t, depsOf(l, nowIso(l, f.at)), sender, { request, memo, quote: null, idempotency: null })),
  );
  if (f.name) {
    l.transfers.set(f.name, tx);
    l.values.set(f.name, { id: tx.id });
    l.ids[f.name] = tx.id;
  }
}

async function fixtureMethod(l: Loader, w: FixtureWithdrawal, user: User, when: string): Promise<WithdrawalMethod> {
  const m = w.method;
  const base = { id: newId(l.ctx.random, 'wm'), userId: user.id, createdAt: when, removedAt: null };
  const method: WithdrawalMethod =
    m.type === 'bank'
      ? {
          ...base,
          type: 'bank',
          provider: null,
          walletAccount: null,
          ...at(w.where, 'method', () =>
            bankFields(l.ctx, {
              holder: m.holder,
              ...(m.iban ? { iban: m.iban } : {}),
              ...(m.accountNumber ? { accountNumber: m.accountNumber } : {}),
              ...(m.routingNumber ? { routingNumber: m.routingNumber } : {}),
              ...(m.country ? { country: m.country } : {}),
            }),
          ),
        }
      : {
          ...base,
          type: 'ewallet',
          holder: null,
          iban: null,
          accountNumber: null,
          routingNumber: null,
          country: user.country,
          ...at(w.where, 'method', () => ewalletFields(m.provider, m.account)),
        };
  const mine = await l.t.methods.ofUser(user.id);
  const existing = activeMethods(mine).find((x) => x.label === method.label && x.type === method.type);
  if (existing) return existing;
  const added = addMethod(mine, method);
  l.t.methods.put(added);
  return added;
}

export async function applyWithdrawal(l: Loader, w: FixtureWithdrawal): Promise<void> {
  const { ctx, t } = l;
  const user = await userRef(l, w.where, 'user', w.user);
  const when = nowIso(l, w.at);
  const method = await fixtureMethod(l, w, user, when);
  const currency = at(w.where, 'currency', () => currencyFlag(ctx, w.currency));
  const amountMinor = at(w.where, 'amount', () => parseAmount(resolve(l, w.amount), currency));
  const held = await atAsync(w.where, 'amount', () =>
    counted(l, holdForPayout(t, depsOf(l, when), user, { methodId: method.id, currency, amountMinor }, null)),
  );
  const withdrawal = await moveWithdrawal(l, user, held.withdrawal, w.status, when);
  if (w.name) {
    l.withdrawals.set(w.name, withdrawal);
    l.values.set(w.name, { id: withdrawal.id, methodId: method.id });
    l.ids[w.name] = withdrawal.id;
  }
}

/**
 * Fixtures may put a payout in any status at once: the steps settlement and cancel take, through
 * their use-cases, without waiting for business days.
 */
async function moveWithdrawal(l: Loader, user: User, w: Withdrawal, status: FixtureWithdrawal['status'], when: string): Promise<Withdrawal> {
  const deps = depsOf(l, when);
  if (status === 'requested') return w;
  if (status === 'cancelled') return (await counted(l, releaseToCustomer(l.t, deps, user, w.id))).withdrawal;
  const processing: Withdrawal = { ...w, status: 'processing', processingAt: when };
  if (status === 'processing') {
    await settleStep(l.t, deps, { kind: 'processing', withdrawal: processing });
    return processing;
  }
  const tx = await counted(l, settleStep(l.t, deps, { kind: status === 'completed' ? 'complete' : 'fail', withdrawal: processing }));
  const finished = tx?.details.record;
  return finished ? { ...finished, holdTxId: w.holdTxId } : processing;
}
