import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { addBusinessDays, addBusinessMinutes, businessMinutesBetween, isOpenAt, nextOpeningMs, upcomingHolidays } from '../../src/domain/business-time.js';
import { type CalendarData, type Region, isBusinessDay, isHoliday, parseCalendars } from '../../src/domain/calendar.js';
import { openingHoursText, payoutRegion, regionById, regionForCountry } from '../../src/domain/support-regions.js';
import { appErrorOf } from '../support/app-error.js';

const shipped: unknown = JSON.parse(readFileSync(new URL('../../data/calendars.json', import.meta.url), 'utf8'));
const data: CalendarData = parseCalendars(shipped);
const americas = regionById(data, 'americas');
const europe = regionById(data, 'europe');
const asia = regionById(data, 'asia');

/** An instant given as wall-clock time in the region's zone. */
function at(region: Region, local: string): number {
  const instant = DateTime.fromISO(local, { zone: region.timeZone });
  if (!instant.isValid) throw new Error(`bad test time ${local}`);
  return instant.toMillis();
}

function local(region: Region, ms: number): string {
  return DateTime.fromMillis(ms, { zone: region.timeZone }).toFormat("yyyy-MM-dd'T'HH:mm");
}

function utc(ms: number): string {
  return new Date(ms).toISOString();
}

function expectAppError(run: () => unknown, code: string): void {
  expect(appErrorOf(run).code).toBe(code);
}

function regionData(overrides: Record<string, unknown>): Record<string, unknown> {
  return {
    id: 'test',
    name: 'Test',
    timeZone: 'Europe/Berlin',
    open: '09:00',
    close: '18:00',
    weekdays: [1, 2, 3, 4, 5],
    countries: [],
    holidays: [],
    ...overrides,
  };
}

function withRegion(overrides: Record<string, unknown>): unknown {
  return { defaultRegion: 'test', regions: [regionData(overrides)] };
}

