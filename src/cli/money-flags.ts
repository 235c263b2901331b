// Reading amounts and currencies from flags, and printing amounts, with the shipped currency list.

import { AppError } from '../domain/errors.js';
import { findCurrency, formatAmount, parseAmount, type Currency, type MinorUnits } from '../domain/money.js';
import type { WalletRef } from '../domain/wallet.js';
import type { Context } from './context.js';

export function currencyFlag(ctx: Context, text: string | undefined, flag = '--currency'): Currency {
  if (text === undefined) throw new AppError('USAGE', `${flag} is required`, { hint: `e.g. ${flag} USD` });
  return findCurrency(ctx.ref.currencies, text);
}

export function amountFlag(amount: string | undefined, currency: Currency, flag = '--amount'): MinorUnits {
  if (amount === undefined) throw new AppError('USAGE', `${flag} is required`, { hint: `e.g. ${flag} 12.50` });
  return parseAmount(amount, currency);
}

export function formatMoney(ctx: Context, amountMinor: MinorUnits, code: string): string {
  return formatAmount(amountMinor, findCurrency(ctx.ref.currencies, code));
}

export function walletRef(ctx: Context): WalletRef {
  return { currencies: ctx.ref.currencies, schedule: ctx.ref.fees, rates: ctx.ref.rates, limits: ctx.ref.limits };
}
