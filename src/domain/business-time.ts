import { DateTime } from 'luxon';
import { isoFromDay, weekdayOfDay } from './calendar-days.js';
import { type HolidayInfo, type Region, holidayOnDay, isBusinessEpochDay } from './calendar.js';

// Business time of a support region: SLA clocks and payout arrival dates. Business minutes are
// real elapsed minutes inside opening hours, so a 09:00–18:00 day is 540 minutes even on the
// day clocks change (the change happens at night), and hours read in the region's own zone.
// Hand-written on top of luxon: no kept library counts minutes inside opening hours with holidays.

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
/** Twenty years: far beyond any SLA or payout, and a bound on every scan over the calendar. */
const MAX_SCAN_DAYS = 7_305;
/** The most minutes `addBusinessMinutes` counts. */
export const MAX_BUSINESS_MINUTES = 1_000_000;
const MAX_BUSINESS_DAYS = 366;
const MAX_UPCOMING_DAYS = 731;

interface Window {
  readonly openMs: number;
  readonly closeMs: number;
}

export interface UpcomingHoliday extends HolidayInfo {
  /** Local date in the region, YYYY-MM-DD. */
  readonly date: string;
}

function assertInstant(ms: number, what: string): void {
  if (!Number.isSafeInteger(ms)) throw new RangeError(`${what} must be whole epoch milliseconds, got ${ms}`);
}

function assertCount(value: number, max: number, what: string): void {
  if (!Number.isSafeInteger(value) || value < 0 || value > max) throw new RangeError(`${what} must be a whole number from 0 to ${max}, got ${value}`);
}

function scanLimit(region: Region): RangeError {
  return new RangeError(`the ${region.id} calendar has no answer within ${MAX_SCAN_DAYS} days`);
}

/** The region's local calendar day (epoch day) that contains the instant. */
function localDay(region: Region, atMs: number): number {
  return Math.floor((atMs + offsetMinutesAt(region.timeZone, atMs) * MINUTE_MS) / DAY_MS);
}

// A zone's UTC offset changes only at its transitions, a few instants a year: the offset is
// memoised per UTC day when it is the same at the day's start, noon and end
// (asking luxon costs about 20 µs, and a queue asks about the instants of hundreds of groups and
// tickets, nearly all in different hours of a few dozen days), else per hour of the day when it is
// the same at both ends of that hour (an hour holding a transition is always computed exactly).
// Bounded like the windows below.
const HOUR_MS = 3_600_000;
const SAMPLE_HOURS = 12;
const dayOffsetCaches = new Map<string, Map<number, number | null>>();
const offsetCaches = new Map<string, Map<number, number>>();
const MAX_CACHED_DAYS = 20_000;
const MAX_CACHED_HOURS = 200_000;

function zoneOffsetMinutes(timeZone: string, atMs: number): number {
  return DateTime.fromMillis(atMs, { zone: timeZone }).offset;
}

/** The zone's offset all through the UTC day `day`, or null when it changes during it. */
function dayOffset(timeZone: string, day: number): number | null {
  let cache = dayOffsetCaches.get(timeZone);
  if (!cache) dayOffsetCaches.set(timeZone, (cache = new Map()));
  const known = cache.get(day);
  if (known !== undefined) return known;
  const startMs = day * DAY_MS;
  const offset = zoneOffsetMinutes(timeZone, startMs);
  let same = zoneOffsetMinutes(timeZone, startMs + DAY_MS - 1) === offset;
  for (let hour = SAMPLE_HOURS; same && hour < 24; hour += SAMPLE_HOURS) same = zoneOffsetMinutes(timeZone, startMs + hour * HOUR_MS) === offset;
  if (cache.size >= MAX_CACHED_DAYS) cache.clear();
  cache.set(day, same ? offset : null);
  return same ? offset : null;
}

function offsetMinutesAt(timeZone: string, atMs: number): number {
  const wholeDay = dayOffset(timeZone, Math.floor(atMs / DAY_MS));
  if (wholeDay !== null) return wholeDay;
  let cache = offsetCaches.get(timeZone);
  if (!cache) offsetCaches.set(timeZone, (cache = new Map()));
  const hour = Math.floor(atMs / HOUR_MS);
  const known = cache.get(hour);
  if (known !== undefined) return known;
  const start = zoneOffsetMinutes(timeZone, hour * HOUR_MS);
  const end = zoneOffsetMinutes(timeZone, (hour + 1) * HOUR_MS - 1);
  if (start !== end) return zoneOffsetMinutes(timeZone, atMs);
  if (cache.size >= MAX_CACHED_HOURS) cache.clear();
  cache.set(hour, start);
  return start;
}