describe('parseCalendars', () => {
  it('reads the shipped calendars', () => {
    expect(data.regions.map((region) => region.id)).toEqual(['americas', 'europe', 'asia']);
    expect(data.defaultRegionId).toBe('europe');
    expect(data.payoutRegionId).toBe('europe');
    expect(europe).toMatchObject({ timeZone: 'Europe/Berlin', open: '09:00', close: '18:00', openMinute: 540, closeMinute: 1080, weekdays: [1, 2, 3, 4, 5] });
  });

  it('uses the default region for payouts when no payouts section is given', () => {
    expect(parseCalendars(withRegion({})).payoutRegionId).toBe('test');
  });

  it.each([
    ['a non-object', null, /must be an object/],
    ['an unknown field', { ...(withRegion({}) as object), extra: 1 }, /calendars: extra is not a known field/],
    ['no regions', { defaultRegion: 'x', regions: [] }, /at least one region/],
    ['an unknown time zone', withRegion({ timeZone: 'Mars/Olympus' }), /not an IANA time zone/],
    ['a malformed opening time', withRegion({ open: '9:00' }), /regions\[0\]\.open must be a local time/],
    ['closing before opening', withRegion({ open: '18:00', close: '09:00' }), /must be later than open/],
    ['an empty weekday list', withRegion({ weekdays: [] }), /at least one ISO weekday/],
    ['a weekday 0', withRegion({ weekdays: [0, 1] }), /weekdays\[0\] must be an integer from 1 to 7/],
    ['a lower-case country', withRegion({ countries: ['de'] }), /countries\[0\] must be an upper-case/],
    ['30 February', withRegion({ holidays: [{ name: 'x', month: 2, day: 30 }] }), /has no day 30 in month 2/],
    ['a mixed holiday entry', withRegion({ holidays: [{ name: 'x', month: 1, day: 1, weekday: 1, nth: 1 }] }), /holidays\[0\]\.day is not a known field/],
    ['nth 0', withRegion({ holidays: [{ name: 'x', month: 1, weekday: 1, nth: 0 }] }), /must be 1 to 5, or -1/],
    ['an unknown observed rule', withRegion({ holidays: [{ name: 'x', month: 1, day: 1, observed: 'always' }] }), /observed must be/],
    [
      'a period that ends before it starts',
      withRegion({ holidays: [{ name: 'x', date: '2026-02-10', through: '2026-02-01' }] }),
      /through must be on or after/,
    ],
    ['an impossible one-off date', withRegion({ holidays: [{ name: 'x', date: '2026-13-01' }] }), /date must be a date written YYYY-MM-DD/],
    ['a holiday without a date rule', withRegion({ holidays: [{ name: 'x' }] }), /needs one of/],
    ['a nameless holiday', withRegion({ holidays: [{ month: 1, day: 1 }] }), /name must be a non-empty text/],
    ['an extra working day on a weekday', withRegion({ extraWorkingDays: [{ name: 'x', date: '2026-02-16' }] }), /regular working weekday/],
    [
      'an extra working day on a holiday',
      withRegion({ extraWorkingDays: [{ name: 'x', date: '2026-02-14' }], holidays: [{ name: 'y', date: '2026-02-14' }] }),
      /also a holiday/,
    ],
    ['an unknown default region', { defaultRegion: 'nowhere', regions: [regionData({})] }, /defaultRegion names no region/],
    ['an unknown payouts region', { defaultRegion: 'test', payouts: { region: 'nowhere' }, regions: [regionData({})] }, /payouts\.region names no region/],
    ['a duplicate region id', { defaultRegion: 'test', regions: [regionData({}), regionData({})] }, /id "test" twice/],
    ['a description that is not text', { ...(withRegion({}) as object), description: 7 }, /calendars: description must be a non-empty text/],
    [
      'a country in two regions',
      { defaultRegion: 'a', regions: [regionData({ id: 'a', countries: ['DE'] }), regionData({ id: 'b', countries: ['DE'] })] },
      /country DE twice/,
    ],
  ])('refuses %s', (_, json, message) => {
    expect(() => parseCalendars(json)).toThrow(message);
  });

  it('names every bad field at once, each with its path', () => {
    const json = {
      defaultRegion: 'test',
      regions: [
        regionData({
          open: '9',
          holidays: [
            { name: 'x', month: 2, day: 30 },
            { month: 1, weekday: 1, nth: 0 },
          ],
        }),
        regionData({ id: 'b', countries: ['de'] }),
      ],
    };
    expect(() => parseCalendars(json)).toThrow(
      'calendars: regions[0].open must be a local time written HH:MM; regions[0].holidays[0] has no day 30 in month 2; ' +
        'regions[0].holidays[1].name must be a non-empty text of at most 80 characters; regions[0].holidays[1].nth must be 1 to 5, or -1 for the last; ' +
        'regions[1].countries[0] must be an upper-case ISO 3166 alpha-2 code',
    );
  });
});

describe('regions', () => {
  it('finds the region of a country, in any letter case', () => {
    expect(regionForCountry(data, 'US').id).toBe('americas');
    expect(regionForCountry(data, 'br').id).toBe('americas');
    expect(regionForCountry(data, ' de ').id).toBe('europe');
    expect(regionForCountry(data, 'KE').id).toBe('europe');
    expect(regionForCountry(data, 'CN').id).toBe('asia');
    expect(regionForCountry(data, 'AU').id).toBe('asia');
  });

  it('sends unknown and missing countries to the default region', () => {
    expect(regionForCountry(data, null).id).toBe('europe');
    expect(regionForCountry(data, '').id).toBe('europe');
    expect(regionForCountry(data, 'AQ').id).toBe('europe');
  });

  it('refuses something that is not a country code', () => {
    expectAppError(() => regionForCountry(data, 'USA'), 'INVALID_COUNTRY');
  });

  it('picks the payout calendar from the method country, else the payouts region', () => {
    expect(payoutRegion(data, 'JP').id).toBe('asia');
    expect(payoutRegion(data, null).id).toBe('europe');
  });

  it('refuses an unknown region id', () => {
    expectAppError(() => regionById(data, 'mars'), 'INVALID_CHOICE');
  });

  it('describes the opening hours', () => {
    expect(openingHoursText(europe)).toBe('Monday–Friday 09:00–18:00 (Europe/Berlin time), closed on public holidays');
  });
});

