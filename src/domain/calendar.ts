import { IANAZone } from 'luxon';
import * as v from 'valibot';
import { dayFromIso, dayFromParts, easterSunday, nthWeekday, weekdayOfDay, yearOfDay } from './calendar-days.js';
import { AppError } from './errors.js';
import { printable } from './money.js';
import { hasItsShape, int, noDuplicates, parseShippedData, record, strictObject, type Schema } from './schema.js';

// Support regions and their business calendars (data/calendars.json): which days a desk works,
// from its weekdays, its holiday rules and its announced extra working days. Calendar days are
// epoch days (calendar-days.ts); which region serves a country is in support-regions.ts.

const COUNTRY_PATTERN = /^[A-Z]{2}$/;

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
  if (day === null)
    throw new AppError('INVALID_DATE', `"${printable(localDateIso)}" is not a calendar date`, { hint: 'write it as YYYY-MM-DD, e.g. 2026-11-26' });
  return day;
}

/** The holiday on a local calendar date of the region, if any (also on a weekend). */
export function isHoliday(region: Region, localDateIso: string): HolidayInfo | null {
  return holidayOnDay(region, dayOfInput(localDateIso));
}

export function isBusinessDay(region: Region, localDateIso: string): boolean {
  return isBusinessEpochDay(region, dayOfInput(localDateIso));
}

// ---- the shipped data (data/calendars.json) --------------------------------------------------
// A mistake there is a bug in what we ship, not a user error: a plain Error naming every bad field.

const CLOCK_PATTERN = /^([01][0-9]|2[0-3]):([0-5][0-9])$/;
const REGION_ID_PATTERN = /^[a-z][a-z0-9-]{0,31}$/;
const NAME_MAX_LENGTH = 80;
const NOTICE_MAX_LENGTH = 400;
const DESCRIPTION_MAX_LENGTH = 2_000;
const MAX_REGIONS = 50;
const MAX_HOLIDAYS = 500;
const MAX_PERIOD_DAYS = 62;
const MAX_EASTER_OFFSET_DAYS = 70;

function text(maxLength = NAME_MAX_LENGTH) {
  const error = `must be a non-empty text of at most ${maxLength} characters`;
  return v.pipe(
    v.string(error),
    v.check((value) => value.trim() !== '' && value.length <= maxLength, error),
  );
}

function integerIn(min: number, max: number) {
  const error = `must be an integer from ${min} to ${max}`;
  return v.pipe(int(error), v.minValue(min, error), v.maxValue(max, error));
}

function listOf<T extends Schema>(item: T, maxItems: number, error = `must be a list of at most ${maxItems} items`) {
  return v.pipe(v.array(item, error), v.maxLength(maxItems, error));
}

const isoDate = () =>
  v.pipe(
    text(),
    v.check(
      (value) => dayFromIso(value) !== null,
      (issue) => `must be a date written YYYY-MM-DD, not "${String(issue.input)}"`,
    ),
  );
const clock = () => v.pipe(text(), v.regex(CLOCK_PATTERN, 'must be a local time written HH:MM'));
const minuteOfClock = (value: string): number => Number(value.slice(0, 2)) * 60 + Number(value.slice(3, 5));
const info = { name: text(), notice: v.optional(text(NOTICE_MAX_LENGTH)) };

// 2000 was a leap year, so 29 February passes here and is skipped in the other years.
const fixedHolidaySchema = v.pipe(
  v.pipe(
    strictObject({
      ...info,
      month: integerIn(1, 12),
      day: integerIn(1, 31),
      observed: v.optional(v.literal('nearest-weekday', 'must be "nearest-weekday" when given')),
    }),
    v.check(
      (rule) => dayFromParts(2000, rule.month, rule.day) !== null,
      (issue) => `has no day ${dayOf(issue.input)} in month ${monthOf(issue.input)}`,
    ),
  ),
  v.transform(({ observed, ...rule }) => ({ kind: 'fixed' as const, ...rule, observedOnWeekday: observed === 'nearest-weekday' })),
);

