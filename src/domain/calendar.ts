import { IANAZone } from 'luxon';
import { AppError } from './errors.js';
import { printable } from './money.js';

// Support regions and their business calendars (data/calendars.json): which days a desk works.
// Calendar days are handled as "epoch days" (whole days since 1970-01-01 of the local calendar),
// so date arithmetic never touches time zones; business-time.ts maps days to instants.

export interface HolidayInfo {
  readonly name: string;
  readonly notice?: string;
}

export type HolidayRule =
  | (HolidayInfo & { readonly kind: 'fixed'; readonly month: number; readonly day: number; readonly observedOnWeekday: boolean })
  | (HolidayInfo & { readonly kind: 'nth-weekday'; readonly month: number; readonly weekday: number; readonly nth: number })
  | (HolidayInfo & { readonly kind: 'easter'; readonly offsetDays: number })
  | (HolidayInfo & { readonly kind: 'dates'; readonly firstDate: string; readonly lastDate: string });

export interface WorkingDay {
  readonly name: string;
  readonly date: string;
}

export interface Region {
  readonly id: string;
  readonly name: string;
  /** IANA zone that opening hours and calendar dates are read in. */
  readonly timeZone: string;
  /** Local opening and closing time, "HH:MM"; the desk is open from `open` up to (not including) `close`. */
  readonly open: string;
  readonly close: string;
  readonly openMinute: number;
  readonly closeMinute: number;
  /** ISO weekdays the desk works: 1 = Monday … 7 = Sunday. */
  readonly weekdays: readonly number[];
  /** ISO 3166-1 alpha-2 codes served by this region. */
  readonly countries: readonly string[];
  readonly holidays: readonly HolidayRule[];
  /** Announced days the desk opens although they are not regular weekdays (make-up working days). */
  readonly extraWorkingDays: readonly WorkingDay[];
}

export interface CalendarData {
  readonly regions: readonly Region[];
  /** Region for customers whose country is unknown or listed nowhere. */
  readonly defaultRegionId: string;
  /** Calendar for payout arrival dates when the payout method's country is unknown or listed nowhere. */
  readonly payoutRegionId: string;
}

const DAY_MS = 86_400_000;
const ISO_DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;
const COUNTRY_PATTERN = /^[A-Z]{2}$/;
const WEEKDAY_NAMES = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'] as const;

// ---- calendar days ----------------------------------------------------------------------------

/** The epoch day of a calendar date, or null when the date does not exist (2026-02-30). */
function dayFromParts(year: number, month: number, dayOfMonth: number): number | null {
  const ms = Date.UTC(year, month - 1, dayOfMonth);
  const date = new Date(ms);
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== dayOfMonth) return null;
  return ms / DAY_MS;
}

function dayFromIso(text: string): number | null {
  const match = ISO_DATE_PATTERN.exec(text);
  if (!match) return null;
  return dayFromParts(Number(match[1]), Number(match[2]), Number(match[3]));
}

