// What a use-case needs from the world besides the store, as interfaces: the shell (src/cli)
// provides the real ones (node:crypto, bcrypt, otplib, the shipped data files), tests and the
// simulator provide seeded or in-memory ones.

import type { FeeSchedule } from '../domain/fees.js';
import type { RateTable } from '../domain/fx.js';
import type { LimitTable } from '../domain/limits.js';
import type { Currency } from '../domain/money.js';

export interface Random {
  bytes(count: number): Buffer;
}

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(password: string, hash: string): Promise<boolean>;
  /** Spends the same time as verify for an account that does not exist. */
  verifyNothing(password: string): Promise<void>;
}

export interface TotpCheck {
  readonly valid: boolean;
  readonly timeStep: number | null;
}

export interface Totp {
  generateSecret(): string;
  uri(label: string, secret: string): string;
  /** Accepts the current step ±1, and only steps after `afterTimeStep` (replay protection). */
  verify(secret: string, code: string, nowMs: number, afterTimeStep: number | null): TotpCheck;
  generate(secret: string, nowMs: number): string;
}

/** The shipped reference data (currencies, fees, rates, limits, calendars, …), parsed once. */
export interface ReferenceData {
  readonly currencies: Currency[];
  readonly fees: FeeSchedule;
  readonly rates: RateTable;
  readonly limits: LimitTable;
  /** Any other data file through its parser, once per process. */
  load<T>(name: string, parse: (json: unknown) => T): T;
}

/**
 * Everything a use-case takes besides the store transaction and the actor. The CLI's Context
 * satisfies it; so do the fixture loader, the generator, the simulator and the tests.
 */
export interface AppDeps {
  /** "Now" for every rule of the use-case: read once at its start and passed to the domain. */
  now(): Date;
  readonly random: Random;
  readonly passwords: PasswordHasher;
  readonly totp: Totp;
  readonly ref: ReferenceData;
}

/**
 * The same dependencies on another clock (and, for a seeded store, another source of ids): what
 * fixture and generated history run on, each entry at its own moment. Hasher and TOTP stay lazy.
 */
export function depsAt(deps: AppDeps, now: () => Date, random: Random = deps.random): AppDeps {
  return {
    now,
    random,
    ref: deps.ref,
    get passwords() {
      return deps.passwords;
    },
    get totp() {
      return deps.totp;
    },
  };
}
