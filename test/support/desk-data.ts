// The shipped support data and calendars, read once for the desk's unit tests.

import { readFileSync } from 'node:fs';
import { parseCalendars } from '../../src/domain/calendar.js';
import { regionById } from '../../src/domain/support-regions.js';
import { parseSupport } from '../../src/domain/support.js';

const read = (name: string): unknown => JSON.parse(readFileSync(new URL(`../../data/${name}`, import.meta.url), 'utf8'));

export const support = parseSupport(read('support.json'));
export const calendars = parseCalendars(read('calendars.json'));
export const europe = regionById(calendars, 'europe');
export const americas = regionById(calendars, 'americas');
export const asia = regionById(calendars, 'asia');