export function isoFromDay(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** ISO weekday of an epoch day; day 0 (1970-01-01) was a Thursday. */
export function weekdayOfDay(day: number): number {
  return (((day + 3) % 7) + 7) % 7 + 1;
}

function yearOfDay(day: number): number {
  return new Date(day * DAY_MS).getUTCFullYear();
}

function easterSunday(year: number): number {
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

function nthWeekday(year: number, month: number, weekday: number, nth: number): number | null {
  if (nth === -1) {
    const last = Date.UTC(year, month, 1) / DAY_MS - 1;
    return last - ((weekdayOfDay(last) - weekday + 7) % 7);
  }
  const first = Date.UTC(year, month - 1, 1) / DAY_MS;
  const day = first + ((weekday - weekdayOfDay(first) + 7) % 7) + (nth - 1) * 7;
  return new Date(day * DAY_MS).getUTCMonth() === month - 1 ? day : null;
}

interface Closure {
  readonly day: number;
  readonly info: HolidayInfo;
}

function infoOf(rule: HolidayRule, suffix = ''): HolidayInfo {
  return rule.notice === undefined ? { name: rule.name + suffix } : { name: rule.name + suffix, notice: rule.notice };
}

/** The days a rule closes the desk for its `year` instance; an observed day may spill into the next or previous year. */
function ruleClosures(rule: HolidayRule, year: number): Closure[] {
  switch (rule.kind) {
    case 'fixed': {
      const day = dayFromParts(year, rule.month, rule.day);
      if (day === null) return [];
      const weekday = weekdayOfDay(day);
      if (!rule.observedOnWeekday || weekday < 6) return [{ day, info: infoOf(rule) }];
      return [{ day: weekday === 6 ? day - 1 : day + 1, info: infoOf(rule, ' (observed)') }];
    }
    case 'nth-weekday': {
      const day = nthWeekday(year, rule.month, rule.weekday, rule.nth);
      return day === null ? [] : [{ day, info: infoOf(rule) }];
    }
    case 'easter':
      return [{ day: easterSunday(year) + rule.offsetDays, info: infoOf(rule) }];
    case 'dates': {
      const closures: Closure[] = [];
      const lastDay = dayFromIso(rule.lastDate) ?? Number.NEGATIVE_INFINITY;
      for (let day = dayFromIso(rule.firstDate) ?? lastDay + 1; day <= lastDay; day += 1) {
        if (yearOfDay(day) === year) closures.push({ day, info: infoOf(rule) });
      }
      return closures;
    }
  }
}

// ---- holidays and business days ---------------------------------------------------------------

interface RegionCache {
  readonly holidaysByYear: Map<number, ReadonlyMap<number, HolidayInfo>>;
  readonly extraWorkingDays: ReadonlySet<number>;
}

// Holiday sets are derived from immutable parsed regions, so memoising them per region object is safe.
const caches = new WeakMap<Region, RegionCache>();

function cacheOf(region: Region): RegionCache {
  let cache = caches.get(region);
  if (!cache) {
    const extra = new Set(region.extraWorkingDays.map((working) => dayFromIso(working.date) ?? Number.NaN));
    cache = { holidaysByYear: new Map(), extraWorkingDays: extra };
    caches.set(region, cache);
  }
  return cache;
}

function holidaysOfYear(region: Region, year: number): ReadonlyMap<number, HolidayInfo> {
  const cache = cacheOf(region);
  const cached = cache.holidaysByYear.get(year);
  if (cached) return cached;
  // Announced one-off days come first so that their name and notice win over a rule for the same day.
  const ordered = [...region.holidays.filter((rule) => rule.kind === 'dates'), ...region.holidays.filter((rule) => rule.kind !== 'dates')];
  const holidays = new Map<number, HolidayInfo>();
  for (const rule of ordered) {
    for (const ruleYear of [year - 1, year, year + 1]) {
      for (const { day, info } of ruleClosures(rule, ruleYear)) {
        if (yearOfDay(day) === year && !holidays.has(day)) holidays.set(day, info);
      }
    }
  }
  cache.holidaysByYear.set(year, holidays);
  return holidays;
}

export function holidayOnDay(region: Region, day: number): HolidayInfo | null {
  return holidaysOfYear(region, yearOfDay(day)).get(day) ?? null;
}

/** A day the desk opens: a working weekday or an announced extra working day, and no holiday. */
export function isBusinessEpochDay(region: Region, day: number): boolean {
  const working = region.weekdays.includes(weekdayOfDay(day)) || cacheOf(region).extraWorkingDays.has(day);
  return working && holidayOnDay(region, day) === null;
}

function dayOfInput(localDateIso: string): number {
  const day = dayFromIso(localDateIso);
  if (day === null) throw new AppError('INVALID_DATE', `"${printable(localDateIso)}" is not a calendar date`, { hint: 'write it as YYYY-MM-DD, e.g. 2026-11-26' });
  return day;
}

/** The holiday on a local calendar date of the region, if any (also on a weekend). */
export function isHoliday(region: Region, localDateIso: string): HolidayInfo | null {
  return holidayOnDay(region, dayOfInput(localDateIso));
}

export function isBusinessDay(region: Region, localDateIso: string): boolean {
  return isBusinessEpochDay(region, dayOfInput(localDateIso));
}

// ---- regions ----------------------------------------------------------------------------------

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
    throw new AppError('INVALID_CHOICE', `there is no support region "${printable(id)}"`, { hint: `use one of ${data.regions.map((known) => known.id).join(', ')}` });
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

// ---- parsing the shipped data -----------------------------------------------------------------
// A mistake in data/calendars.json is a bug in what we ship, not a user error: plain Errors that
// name the exact field.

type JsonObject = Readonly<Record<string, unknown>>;

const CLOCK_PATTERN = /^([01][0-9]|2[0-3]):([0-5][0-9])$/;
const REGION_ID_PATTERN = /^[a-z][a-z0-9-]{0,31}$/;
const NAME_MAX_LENGTH = 80;
const NOTICE_MAX_LENGTH = 400;
const DESCRIPTION_MAX_LENGTH = 2_000;
const MAX_REGIONS = 50;
const MAX_HOLIDAYS = 500;
const MAX_PERIOD_DAYS = 62;
const MAX_EASTER_OFFSET_DAYS = 70;

function bad(path: string, problem: string): never {
  throw new Error(`calendars: ${path} ${problem}`);
}

function objectAt(value: unknown, path: string, fields: readonly string[]): JsonObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) bad(path, 'must be an object');
  const record = value as JsonObject;
  const unknown = Object.keys(record).find((key) => !fields.includes(key));
  if (unknown !== undefined) bad(`${path}.${unknown}`, 'is not a known field');
  return record;
}

