// The shipped support data as a command reads it: the support rules, the regions' calendars and
// the FAQ, loaded once per process from data/ (see app/desk.ts).

import { calendarData as calendarsOf, faqArticles as faqOf, supportData as supportOf } from '../app/desk.js';
import type { CalendarData } from '../domain/calendar.js';
import type { FaqArticle } from '../domain/faq.js';
import type { SupportData } from '../domain/support.js';
import type { Context } from './context.js';

export const supportData = (ctx: Context): SupportData => supportOf(ctx.ref);
export const calendarData = (ctx: Context): CalendarData => calendarsOf(ctx.ref);
export const faqArticles = (ctx: Context): FaqArticle[] => faqOf(ctx.ref);
