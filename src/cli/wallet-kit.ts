// What the wallet commands share: reading payout methods from flags, and the documents and
// fields they print for quotes, withdrawals and methods.

import { AppError } from '../domain/errors.js';
import type { StoredQuote, Withdrawal, WithdrawalMethod } from '../domain/state.js';
import { boundedText, normalizeCountry, parseCountries, validateName } from '../domain/validate.js';
import { maskAccountNumber, normalizeIban, parseIbanLengths, validateAccountNumber, validateRoutingNumber } from '../domain/validate-bank.js';
import type { Context } from './context.js';
import { formatMoney } from './money-flags.js';

export function quoteDocument(ctx: Context, quote: StoredQuote) {
  return {
    id: quote.id,
    kind: quote.kind,
    to: quote.request['to'] ?? null,
    amount: formatMoney(ctx, quote.amountMinor, quote.currency),
    currency: quote.currency,
    fee: formatMoney(ctx, quote.feeMinor, quote.currency),
    feeLines: quote.feeLines.map((l) => ({ code: l.code, label: l.label, amount: formatMoney(ctx, l.amountMinor, quote.currency) })),
    total: formatMoney(ctx, quote.amountMinor + quote.feeMinor, quote.currency),
    scope: quote.scope,
    midRate: quote.midRate,
    rate: quote.rate,
    receiveAmount: formatMoney(ctx, quote.receiveAmountMinor, quote.receiveCurrency),
    receiveCurrency: quote.receiveCurrency,
    createdAt: quote.createdAt,
    expiresAt: quote.expiresAt,
  };
}

export function printQuote(ctx: Context, quote: StoredQuote): void {
  const doc = quoteDocument(ctx, quote);
  ctx.out.fields([
    ['quote', doc.id],
    ['to', doc.to],
    ['amount', `${doc.amount} ${doc.currency}`],
    ...doc.feeLines.map((l) => [`  ${l.label}`, `${l.amount} ${doc.currency}`] as const),
    ['fee', `${doc.fee} ${doc.currency}${doc.scope ? ` (${doc.scope})` : ''}`],
    ['you pay', `${doc.total} ${doc.currency}`],
    ['rate', doc.currency === doc.receiveCurrency ? null : `1 ${doc.currency} = ${doc.rate} ${doc.receiveCurrency} (mid ${doc.midRate})`],
    ['they receive', `${doc.receiveAmount} ${doc.receiveCurrency}`],
    ['valid until', ctx.out.time(doc.expiresAt)],
  ]);
}

export function withdrawalDocument(ctx: Context, w: Withdrawal) {
  return {
    id: w.id,
    status: w.status,
    amount: formatMoney(ctx, w.amountMinor, w.currency),
    currency: w.currency,
    fee: formatMoney(ctx, w.feeMinor, w.currency),
    total: formatMoney(ctx, w.amountMinor + w.feeMinor, w.currency),
    methodId: w.methodId,
    methodType: w.methodType,
    method: w.methodLabel,
    requestedAt: w.requestedAt,
    processingAt: w.processingAt,
    expectedBy: w.expectedBy,
    finishedAt: w.finishedAt,
    failureReason: w.failureReason,
    transaction: w.holdTxId,
  };
}

export function methodDocument(m: WithdrawalMethod) {
  return {
    id: m.id,
    type: m.type,
    label: m.label,
    holder: m.holder,
    provider: m.provider,
    country: m.country,
    number: maskAccountNumber(m.iban ?? m.accountNumber ?? m.walletAccount ?? ''),
    routingNumber: m.routingNumber,
    createdAt: m.createdAt,
  };
}

export function ewalletFields(providerText: string, accountText: string): Pick<WithdrawalMethod, 'label' | 'provider' | 'walletAccount'> {
  const provider = boundedText(providerText, '--provider', { min: 2, max: 40 });
  const account = boundedText(accountText, '--account', { min: 3, max: 100 });
  return { label: `${provider} ${maskAccountNumber(account)}`, provider, walletAccount: account };
}

type BankFields = Pick<WithdrawalMethod, 'label' | 'holder' | 'iban' | 'accountNumber' | 'routingNumber' | 'country'>;

export function bankFields(ctx: Context, o: { holder: string; iban?: string; accountNumber?: string; routingNumber?: string; country?: string }): BankFields {
  const holder = validateName(o.holder, '--holder');
  const country = o.country === undefined ? null : normalizeCountry(o.country, ctx.ref.load('countries.json', parseCountries));
  if (o.iban !== undefined) {
    if (o.accountNumber !== undefined || o.routingNumber !== undefined)
      throw new AppError('USAGE', 'give either --iban or --account-number with --routing-number, not both');
    const iban = normalizeIban(o.iban, ctx.ref.load('iban.json', parseIbanLengths));
    if (country && country !== iban.country) throw new AppError('INVALID_COUNTRY', `the IBAN is from ${iban.country} but --country says ${country}`);
    return { label: `${holder} ${maskAccountNumber(iban.iban)}`, holder, iban: iban.iban, accountNumber: null, routingNumber: null, country: iban.country };
  }
  if (o.accountNumber === undefined || o.routingNumber === undefined) {
    throw new AppError('USAGE', 'a bank account needs --iban, or --account-number and --routing-number', { hint: 'e.g. --iban "DE89 3704 0044 0532 0130 00"' });
  }
  const routingNumber = validateRoutingNumber(o.routingNumber);
  const accountNumber = validateAccountNumber(o.accountNumber);
  return { label: `${holder} ${maskAccountNumber(accountNumber)}`, holder, iban: null, accountNumber, routingNumber, country: country ?? 'US' };
}