function textAt(record: JsonObject, key: string, path: string, maxLength = NAME_MAX_LENGTH): string {
  const value = record[key];
  if (typeof value !== 'string' || value.trim() === '' || value.length > maxLength) {
    bad(`${path}.${key}`, `must be a non-empty text of at most ${maxLength} characters`);
  }
  return value;
}

function integerValue(value: unknown, path: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    bad(path, `must be an integer from ${min} to ${max}`);
  }
  return value;
}

function integerAt(record: JsonObject, key: string, path: string, min: number, max: number): number {
  return integerValue(record[key], `${path}.${key}`, min, max);
}

function listAt(record: JsonObject, key: string, path: string, maxItems: number): readonly unknown[] {
  const value = record[key];
  if (!Array.isArray(value) || value.length > maxItems) bad(`${path}.${key}`, `must be a list of at most ${maxItems} items`);
  return value;
}

function dateAt(record: JsonObject, key: string, path: string): string {
  const text = textAt(record, key, path);
  if (dayFromIso(text) === null) bad(`${path}.${key}`, `must be a date written YYYY-MM-DD, not "${text}"`);
  return text;
}

function clockAt(record: JsonObject, key: string, path: string): number {
  const match = CLOCK_PATTERN.exec(textAt(record, key, path));
  if (!match) bad(`${path}.${key}`, 'must be a local time written HH:MM');
  return Number(match[1]) * 60 + Number(match[2]);
}

function infoAt(record: JsonObject, path: string): HolidayInfo {
  const name = textAt(record, 'name', path);
  return record['notice'] === undefined ? { name } : { name, notice: textAt(record, 'notice', path, NOTICE_MAX_LENGTH) };
}