describe('holidays', () => {
  it('finds nth-weekday holidays, including the last Monday of May', () => {
    expect(isHoliday(americas, '2026-11-26')).toEqual({ name: 'Thanksgiving Day' });
    expect(isHoliday(americas, '2027-11-25')?.name).toBe('Thanksgiving Day');
    expect(isHoliday(americas, '2026-01-19')?.name).toBe('Martin Luther King Jr. Day');
    expect(isHoliday(americas, '2026-05-25')?.name).toBe('Memorial Day');
    expect(isHoliday(americas, '2026-05-18')).toBeNull();
    expect(isHoliday(americas, '2026-09-07')?.name).toBe('Labor Day');
  });

  it('moves US fixed holidays off the weekend, also across the new year', () => {
    expect(isHoliday(americas, '2026-07-03')?.name).toBe('Independence Day (observed)');
    expect(isHoliday(americas, '2026-07-04')).toBeNull();
    expect(isHoliday(americas, '2027-07-05')?.name).toBe('Independence Day (observed)');
    expect(isHoliday(americas, '2027-12-31')?.name).toBe("New Year's Day (observed)");
    expect(isHoliday(americas, '2028-01-01')).toBeNull();
  });

  it('computes the German holidays that follow Easter', () => {
    expect(isHoliday(europe, '2025-04-18')?.name).toBe('Good Friday');
    expect(isHoliday(europe, '2026-04-03')?.name).toBe('Good Friday');
    expect(isHoliday(europe, '2026-04-06')?.name).toBe('Easter Monday');
    expect(isHoliday(europe, '2026-05-14')?.name).toBe('Ascension Day');
    expect(isHoliday(europe, '2026-05-25')?.name).toBe('Whit Monday');
    expect(isHoliday(europe, '2027-03-26')?.name).toBe('Good Friday');
    expect(isHoliday(europe, '2026-10-03')?.name).toBe('Day of German Unity');
  });

  it('knows announced Chinese holidays with their notice, and statutory ones in later years', () => {
    const springFestival = isHoliday(asia, '2026-02-16');
    expect(springFestival?.name).toBe('Spring Festival');
    expect(springFestival?.notice).toMatch(/15 to Monday 23 February 2026/);
    expect(isHoliday(asia, '2026-02-24')).toBeNull();
    expect(isHoliday(asia, '2028-10-02')?.name).toBe('National Day');
    expect(isHoliday(asia, '2027-02-08')?.name).toBe('Spring Festival');
  });

  it('tells business days from weekends, holidays and make-up working days', () => {
    expect(isBusinessDay(europe, '2026-06-12')).toBe(true);
    expect(isBusinessDay(europe, '2026-06-13')).toBe(false);
    expect(isBusinessDay(europe, '2026-12-25')).toBe(false);
    expect(isBusinessDay(asia, '2026-02-14')).toBe(true);
    expect(isBusinessDay(asia, '2026-02-21')).toBe(false);
    expect(isBusinessDay(asia, '2026-02-20')).toBe(false);
  });

  it('refuses a date that does not exist', () => {
    expectAppError(() => isHoliday(europe, '2026-02-30'), 'INVALID_DATE');
    expectAppError(() => isBusinessDay(europe, 'tomorrow'), 'INVALID_DATE');
  });

  it('lists upcoming holidays on working weekdays only', () => {
    const days = upcomingHolidays(asia, at(asia, '2026-02-10T12:00'), 20);
    expect(days.map((day) => day.date)).toEqual(['2026-02-16', '2026-02-17', '2026-02-18', '2026-02-19', '2026-02-20', '2026-02-23']);
    expect(days[0]?.notice).toMatch(/Saturdays 14 and 28 February/);
    expect(upcomingHolidays(americas, at(americas, '2026-06-29T08:00'), 10)).toEqual([{ date: '2026-07-03', name: 'Independence Day (observed)' }]);
    expect(upcomingHolidays(europe, at(europe, '2026-12-25T08:00'), 1)).toEqual([{ date: '2026-12-25', name: 'Christmas Day' }]);
    expect(upcomingHolidays(europe, at(europe, '2026-12-25T08:00'), 0)).toEqual([]);
  });
});

