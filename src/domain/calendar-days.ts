// Calendar days as "epoch days" (whole days since 1970-01-01 of the local calendar), so date
// arithmetic never touches time zones; business-time.ts maps days to instants.

const DAY_MS = 86_400_000;
const ISO_DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

/** The epoch day of a calendar date, or null when the date does not exist (2026-02-30). */
export function dayFromParts(year: number, month: number, dayOfMonth: number): number | null {
  const ms = Date.UTC(year, month - 1, dayOfMonth);
  const date = new Date(ms);
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== dayOfMonth) return null;
  return ms / DAY_MS;
}

export function dayFromIso(text: string): number | null {
  const match = ISO_DATE_PATTERN.exec(text);
  if (!match) return null;
  return dayFromParts(Number(match[1]), Number(match[2]), Number(match[3]));
}

export function isoFromDay(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** ISO weekday of an epoch day; day 0 (1970-01-01) was a Thursday. */
export function weekdayOfDay(day: number): number {
  return ((((day + 3) % 7) + 7) % 7) + 1;
}

export function yearOfDay(day: number): number {
  return new Date(day * DAY_MS).getUTCFullYear();
}

export function easterSunday(year: number): number {
  // Anonymous Gregorian algorithm (Meeus/Jones/Butcher).
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const dayOfMonth = ((h + l - 7 * m + 114) % 31) + 1;
  return Date.UTC(year, month - 1, dayOfMonth) / DAY_MS;
}

export function nthWeekday(year: number, month: number, weekday: number, nth: number): number | null {
  if (nth === -1) {
    const last = Date.UTC(year, month, 1) / DAY_MS - 1;
    return last - ((weekdayOfDay(last) - weekday + 7) % 7);
  }
  const first = Date.UTC(year, month - 1, 1) / DAY_MS;
  const day = first + ((weekday - weekdayOfDay(first) + 7) % 7) + (nth - 1) * 7;
  return new Date(day * DAY_MS).getUTCMonth() === month - 1 ? day : null;
}