function parseHoliday(value: unknown, path: string): HolidayRule {
  const probe = objectAt(value, path, ['name', 'notice', 'month', 'day', 'observed', 'weekday', 'nth', 'easterOffsetDays', 'date', 'through']);
  if (probe['date'] !== undefined) return parseDatesHoliday(objectAt(value, path, ['name', 'notice', 'date', 'through']), path);
  if (probe['easterOffsetDays'] !== undefined) {
    const record = objectAt(value, path, ['name', 'notice', 'easterOffsetDays']);
    const offsetDays = integerAt(record, 'easterOffsetDays', path, -MAX_EASTER_OFFSET_DAYS, MAX_EASTER_OFFSET_DAYS);
    return { kind: 'easter', ...infoAt(record, path), offsetDays };
  }
  if (probe['weekday'] !== undefined) {
    const record = objectAt(value, path, ['name', 'notice', 'month', 'weekday', 'nth']);
    const nth = integerAt(record, 'nth', path, -1, 5);
    if (nth === 0) bad(`${path}.nth`, 'must be 1 to 5, or -1 for the last');
    return { kind: 'nth-weekday', ...infoAt(record, path), month: integerAt(record, 'month', path, 1, 12), weekday: integerAt(record, 'weekday', path, 1, 7), nth };
  }
  if (probe['day'] !== undefined) return parseFixedHoliday(objectAt(value, path, ['name', 'notice', 'month', 'day', 'observed']), path);
  return bad(path, 'needs one of: month+day, month+weekday+nth, easterOffsetDays, or date');
}

function parseFixedHoliday(record: JsonObject, path: string): HolidayRule {
  const month = integerAt(record, 'month', path, 1, 12);
  const day = integerAt(record, 'day', path, 1, 31);
  // 2000 was a leap year, so 29 February passes here and is skipped in the other years.
  if (dayFromParts(2000, month, day) === null) bad(path, `has no day ${day} in month ${month}`);
  const observed = record['observed'];
  if (observed !== undefined && observed !== 'nearest-weekday') bad(`${path}.observed`, 'must be "nearest-weekday" when given');
  return { kind: 'fixed', ...infoAt(record, path), month, day, observedOnWeekday: observed === 'nearest-weekday' };
}

function parseDatesHoliday(record: JsonObject, path: string): HolidayRule {
  const firstDate = dateAt(record, 'date', path);
  const lastDate = record['through'] === undefined ? firstDate : dateAt(record, 'through', path);
  const spanDays = (dayFromIso(lastDate) ?? 0) - (dayFromIso(firstDate) ?? 0);
  if (spanDays < 0 || spanDays >= MAX_PERIOD_DAYS) bad(`${path}.through`, `must be on or after "date" and within ${MAX_PERIOD_DAYS} days of it`);
  return { kind: 'dates', ...infoAt(record, path), firstDate, lastDate };
}

function parseWeekdays(record: JsonObject, path: string): number[] {
  const weekdays = listAt(record, 'weekdays', path, 7).map((value, index) => integerValue(value, `${path}.weekdays[${index}]`, 1, 7));
  if (weekdays.length === 0 || new Set(weekdays).size !== weekdays.length) bad(`${path}.weekdays`, 'must list at least one ISO weekday (1-7), each once');
  return weekdays;
}

function parseCountries(record: JsonObject, path: string): string[] {
  return listAt(record, 'countries', path, 300).map((value, index) => {
    if (typeof value !== 'string' || !COUNTRY_PATTERN.test(value)) bad(`${path}.countries[${index}]`, 'must be an upper-case ISO 3166 alpha-2 code');
    return value;
  });
}

function parseWorkingDays(record: JsonObject, path: string): WorkingDay[] {
  if (record['extraWorkingDays'] === undefined) return [];
  return listAt(record, 'extraWorkingDays', path, MAX_HOLIDAYS).map((value, index) => {
    const itemPath = `${path}.extraWorkingDays[${index}]`;
    const item = objectAt(value, itemPath, ['name', 'date']);
    return { name: textAt(item, 'name', itemPath), date: dateAt(item, 'date', itemPath) };
  });
}