describe('opening hours', () => {
  it('is open from opening up to, not including, closing', () => {
    expect(isOpenAt(europe, at(europe, '2026-06-15T08:59'))).toBe(false);
    expect(isOpenAt(europe, at(europe, '2026-06-15T09:00'))).toBe(true);
    expect(isOpenAt(europe, at(europe, '2026-06-15T17:59'))).toBe(true);
    expect(isOpenAt(europe, at(europe, '2026-06-15T18:00'))).toBe(false);
    expect(isOpenAt(europe, at(europe, '2026-06-13T12:00'))).toBe(false);
    expect(isOpenAt(asia, at(asia, '2026-02-14T12:00'))).toBe(true);
  });

  it('reads the hours in the region zone, not in UTC', () => {
    expect(isOpenAt(asia, Date.parse('2026-06-15T01:30:00Z'))).toBe(true);
    expect(isOpenAt(americas, Date.parse('2026-06-15T01:30:00Z'))).toBe(false);
  });

  it('finds the next opening', () => {
    const open = at(europe, '2026-06-15T10:00');
    expect(nextOpeningMs(europe, open)).toBe(open);
    expect(local(europe, nextOpeningMs(europe, at(europe, '2026-06-13T12:00')))).toBe('2026-06-15T09:00');
    expect(local(europe, nextOpeningMs(europe, at(europe, '2026-06-12T18:00')))).toBe('2026-06-15T09:00');
    expect(local(europe, nextOpeningMs(europe, at(europe, '2026-04-30T19:00')))).toBe('2026-05-04T09:00');
  });
});