const nthWeekdayHolidaySchema = v.pipe(
  strictObject({
    ...info,
    month: integerIn(1, 12),
    weekday: integerIn(1, 7),
    nth: v.pipe(
      integerIn(-1, 5),
      v.check((nth) => nth !== 0, 'must be 1 to 5, or -1 for the last'),
    ),
  }),
  v.transform((rule) => ({ kind: 'nth-weekday' as const, ...rule })),
);

const easterHolidaySchema = v.pipe(
  strictObject({ ...info, easterOffsetDays: integerIn(-MAX_EASTER_OFFSET_DAYS, MAX_EASTER_OFFSET_DAYS) }),
  v.transform(({ easterOffsetDays, ...rule }) => ({ kind: 'easter' as const, ...rule, offsetDays: easterOffsetDays })),
);

const datesHolidaySchema = v.pipe(
  v.pipe(
    strictObject({ ...info, date: isoDate(), through: v.optional(isoDate()) }),
    v.forward(
      v.check((rule) => {
        const spanDays = (dayFromIso(rule.through ?? rule.date) ?? 0) - (dayFromIso(rule.date) ?? 0);
        return spanDays >= 0 && spanDays < MAX_PERIOD_DAYS;
      }, `must be on or after "date" and within ${MAX_PERIOD_DAYS} days of it`),
      ['through'],
    ),
  ),
  v.transform(({ date, through, ...rule }) => ({ kind: 'dates' as const, ...rule, firstDate: date, lastDate: through ?? date })),
);

function dayOf(input: unknown): unknown {
  return (input as { day?: unknown }).day;
}

function monthOf(input: unknown): unknown {
  return (input as { month?: unknown }).month;
}

/** Which rule an entry states follows from the fields it has, so its other fields are checked against that rule. */
function holidaySchemaOf(entry: Readonly<Record<string, unknown>>) {
  if (entry['date'] !== undefined) return datesHolidaySchema;
  if (entry['easterOffsetDays'] !== undefined) return easterHolidaySchema;
  if (entry['weekday'] !== undefined) return nthWeekdayHolidaySchema;
  if (entry['day'] !== undefined) return fixedHolidaySchema;
  return noRuleSchema;
}

const noRuleSchema = v.custom<never>(() => false, 'needs one of: month+day, month+weekday+nth, easterOffsetDays, or date');

const holidaySchema = v.pipe(
  record(v.string(), v.unknown(), 'must be an object'),
  v.lazy((entry) => holidaySchemaOf(entry as Readonly<Record<string, unknown>>)),
);

export type HolidayRule =
  | v.InferOutput<typeof fixedHolidaySchema>
  | v.InferOutput<typeof nthWeekdayHolidaySchema>
  | v.InferOutput<typeof easterHolidaySchema>
  | v.InferOutput<typeof datesHolidaySchema>;
export type HolidayInfo = Pick<HolidayRule, 'name' | 'notice'>;

const workingDaySchema = strictObject({ name: text(), date: isoDate() });
export type WorkingDay = v.InferOutput<typeof workingDaySchema>;

const WEEKDAYS_PROBLEM = 'must list at least one ISO weekday (1-7), each once';

const regionSchema = v.pipe(
  v.pipe(
    strictObject({
      id: v.pipe(text(), v.regex(REGION_ID_PATTERN, 'must be lower-case letters, digits and dashes')),
      name: text(),
      /** IANA zone that opening hours and calendar dates are read in. */
      timeZone: v.pipe(
        text(),
        v.check(
          (zone) => IANAZone.isValidZone(zone),
          (issue) => `"${String(issue.input)}" is not an IANA time zone`,
        ),
      ),
      /** Local opening and closing time, "HH:MM"; the desk is open from `open` up to (not including) `close`. */
      open: clock(),
      close: clock(),
      /** ISO weekdays the desk works: 1 = Monday … 7 = Sunday. */
      weekdays: v.pipe(
        listOf(integerIn(1, 7), 7),
        v.check((days) => days.length > 0 && new Set(days).size === days.length, WEEKDAYS_PROBLEM),
      ),
      /** ISO 3166-1 alpha-2 codes served by this region. */
      countries: listOf(
        v.pipe(v.string('must be an upper-case ISO 3166 alpha-2 code'), v.regex(COUNTRY_PATTERN, 'must be an upper-case ISO 3166 alpha-2 code')),
        300,
      ),
      holidays: listOf(holidaySchema, MAX_HOLIDAYS),
      /** Announced days the desk opens although they are not regular weekdays (make-up working days). */
      extraWorkingDays: v.optional(listOf(workingDaySchema, MAX_HOLIDAYS)),
    }),
    v.forward(
      v.check((region) => minuteOfClock(region.open) < minuteOfClock(region.close), 'must be later than open'),
      ['close'],
    ),
  ),
  v.rawTransform(({ dataset: { value: read }, addIssue }) => {
    const { extraWorkingDays, ...region } = read;
    const working = extraWorkingDays ?? [];
    const parsed = { ...region, openMinute: minuteOfClock(region.open), closeMinute: minuteOfClock(region.close), extraWorkingDays: working };
    extraWorkingDayProblems(parsed).forEach(([index, message]) =>
      addIssue({
        message,
        path: [
          { type: 'object', origin: 'value', input: parsed, key: 'extraWorkingDays', value: working },
          { type: 'array', origin: 'value', input: working, key: index, value: working[index] },
        ],
      }),
    );
    return parsed;
  }),
);

