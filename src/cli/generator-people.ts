// The people of a generated store: the operator, agents in every support language, and customers
// from the countries of data/generator.json with names, phones, verification, 2FA and payout methods.

import { createAccount, lockAccount } from '../domain/accounts.js';
import { LANGUAGES, type Language } from '../domain/language.js';
import { findCurrency } from '../domain/money.js';
import { type GeneratorData } from '../domain/generator-data.js';
import type { User, WithdrawalMethod } from '../domain/state.js';
import { ibanCheckDigits } from '../domain/validate-bank.js';
import { addMethod } from '../domain/withdrawals.js';
import { receiveDeposit } from '../app/wallet.js';
import { newId } from './random.js';
import { base32, DAY_MS, FLUSH_EVERY, major, type Generation } from './generation.js';

export class GeneratedPeople {
  /** The last number given out in each country's mobile range. */
  private readonly mobiles = new Map<string, number>();

  constructor(private readonly g: Generation) {}

  /** A name from the names of those who speak `speaks` (a support language, or another such as ja). */
  name(speaks: string, index: number): { display: string; local: string } {
    const names = this.g.data.names[speaks];
    if (!names) throw new Error(`generator data: no names for ${speaks}`);
    const given = this.g.prng.pick(names.given);
    const family = this.g.prng.pick(names.family);
    const text = (n: string | [string, string]) => (typeof n === 'string' ? n : n[0]);
    const latin = (n: string | [string, string]) => (typeof n === 'string' ? n : n[1]);
    const display = names.order === 'family-given' ? `${text(family)}${text(given)}` : `${text(given)} ${text(family)}`;
    const local = `${latin(given)}.${latin(family)}.${index}`
      .normalize('NFD')
      .replace(/[^\x20-\x7e]/g, '')
      .toLowerCase();
    return { display, local };
  }

  /** The next mobile number of a country's range; null once the range is used up. */
  private mobileNumber(country: GeneratorData['countries'][number]): string | null {
    const next = (this.mobiles.get(country.code) ?? 0) + 1;
    if (next >= 10 ** country.mobile.digits) return null;
    this.mobiles.set(country.code, next);
    return `${country.mobile.prefix}${String(next).padStart(country.mobile.digits, '0')}`;
  }

  async createPeople(): Promise<void> {
    const nowIso = this.g.nowIso;
    this.createAdminAndAgents(nowIso);
    for (let i = 1; i <= this.g.options.users; i += 1) {
      await this.createCustomer(i, nowIso);
      if (i % FLUSH_EVERY === 0) await this.g.t.flush();
    }
  }

  private account(
    email: string,
    name: string,
    country: string | null,
    language: Language | null,
    role: User['role'],
    pending: boolean,
    phone: string | null,
  ): User {
    // Generated addresses are unique by construction; the index only guards against a mistake.
    const user = createAccount(
      {
        id: newId(this.g.random, 'usr'),
        email,
        phone,
        country,
        name,
        language,
        passwordHash: this.g.passwordHash,
        role,
        activation: pending ? { tokenHash: newId(this.g.random, 'act'), expiresAt: new Date(this.g.anchorMs + DAY_MS).toISOString() } : null,
      },
      this.g.nowIso,
      { byEmail: this.g.emails.get(email), byPhone: phone ? this.g.phones.get(phone) : undefined },
    );
    this.g.t.users.put(user);
    this.g.emails.set(email, user);
    if (phone) this.g.phones.set(phone, user);
    return user;
  }

  private createAdminAndAgents(nowIso: string): void {
    this.account('admin@okpay.test', 'OKPay Operator', null, 'en', 'admin', false, null);
    const count = Math.min(50, Math.max(6, Math.ceil(this.g.options.users / 50)));
    for (let i = 1; i <= count; i += 1) {
      const language = LANGUAGES[(i - 1) % LANGUAGES.length] ?? 'en';
      const tier = (i <= LANGUAGES.length ? 1 : i <= 2 * LANGUAGES.length ? 2 : 3) as 1 | 2 | 3;
      const second = this.g.prng.pick(LANGUAGES);
      const languages = second === language ? [language] : [language, second];
      const agent = this.account(`agent${i}@okpay.test`, this.name(language, i).display, null, language, 'agent', false, null);
      this.g.agents.push(this.g.putUser({ ...agent, agent: { tier, languages }, kyc: { ...agent.kyc, status: 'approved', decidedAt: nowIso } }));
    }
  }