describe('addBusinessMinutes', () => {
  it('starts a ticket opened on Saturday at Monday opening', () => {
    expect(local(americas, addBusinessMinutes(americas, at(americas, '2026-06-13T11:00'), 60))).toBe('2026-06-15T10:00');
  });

  it('carries a ticket opened at 17:59 over to the next business day', () => {
    expect(local(europe, addBusinessMinutes(europe, at(europe, '2026-06-12T17:59'), 2))).toBe('2026-06-15T09:01');
  });

  it('starts a ticket opened at 08:00 at 09:00', () => {
    expect(local(europe, addBusinessMinutes(europe, at(europe, '2026-06-15T08:00'), 30))).toBe('2026-06-15T09:30');
  });

  it('ends at closing time when the count runs out exactly then', () => {
    expect(local(europe, addBusinessMinutes(europe, at(europe, '2026-06-15T09:00'), 540))).toBe('2026-06-15T18:00');
    expect(local(europe, addBusinessMinutes(europe, at(europe, '2026-06-15T09:00'), 541))).toBe('2026-06-16T09:01');
  });

  it('with zero minutes gives the next opening', () => {
    expect(local(europe, addBusinessMinutes(europe, at(europe, '2026-06-13T11:00'), 0))).toBe('2026-06-15T09:00');
  });

  it('skips a holiday in the middle of an SLA', () => {
    expect(local(europe, addBusinessMinutes(europe, at(europe, '2026-04-30T17:00'), 120))).toBe('2026-05-04T10:00');
    expect(local(americas, addBusinessMinutes(americas, at(americas, '2026-11-25T12:00'), 24 * 60))).toBe('2026-11-30T18:00');
  });

  it('follows the Chinese Spring Festival break and its make-up Saturdays', () => {
    expect(local(asia, addBusinessMinutes(asia, at(asia, '2026-02-13T17:00'), 120))).toBe('2026-02-14T10:00');
    expect(local(asia, addBusinessMinutes(asia, at(asia, '2026-02-14T17:30'), 60))).toBe('2026-02-24T09:30');
  });

  it('counts a full 9-hour day across the Berlin DST changes', () => {
    const spring = addBusinessMinutes(europe, at(europe, '2026-03-27T17:00'), 120);
    expect(local(europe, spring)).toBe('2026-03-30T10:00');
    expect(utc(spring)).toBe('2026-03-30T08:00:00.000Z');
    expect(businessMinutesBetween(europe, at(europe, '2026-03-27T09:00'), at(europe, '2026-03-30T18:00'))).toBe(2 * 540);
    const autumn = addBusinessMinutes(europe, at(europe, '2026-10-23T17:00'), 120);
    expect(utc(autumn)).toBe('2026-10-26T09:00:00.000Z');
    expect(businessMinutesBetween(europe, at(europe, '2026-10-23T09:00'), at(europe, '2026-10-26T18:00'))).toBe(2 * 540);
  });

  it('counts a full 9-hour day across the New York DST changes', () => {
    const spring = addBusinessMinutes(americas, at(americas, '2026-03-06T17:30'), 60);
    expect(utc(spring)).toBe('2026-03-09T13:30:00.000Z');
    expect(local(americas, spring)).toBe('2026-03-09T09:30');
    const autumn = addBusinessMinutes(americas, at(americas, '2026-10-30T17:30'), 60);
    expect(utc(autumn)).toBe('2026-11-02T14:30:00.000Z');
    expect(businessMinutesBetween(americas, at(americas, '2026-10-26T09:00'), at(americas, '2026-11-06T18:00'))).toBe(10 * 540);
  });

  it('counts real elapsed minutes on the day of a clock change', () => {
    const sevenDays = parseCalendars(withRegion({ weekdays: [1, 2, 3, 4, 5, 6, 7] }));
    const region = regionById(sevenDays, 'test');
    expect(businessMinutesBetween(region, at(region, '2026-03-29T00:00'), at(region, '2026-03-30T00:00'))).toBe(540);
    const night = regionById(parseCalendars(withRegion({ weekdays: [7], open: '01:00', close: '04:00' })), 'test');
    expect(businessMinutesBetween(night, at(night, '2026-03-29T00:00'), at(night, '2026-03-29T12:00'))).toBe(120);
    expect(businessMinutesBetween(night, at(night, '2026-10-25T00:00'), at(night, '2026-10-25T12:00'))).toBe(240);
  });

  it('refuses a negative or fractional minute count', () => {
    expect(() => addBusinessMinutes(europe, 0, -1)).toThrow(RangeError);
    expect(() => addBusinessMinutes(europe, 0, 1.5)).toThrow(RangeError);
    expect(() => addBusinessMinutes(europe, Number.NaN, 1)).toThrow(RangeError);
  });
});

describe('businessMinutesBetween', () => {
  it('counts a working week', () => {
    expect(businessMinutesBetween(europe, at(europe, '2026-06-13T00:00'), at(europe, '2026-06-20T00:00'))).toBe(5 * 540);
  });

  it('is negative when the end is earlier, for time left after a deadline', () => {
    const deadline = at(europe, '2026-06-15T10:00');
    expect(businessMinutesBetween(europe, at(europe, '2026-06-15T11:30'), deadline)).toBe(-90);
  });

  it('drops a partial minute toward zero and never returns -0', () => {
    const from = at(europe, '2026-06-15T09:00');
    expect(businessMinutesBetween(europe, from, from + 90_000)).toBe(1);
    expect(businessMinutesBetween(europe, from + 90_000, from)).toBe(-1);
    expect(businessMinutesBetween(europe, from + 30_000, from)).toBe(0);
    expect(Object.is(businessMinutesBetween(europe, at(europe, '2026-06-14T12:00'), at(europe, '2026-06-13T12:00')), 0)).toBe(true);
  });
});

