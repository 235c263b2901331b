// The shipped data files (currencies, fees, rates, limits, calendars, countries, FAQ), each read
// and validated on first use. One source of truth: code never copies these numbers.

import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { packagePath } from './paths.js';
import { parseFeeSchedule, type FeeSchedule } from '../domain/fees.js';
import { parseRateTable, type RateTable } from '../domain/fx.js';
import { parseLimitTable, type LimitTable } from '../domain/limits.js';
import { parseCurrencies, type Currency } from '../domain/money.js';

const DATA_DIRECTORY = pathToFileURL(`${packagePath('data')}/`);

export function readDataFile(name: string): unknown {
  const url = new URL(name, DATA_DIRECTORY);
  try {
    return JSON.parse(readFileSync(url, 'utf8')) as unknown;
  } catch (error) {
    throw new Error(`okpay's shipped data file ${url.pathname} could not be read: ${error instanceof Error ? error.message : String(error)}`);
  }
}

export class RefData {
  private readonly cache = new Map<string, unknown>();

  private once<T>(key: string, load: () => T): T {
    if (!this.cache.has(key)) this.cache.set(key, load());
    return this.cache.get(key) as T;
  }

  get currencies(): Currency[] {
    return this.once('currencies', () => parseCurrencies(readDataFile('currencies.json')));
  }

  get fees(): FeeSchedule {
    return this.once('fees', () => parseFeeSchedule(readDataFile('fees.json')));
  }

  get rates(): RateTable {
    return this.once('rates', () => parseRateTable(readDataFile('rates.json')));
  }

  get limits(): LimitTable {
    return this.once('limits', () => parseLimitTable(readDataFile('limits.json'), this.currencies));
  }

  /** Loads any other data file through its parser, once per process. */
  load<T>(name: string, parse: (json: unknown) => T): T {
    return this.once(name, () => parse(readDataFile(name)));
  }
}