const MAX_CACHED_WINDOWS = 50_000;
const localTimeCaches = new WeakMap<Region, Map<number, number>>();

function localTimeMs(region: Region, day: number, minuteOfDay: number): number {
  let cache = localTimeCaches.get(region);
  if (!cache) localTimeCaches.set(region, (cache = new Map()));
  const key = day * 1_440 + minuteOfDay;
  const known = cache.get(key);
  if (known !== undefined) return known;
  const ms = zonedTimeMs(region, day, minuteOfDay);
  if (cache.size >= MAX_CACHED_WINDOWS) cache.clear();
  cache.set(key, ms);
  return ms;
}

function zonedTimeMs(region: Region, day: number, minuteOfDay: number): number {
  const date = new Date(day * DAY_MS);
  const local = DateTime.fromObject(
    { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate(), hour: Math.floor(minuteOfDay / 60), minute: minuteOfDay % 60 },
    { zone: region.timeZone },
  );
  return local.toMillis();
}

// Converting local times through the zone rules costs ~20 µs each, and queues recompute the same
// days for every ticket: windows are memoised per (immutable) region, with a bound on memory.
const windowCaches = new WeakMap<Region, Map<number, Window | null>>();

function windowOf(region: Region, day: number): Window | null {
  let cache = windowCaches.get(region);
  if (!cache) {
    cache = new Map();
    windowCaches.set(region, cache);
  }
  const cached = cache.get(day);
  if (cached !== undefined) return cached;
  const window = isBusinessEpochDay(region, day)
    ? { openMs: localTimeMs(region, day, region.openMinute), closeMs: localTimeMs(region, day, region.closeMinute) }
    : null;
  if (cache.size >= MAX_CACHED_WINDOWS) cache.clear();
  cache.set(day, window);
  return window;
}

// A queue asks for the business time of thousands of tickets opened weeks apart: a running total
// of open time per day makes each answer a subtraction instead of a walk over every day between.
interface RunningTotals {
  /** The first day counted. */
  base: number;
  /** totals[i]: open milliseconds of the days from `base` up to (not including) `base + i`. */
  readonly totals: number[];
}

const runningTotals = new WeakMap<Region, RunningTotals>();

function openMsOfDay(region: Region, day: number): number {
  const window = windowOf(region, day);
  return window ? window.closeMs - window.openMs : 0;
}

/**
 * Open milliseconds of the region from the start of `fromDay` up to (not including) `toDay`. Both
 * ends are read from the same running totals: totals counted afresh from another base day between
 * two reads would make their difference meaningless.
 */
function openMsBetweenDays(region: Region, fromDay: number, toDay: number): number {
  let running = runningTotals.get(region);
  if (!running || fromDay < running.base || toDay - running.base > 2 * MAX_SCAN_DAYS) {
    // Counted afresh from a little before: queues ask about recent days, older ones first.
    running = { base: fromDay - MAX_BUSINESS_DAYS, totals: [0] };
    runningTotals.set(region, running);
  }
  const { base, totals } = running;
  while (totals.length <= toDay - base) totals.push((totals[totals.length - 1] as number) + openMsOfDay(region, base + totals.length - 1));
  return (totals[toDay - base] as number) - (totals[fromDay - base] as number);
}

function* windowsFrom(region: Region, firstDay: number): Generator<Window> {
  for (let day = firstDay; day < firstDay + MAX_SCAN_DAYS; day += 1) {
    const window = windowOf(region, day);
    if (window) yield window;
  }
}

/** The earliest instant at which `businessMs` of open time have passed since `startMs`. */
function advance(region: Region, startMs: number, businessMs: number): number {
  let remainingMs = businessMs;
  for (const window of windowsFrom(region, localDay(region, startMs))) {
    if (window.closeMs <= startMs) continue;
    const fromMs = Math.max(window.openMs, startMs);
    if (remainingMs <= window.closeMs - fromMs) return fromMs + remainingMs;
    remainingMs -= window.closeMs - fromMs;
  }
  throw scanLimit(region);
}