describe('addBusinessDays', () => {
  it('counts a request made on a business day before closing from that day', () => {
    expect(local(europe, addBusinessDays(europe, at(europe, '2026-06-12T10:00'), 1))).toBe('2026-06-15T18:00');
    expect(local(europe, addBusinessDays(europe, at(europe, '2026-06-15T10:00'), 0))).toBe('2026-06-15T18:00');
  });

  it('counts a request made after closing or on a weekend from the next business day', () => {
    expect(local(europe, addBusinessDays(europe, at(europe, '2026-06-12T19:00'), 1))).toBe('2026-06-16T18:00');
    expect(local(europe, addBusinessDays(europe, at(europe, '2026-06-13T10:00'), 1))).toBe('2026-06-16T18:00');
  });

  it('skips a Monday holiday', () => {
    expect(local(americas, addBusinessDays(americas, at(americas, '2026-05-22T10:00'), 1))).toBe('2026-05-26T18:00');
  });

  it('skips a weekend and holidays for a bank payout', () => {
    expect(local(europe, addBusinessDays(europe, at(europe, '2026-12-24T10:00'), 3))).toBe('2026-12-30T18:00');
    expect(local(asia, addBusinessDays(asia, at(asia, '2026-09-30T10:00'), 3))).toBe('2026-10-10T18:00');
  });

  it('counts a make-up working day', () => {
    expect(local(asia, addBusinessDays(asia, at(asia, '2026-02-13T10:00'), 1))).toBe('2026-02-14T18:00');
  });

  it('refuses a negative day count', () => {
    expect(() => addBusinessDays(europe, 0, -1)).toThrow(RangeError);
  });
});

describe('properties', () => {
  const regions = fc.constantFrom(americas, europe, asia);
  const instants = fc.date({ min: new Date('2025-01-01T00:00:00Z'), max: new Date('2028-12-31T00:00:00Z'), noInvalidDate: true }).map((date) => date.getTime());

  it('businessMinutesBetween undoes addBusinessMinutes', () => {
    fc.assert(
      fc.property(regions, instants, fc.integer({ min: 0, max: 20_000 }), (region, startMs, minutes) => {
        const endMs = addBusinessMinutes(region, startMs, minutes);
        expect(endMs).toBeGreaterThanOrEqual(startMs);
        expect(businessMinutesBetween(region, startMs, endMs)).toBe(minutes);
        if (minutes > 0) expect(isOpenAt(region, endMs - 1)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('businessMinutesBetween over spans of years is the largest count addBusinessMinutes fits in', () => {
    // Asked in random order, far apart: the running totals behind long spans are rebuilt and extended.
    fc.assert(
      fc.property(regions, instants, instants, (region, aMs, bMs) => {
        const [fromMs, toMs] = aMs <= bMs ? [aMs, bMs] : [bMs, aMs];
        const minutes = businessMinutesBetween(region, fromMs, toMs);
        if (minutes > 0) expect(addBusinessMinutes(region, fromMs, minutes)).toBeLessThanOrEqual(toMs);
        expect(addBusinessMinutes(region, fromMs, minutes + 1)).toBeGreaterThan(toMs);
      }),
      { numRuns: 150 },
    );
  });

  it('businessMinutesBetween is exact when an earlier span crosses the day its running totals were counted from', () => {
    // A fresh copy of the region: its own running totals, counted from a year before 2026-01-21.
    const region = { ...europe };
    const laterMs = Date.parse('2026-01-20T10:00:00Z');
    businessMinutesBetween(region, laterMs, laterMs + 3 * 86_400_000);
    const startMs = Date.parse('2025-01-01T00:00:00.025Z');
    const endMs = addBusinessMinutes(region, startMs, 12_935);
    expect(businessMinutesBetween(region, startMs, endMs)).toBe(12_935);
  });

  it('businessMinutesBetween is antisymmetric', () => {
    fc.assert(
      fc.property(regions, instants, instants, (region, aMs, bMs) => {
        expect(businessMinutesBetween(region, aMs, bMs) + businessMinutesBetween(region, bMs, aMs)).toBe(0);
      }),
      { numRuns: 100 },
    );
  });

  it('agrees with counting open minutes one by one', () => {
    fc.assert(
      fc.property(regions, instants, fc.integer({ min: 0, max: 3 * 24 * 60 }), (region, instantMs, spanMinutes) => {
        const startMs = instantMs - (instantMs % 60_000);
        let open = 0;
        for (let minute = 0; minute < spanMinutes; minute += 1) if (isOpenAt(region, startMs + minute * 60_000)) open += 1;
        expect(businessMinutesBetween(region, startMs, startMs + spanMinutes * 60_000)).toBe(open);
      }),
      { numRuns: 20 },
    );
  });
});