export type Region = Readonly<v.InferOutput<typeof regionSchema>>;

/** An extra working day must be a day the desk would otherwise be closed, and no holiday. */
function extraWorkingDayProblems(region: Region): [number, string][] {
  return region.extraWorkingDays.flatMap((working, index): [number, string][] => {
    const day = dayFromIso(working.date) ?? 0;
    if (region.weekdays.includes(weekdayOfDay(day))) return [[index, `${working.date} is a regular working weekday already`]];
    if (holidayOnDay(region, day) !== null) return [[index, `${working.date} is also a holiday`]];
    return [];
  });
}

/** Descriptions document the file for people; they only need to be text. */
const description = () => v.optional(text(DESCRIPTION_MAX_LENGTH));

const calendarsSchema = v.pipe(
  strictObject({
    description: description(),
    /** Region for customers whose country is unknown or listed nowhere. */
    defaultRegion: text(),
    /** Calendar for payout arrival dates when the payout method's country is unknown or listed nowhere. */
    payouts: v.optional(strictObject({ region: text(), description: description() })),
    regions: v.pipe(
      listOf(regionSchema, MAX_REGIONS, `must list at least one region and at most ${MAX_REGIONS}`),
      v.minLength(1, `must list at least one region and at most ${MAX_REGIONS}`),
      noDuplicates(
        (region: Region) => region.id,
        (id) => `uses the id "${id}" twice`,
      ),
      v.rawCheck(({ dataset, addIssue }) => {
        if (!hasItsShape(dataset)) return;
        const seen = new Set<string>();
        for (const country of (dataset.value as Region[]).flatMap((region) => region.countries)) {
          if (seen.has(country)) addIssue({ message: `list the country ${country} twice` });
          seen.add(country);
        }
      }),
    ),
  }),
  v.forward(
    v.check(
      (file) => file.regions.some((region) => region.id === file.defaultRegion),
      (issue) => `names no region: "${String((issue.input as { defaultRegion?: unknown }).defaultRegion)}"`,
    ),
    ['defaultRegion'],
  ),
  v.forward(
    v.check(
      (file) => file.payouts === undefined || file.regions.some((region) => region.id === file.payouts?.region),
      (issue) => `names no region: "${String((issue.input as { payouts?: { region?: unknown } }).payouts?.region)}"`,
    ),
    ['payouts', 'region'],
  ),
);

export interface CalendarData {
  readonly regions: readonly Region[];
  /** Region for customers whose country is unknown or listed nowhere. */
  readonly defaultRegionId: string;
  /** Calendar for payout arrival dates when the payout method's country is unknown or listed nowhere. */
  readonly payoutRegionId: string;
}

/** Reads data/calendars.json; throws a plain Error naming every bad field. */
export function parseCalendars(json: unknown): CalendarData {
  const file = parseShippedData(calendarsSchema, json, 'calendars');
  return { regions: file.regions, defaultRegionId: file.defaultRegion, payoutRegionId: file.payouts?.region ?? file.defaultRegion };
}