  private async createCustomer(index: number, nowIso: string): Promise<void> {
    const mix = this.g.prng.weighted(this.g.data.countries.map((c) => [c, c.weight] as const));
    // A country where one language is spoken draws nothing here, so its people come out as before.
    const people = mix.people.length === 1 ? mix.people[0] : this.g.prng.weighted(mix.people.map((p) => [p, p.weight] as const));
    if (!people) throw new Error(`generator data: nobody lives in ${mix.code}`);
    const language = people.language;
    const { display, local } = this.name(people.speaks, index);
    const pending = index > 2 && this.g.prng.chance(0.03);
    const phone = this.g.prng.chance(0.6) ? this.mobileNumber(mix) : null;
    let user = this.account(`${local}@example.com`, display, mix.code, language, 'user', pending, phone);
    user = this.g.putUser({
      ...user,
      kyc: this.g.prng.chance(0.75)
        ? { ...user.kyc, status: 'approved', documentType: 'passport', documentMasked: '•••• 0000', submittedAt: nowIso, decidedAt: nowIso }
        : user.kyc,
      twoFactor: this.g.prng.chance(0.2) ? { ...user.twoFactor, enabled: true, secret: base32(this.g.prng.bytes(32)), changedAt: nowIso } : user.twoFactor,
    });
    if (pending) {
      this.g.pending.push(user.id);
      return;
    }
    const currency = findCurrency(this.g.ctx.ref.currencies, mix.currency);
    await this.g.counted(receiveDeposit(this.g.t, this.g.deps, user, { amountMinor: major(currency, this.g.prng.int(500, 5000)), currency, source: 'bank' }));
    const method = this.g.prng.chance(0.5) ? this.addMethod(user, index) : null;
    // A generated customer has no sessions, so there are none for the lock to end.
    if (index > 2 && this.g.prng.chance(0.02))
      this.g.putUser(lockAccount(user, { reason: this.g.prng.chance(0.5) ? 'self' : 'agent', note: 'generated', at: nowIso, by: null }));
    else this.g.people.push({ id: user.id, currency, methodId: method?.id ?? null });
  }

  private addMethod(user: User, index: number): WithdrawalMethod {
    const failing = this.g.prng.chance(0.05);
    const bank = this.g.prng.chance(0.75);
    const base = { id: newId(this.g.random, 'wm'), userId: user.id, createdAt: this.g.nowIso, removedAt: null, country: user.country };
    if (!bank) {
      const account = failing ? 'fail@payout.test' : `wallet${index}@example.net`;
      return this.keepMethod({
        ...base,
        type: 'ewallet',
        label: `PayPal •••• ${account.slice(-4)}`,
        holder: null,
        iban: null,
        accountNumber: null,
        routingNumber: null,
        provider: 'PayPal',
        walletAccount: account,
      });
    }
    const bban = failing ? '500105170000000000' : `37040044${index.toString().padStart(10, '0')}`;
    const iban = failing ? 'DE27500105170000000000' : `DE${ibanCheckDigits('DE', bban)}${bban}`;
    return this.keepMethod({
      ...base,
      type: 'bank',
      label: `${user.name ?? user.email} •••• ${iban.slice(-4)}`,
      holder: user.name,
      iban,
      accountNumber: null,
      routingNumber: null,
      provider: null,
      walletAccount: null,
      country: 'DE',
    });
  }

  private keepMethod(method: WithdrawalMethod): WithdrawalMethod {
    const added = addMethod([], method);
    this.g.t.methods.put(added);
    return added;
  }
}