function parseRegion(value: unknown, path: string): Region {
  const fields = ['id', 'name', 'timeZone', 'open', 'close', 'weekdays', 'countries', 'holidays', 'extraWorkingDays'];
  const record = objectAt(value, path, fields);
  const id = textAt(record, 'id', path);
  if (!REGION_ID_PATTERN.test(id)) bad(`${path}.id`, 'must be lower-case letters, digits and dashes');
  const timeZone = textAt(record, 'timeZone', path);
  if (!IANAZone.isValidZone(timeZone)) bad(`${path}.timeZone`, `"${timeZone}" is not an IANA time zone`);
  const openMinute = clockAt(record, 'open', path);
  const closeMinute = clockAt(record, 'close', path);
  if (openMinute >= closeMinute) bad(`${path}.close`, 'must be later than open');
  const region: Region = {
    id,
    name: textAt(record, 'name', path),
    timeZone,
    open: textAt(record, 'open', path),
    close: textAt(record, 'close', path),
    openMinute,
    closeMinute,
    weekdays: parseWeekdays(record, path),
    countries: parseCountries(record, path),
    holidays: listAt(record, 'holidays', path, MAX_HOLIDAYS).map((item, index) => parseHoliday(item, `${path}.holidays[${index}]`)),
    extraWorkingDays: parseWorkingDays(record, path),
  };
  checkWorkingDays(region, path);
  return region;
}

function checkWorkingDays(region: Region, path: string): void {
  region.extraWorkingDays.forEach((working, index) => {
    const day = dayFromIso(working.date) ?? 0;
    if (region.weekdays.includes(weekdayOfDay(day))) bad(`${path}.extraWorkingDays[${index}]`, `${working.date} is a regular working weekday already`);
    if (holidayOnDay(region, day) !== null) bad(`${path}.extraWorkingDays[${index}]`, `${working.date} is also a holiday`);
  });
}

function firstDuplicate(values: readonly string[]): string | undefined {
  const seen = new Set<string>();
  return values.find((value) => (seen.has(value) ? true : (seen.add(value), false)));
}

/** Descriptions document the file for people; they only need to be text. */
function optionalDescriptionAt(record: JsonObject, path: string): void {
  if (record['description'] !== undefined) textAt(record, 'description', path, DESCRIPTION_MAX_LENGTH);
}

function knownRegionAt(record: JsonObject, key: string, path: string, regions: readonly Region[]): string {
  const id = textAt(record, key, path);
  if (!regions.some((region) => region.id === id)) bad(`${path}.${key}`, `names no region: "${id}"`);
  return id;
}

/** Validates the parsed contents of data/calendars.json; throws a plain Error naming the bad field. */
export function parseCalendars(json: unknown): CalendarData {
  const record = objectAt(json, 'calendars', ['description', 'defaultRegion', 'payouts', 'regions']);
  optionalDescriptionAt(record, 'calendars');
  const regions = listAt(record, 'regions', 'calendars', MAX_REGIONS).map((value, index) => parseRegion(value, `regions[${index}]`));
  if (regions.length === 0) bad('regions', 'must list at least one region');
  const duplicateId = firstDuplicate(regions.map((region) => region.id));
  if (duplicateId !== undefined) bad('regions', `use the id "${duplicateId}" twice`);
  const duplicateCountry = firstDuplicate(regions.flatMap((region) => region.countries));
  if (duplicateCountry !== undefined) bad('regions', `list the country ${duplicateCountry} twice`);
  const defaultRegionId = knownRegionAt(record, 'defaultRegion', 'calendars', regions);
  if (record['payouts'] === undefined) return { regions, defaultRegionId, payoutRegionId: defaultRegionId };
  const payouts = objectAt(record['payouts'], 'payouts', ['region', 'description']);
  optionalDescriptionAt(payouts, 'payouts');
  return { regions, defaultRegionId, payoutRegionId: knownRegionAt(payouts, 'region', 'payouts', regions) };
}