export function isOpenAt(region: Region, atMs: number): boolean {
  assertInstant(atMs, 'atMs');
  const window = windowOf(region, localDay(region, atMs));
  return window !== null && window.openMs <= atMs && atMs < window.closeMs;
}

/** `atMs` itself while the desk is open, else the next opening. */
export function nextOpeningMs(region: Region, atMs: number): number {
  assertInstant(atMs, 'atMs');
  return advance(region, atMs, 0);
}

/**
 * The instant when `minutes` of business time have passed since `startMs`. A start outside hours
 * starts counting at the next opening; a count that runs out exactly at closing time ends then,
 * not at the next opening.
 */
export function addBusinessMinutes(region: Region, startMs: number, minutes: number): number {
  assertInstant(startMs, 'startMs');
  assertCount(minutes, MAX_BUSINESS_MINUTES, 'minutes');
  return advance(region, startMs, minutes * MINUTE_MS);
}

/**
 * Whole business minutes from `fromMs` to `toMs`, truncated toward zero (a partial minute does
 * not count). Negative when `toMs` is earlier, so that `between(a, b) === -between(b, a)`: an SLA
 * deadline already passed shows as negative time left.
 */
export function businessMinutesBetween(region: Region, fromMs: number, toMs: number): number {
  assertInstant(fromMs, 'fromMs');
  assertInstant(toMs, 'toMs');
  const earlierMs = Math.min(fromMs, toMs);
  const laterMs = Math.max(fromMs, toMs);
  const firstDay = localDay(region, earlierMs);
  const lastDay = localDay(region, laterMs);
  if (lastDay - firstDay > MAX_SCAN_DAYS) throw scanLimit(region);
  const partial = (day: number): number => {
    const window = windowOf(region, day);
    return window ? Math.max(0, Math.min(window.closeMs, laterMs) - Math.max(window.openMs, earlierMs)) : 0;
  };
  // The days strictly between lie wholly inside the span: their open time comes from running totals.
  const between = lastDay - firstDay > 1 ? openMsBetweenDays(region, firstDay + 1, lastDay) : 0;
  const totalMs = partial(firstDay) + between + (lastDay > firstDay ? partial(lastDay) : 0);
  const minutes = Math.floor(totalMs / MINUTE_MS);
  return minutes === 0 || toMs >= fromMs ? minutes : -minutes;
}

function nextBusinessDay(region: Region, afterDay: number): number {
  for (let day = afterDay + 1; day <= afterDay + MAX_SCAN_DAYS; day += 1) {
    if (isBusinessEpochDay(region, day)) return day;
  }
  throw scanLimit(region);
}

/**
 * Expected arrival of a payout: closing time of the `days`-th business day after the day the
 * request starts being processed. A request made on a business day before closing is processed
 * that day; one made after closing, on a weekend or on a holiday is processed on the next
 * business day. So Friday 10:00 + 1 is Monday at closing time, Friday 19:00 + 1 is Tuesday, and
 * `days` = 0 means closing time of the processing day itself.
 */
export function addBusinessDays(region: Region, startMs: number, days: number): number {
  assertInstant(startMs, 'startMs');
  assertCount(days, MAX_BUSINESS_DAYS, 'days');
  const startDay = localDay(region, startMs);
  const sameDay = windowOf(region, startDay);
  let day = sameDay !== null && startMs < sameDay.closeMs ? startDay : nextBusinessDay(region, startDay);
  for (let counted = 0; counted < days; counted += 1) day = nextBusinessDay(region, day);
  return localTimeMs(region, day, region.closeMinute);
}

/**
 * Holidays that close the desk on one of its regular weekdays during the `days` local calendar
 * days starting with the day of `fromMs` (today included). Holidays on days the desk is closed
 * anyway are left out: they change nothing for the customer.
 */
export function upcomingHolidays(region: Region, fromMs: number, days: number): UpcomingHoliday[] {
  assertInstant(fromMs, 'fromMs');
  assertCount(days, MAX_UPCOMING_DAYS, 'days');
  const firstDay = localDay(region, fromMs);
  const upcoming: UpcomingHoliday[] = [];
  for (let day = firstDay; day < firstDay + days; day += 1) {
    const holiday = holidayOnDay(region, day);
    if (holiday !== null && region.weekdays.includes(weekdayOfDay(day))) upcoming.push({ date: isoFromDay(day), ...holiday });
  }
  return upcoming;
}
