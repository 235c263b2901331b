// The one way times and durations are shown to people: "2026-12-05 16:16 CET" in the viewer's time
// zone (TZ is honoured) or a region's, and "overdue by 8 h 50 min" rather than a negative duration.
// Piped output shows UTC in the same format; --json and CSV carry ISO 8601 UTC.

import { DateTime } from 'luxon';

export type TimeInput = string | number | Date;

function millis(at: TimeInput): number {
  return typeof at === 'number' ? at : typeof at === 'string' ? Date.parse(at) : at.getTime();
}

/** "2026-12-05 16:16 CET"; the zone's abbreviation, or its offset where it has none ("GMT+8"). */
export function humanTime(at: TimeInput, zone?: string): string {
  const ms = millis(at);
  if (!Number.isFinite(ms)) return String(at);
  const time = DateTime.fromMillis(ms, { zone: zone ?? 'local' });
  return `${time.toFormat('yyyy-MM-dd HH:mm')} ${abbreviation(time)}`;
}

/** CLDR gives a zone's abbreviation only in the English of its region ("CET" in en-GB, "EST" in en-US). */
const ABBREVIATION_LOCALES = ['en-US', 'en-GB', 'en-AU', 'en-IN'];

function abbreviation(time: DateTime): string {
  const names = ABBREVIATION_LOCALES.map((locale) => time.setLocale(locale).offsetNameShort ?? '');
  return names.find((name) => name !== '' && !/^GMT[+-]/.test(name)) ?? names[0] ?? time.toFormat('ZZ');
}

/** "2 h 05 min", "45 min": a length of time, never negative. */
export function humanDuration(minutes: number): string {
  const whole = Math.abs(Math.round(minutes));
  const hours = Math.floor(whole / 60);
  const rest = whole % 60;
  return hours === 0 ? `${rest} min` : `${hours} h ${rest.toString().padStart(2, '0')} min`;
}

/** Time left on a clock: "2 h 05 min left" or, past its due time, "overdue by 8 h 50 min". */
export function humanTimeLeft(leftMinutes: number): string {
  return leftMinutes < 0 ? `overdue by ${humanDuration(-leftMinutes)}` : `${humanDuration(leftMinutes)} left`;
}
