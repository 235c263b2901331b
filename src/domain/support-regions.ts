// Which support region serves a country (or payouts to it), a region by its id, and a region's
// opening hours in one line for customers.

import type { CalendarData, Region } from './calendar.js';
import { AppError } from './errors.js';
import { printable } from './money.js';

const COUNTRY_PATTERN = /^[A-Z]{2}$/;
const WEEKDAY_NAMES = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'] as const;

function regionOfCountry(data: CalendarData, country: string | null): Region | undefined {
  if (country === null || country.trim() === '') return undefined;
  const code = country.trim().toUpperCase();
  if (!COUNTRY_PATTERN.test(code)) {
    throw new AppError('INVALID_COUNTRY', `"${printable(country)}" is not a two-letter country code`, { hint: 'use an ISO 3166 code such as US, DE or CN' });
  }
  return data.regions.find((region) => region.countries.includes(code));
}

/** The support region serving a customer's country; unknown or missing countries go to the default region. */
export function regionForCountry(data: CalendarData, country: string | null): Region {
  return regionOfCountry(data, country) ?? regionById(data, data.defaultRegionId);
}

/** The calendar for payouts to a method in `country`; unknown or missing countries use the payouts region. */
export function payoutRegion(data: CalendarData, country: string | null): Region {
  return regionOfCountry(data, country) ?? regionById(data, data.payoutRegionId);
}

export function regionById(data: CalendarData, id: string): Region {
  const region = data.regions.find((candidate) => candidate.id === id);
  if (!region) {
    throw new AppError('INVALID_CHOICE', `there is no support region "${printable(id)}"`, {
      hint: `use one of ${data.regions.map((known) => known.id).join(', ')}`,
    });
  }
  return region;
}

function weekdaysText(weekdays: readonly number[]): string {
  const sorted = [...weekdays].sort((a, b) => a - b);
  const first = sorted[0] ?? 1;
  const last = sorted[sorted.length - 1] ?? 1;
  const contiguous = sorted.length > 2 && last - first === sorted.length - 1;
  const name = (weekday: number): string => WEEKDAY_NAMES[weekday - 1] ?? String(weekday);
  return contiguous ? `${name(first)}–${name(last)}` : sorted.map(name).join(', ');
}

/** One line for customers, e.g. "Monday–Friday 09:00–18:00 (Europe/Berlin time), closed on public holidays". */
export function openingHoursText(region: Region): string {
  return `${weekdaysText(region.weekdays)} ${region.open}–${region.close} (${region.timeZone} time), closed on public holidays`;
}
