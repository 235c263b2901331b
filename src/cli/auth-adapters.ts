// Password hashing (bcrypt, loaded on first use) and TOTP (otplib). Both are services the shell
// hands to commands, so the domain stays free of crypto libraries and the clock.

import { createRequire } from 'node:module';
import { AppError } from '../domain/errors.js';
import { passwordFitsBcrypt } from '../domain/validate.js';
import type { Env } from './env.js';

const DEFAULT_BCRYPT_COST = 12;
const MIN_BCRYPT_COST = 4;

import type { PasswordHasher, Totp } from '../app/ports.js';

export type { PasswordHasher, Totp, TotpCheck } from '../app/ports.js';

interface BcryptModule {
  hash(data: string, rounds: number): Promise<string>;
  compare(data: string, hash: string): Promise<boolean>;
}

export function bcryptCost(env: Env): number {
  if (env.bcryptCost === undefined) return DEFAULT_BCRYPT_COST;
  const cost = Number(env.bcryptCost);
  if (!Number.isInteger(cost) || cost < MIN_BCRYPT_COST || cost > 15) {
    throw new AppError('USAGE', `OKPAY_BCRYPT_COST must be a whole number from ${MIN_BCRYPT_COST} to 15`);
  }
  return cost;
}

export function bcryptHasher(cost: number): PasswordHasher {
  let module: BcryptModule | null = null;
  const load = (): BcryptModule => (module ??= createRequire(import.meta.url)('bcrypt') as BcryptModule);
  // A well-formed hash with the same cost: comparing against it costs what a real check costs.
  const decoy = `$2b$${cost.toString().padStart(2, '0')}$${'N'.repeat(53)}`;
  return {
    hash: (password) => load().hash(password, cost),
    verify: async (password, hash) => {
      // Compared whole or not at all: bcrypt would accept any password that merely starts with the
      // right 72 bytes. The decoy keeps the answer as slow as a real check.
      if (!passwordFitsBcrypt(password)) {
        await load().compare(password, decoy);
        return false;
      }
      return load().compare(password, hash);
    },
    verifyNothing: async (password) => {
      await load().compare(password, decoy);
    },
  };
}

interface OtplibModule {
  generateSecret(options?: { length?: number }): string;
  generateURI(options: { issuer: string; label: string; secret: string }): string;
  generateSync(options: { secret: string; epoch: number }): string;
  verifySync(options: { secret: string; token: string; epoch: number; epochTolerance: number; afterTimeStep?: number }): { valid: boolean; timeStep?: number };
}

const TOTP_ISSUER = 'OKPay';
const TOTP_CODE = /^[0-9]{6}$/;

export function otplibTotp(): Totp {
  let module: OtplibModule | null = null;
  const load = (): OtplibModule => (module ??= createRequire(import.meta.url)('otplib') as OtplibModule);
  return {
    generateSecret: () => load().generateSecret({ length: 20 }),
    uri: (label, secret) => load().generateURI({ issuer: TOTP_ISSUER, label, secret }),
    generate: (secret, nowMs) => load().generateSync({ secret, epoch: Math.floor(nowMs / 1000) }),
    verify: (secret, code, nowMs, afterTimeStep) => {
      if (!TOTP_CODE.test(code)) return { valid: false, timeStep: null };
      try {
        const result = load().verifySync({
          secret,
          token: code,
          epoch: Math.floor(nowMs / 1000),
          epochTolerance: 30,
          ...(afterTimeStep === null ? {} : { afterTimeStep }),
        });
        return { valid: result.valid, timeStep: result.valid ? (result.timeStep ?? null) : null };
      } catch {
        // otplib throws on malformed input; to the user that is simply a wrong code.
        return { valid: false, timeStep: null };
      }
    },
  };
}
