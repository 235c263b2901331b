// faq (the knowledge base, searchable in every supported language, Chinese included) and support
// (the ways to reach us, each region's hours, whether it is open now, holidays ahead, and how soon
// each channel answers). Neither needs an account.

import type { Command } from '@commander-js/extra-typings';
import { type Region } from '../../domain/calendar.js';
import { regionForCountry, openingHoursText } from '../../domain/support-regions.js';
import { localizeArticle, searchFaq, type FaqHit, type LocalizedArticle } from '../../domain/faq.js';
import { detectLanguage, parseLanguage, type Language } from '../../domain/language.js';
import { channelNow, expectedFirstReplyText, regionNow, type SupportChannel } from '../../domain/support.js';
import { parsePositiveInt } from '../../domain/validate.js';
import type { Context } from '../context.js';
import { action, examples, subcommand, type App } from '../command-builder.js';
import { localTime } from '../../app/desk.js';
import { calendarData, faqArticles, supportData } from '../desk-data.js';

export function registerFaqCommands(program: Command, app: App): void {
  registerFaq(program, app);
  registerSupport(program, app);
}

function articleDocument(article: LocalizedArticle, score: number | null) {
  return { id: article.id, topic: article.topic, title: article.title, body: article.body, language: article.language, fallback: article.fallback, score };
}

function registerFaq(program: Command, app: App): void {
  const command = subcommand(program, 'faq', 'search the help articles (or list them all); an article id shows that article')
    .argument('[query...]', 'words to look for, in any supported language, or an article id')
    .option('--language <lang>', 'en, zh, es, fr or de (default: the language of the query, else English)')
    .option('--limit <n>', 'at most this many articles', '5');
  examples(command, ['okpay faq', 'okpay faq reset password', 'okpay faq 忘记密码', 'okpay faq account-locked --language de']);
  action(app, command, async (ctx, o, args) => {
    const query = args.join(' ').trim();
    const language: Language = o.language === undefined ? (detectLanguage(query) ?? 'en') : parseLanguage(o.language);
    const limit = parsePositiveInt(o.limit ?? '5', '--limit', { max: 100 });
    const articles = faqArticles(ctx);
    if (query === '')
      return listArticles(
        ctx,
        articles.map((article) => localizeArticle(article, language)),
      );
    const exact = articles.find((article) => article.id === query.toLowerCase());
    const hits: FaqHit[] = exact ? [{ article: localizeArticle(exact, language), score: 0 }] : searchFaq(articles, query, language, limit);
    ctx.out.data({ articles: hits.map((hit) => articleDocument(hit.article, exact ? null : hit.score)) }, () => printHits(ctx, hits));
  });
}

function listArticles(ctx: Context, articles: readonly LocalizedArticle[]): void {
  ctx.out.data({ articles: articles.map((article) => articleDocument(article, null)) }, () => {
    ctx.out.table(
      [
        { key: 'id', title: 'ID' },
        { key: 'topic', title: 'Topic' },
        { key: 'title', title: 'Title' },
      ],
      articles.map((article) => ({ id: article.id, topic: article.topic, title: article.title })),
    );
    ctx.out.note('Read one with `okpay faq ID`, or search with `okpay faq WORDS`.');
  });
}

function printHits(ctx: Context, hits: readonly FaqHit[]): void {
  const [best, ...more] = hits;
  if (best === undefined) {
    ctx.out.note('No article matches. Try other words, or contact support: `okpay support` lists the ways.');
    return;
  }
  ctx.out.text(ctx.out.style.bold(best.article.title));
  if (best.article.fallback) ctx.out.text(ctx.out.style.dim('(this article is not translated yet; here it is in English)'));
  ctx.out.line();
  ctx.out.text(best.article.body);
  if (more.length > 0) {
    ctx.out.line();
    ctx.out.text(ctx.out.style.dim('Related:'));
    for (const hit of more) ctx.out.text(`  ${hit.article.id.padEnd(28)} ${hit.article.title}`);
  }
  ctx.out.note('\nStill stuck? Open a ticket: okpay ticket new --category … --subject "…" --body "…"');
}

function regionDocument(region: Region, nowMs: number) {
  const now = regionNow(region, nowMs, 30);
  return {
    id: region.id,
    name: region.name,
    timeZone: region.timeZone,
    hours: openingHoursText(region),
    openNow: now.openNow,
    localTime: localTime(nowMs, region.timeZone),
    nextOpeningAt: now.nextOpeningMs === null ? null : new Date(now.nextOpeningMs).toISOString(),
    holidays: now.holidays.map((holiday) => ({ date: holiday.date, name: holiday.name, notice: holiday.notice ?? null })),
  };
}

function channelDocument(ctx: Context, channel: SupportChannel, focus: Region | null, regions: readonly Region[], nowMs: number) {
  const base = {
    id: channel.id,
    name: channel.name,
    contact: channel.contact,
    use: channel.use,
    tickets: channel.tickets,
    live: channel.live,
    expectedFirstReply: expectedFirstReplyText(channel),
  };
  if (focus === null) {
    const openIn = channel.live ? regions.filter((region) => regionNow(region, nowMs, 0).openNow).map((region) => region.id) : null;
    return { ...base, openIn, availableNow: null, nextOpeningAt: null, expectedReplyBy: null };
  }
  const now = channelNow(supportData(ctx), channel, focus, nowMs);
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  return { ...base, openIn: null, availableNow: now.availableNow, nextOpeningAt: iso(now.nextOpeningMs), expectedReplyBy: iso(now.expectedReplyByMs) };
}

function registerSupport(program: Command, app: App): void {
  const command = subcommand(program, 'support', 'how to reach support: channels, hours per region, open now, holidays, expected reply times').option(
    '--country <cc>',
    'your country (two letters): show your region and when you can expect an answer',
  );
  examples(command, ['okpay support', 'okpay support --country DE', 'okpay support --json | jq ".support.regions[] | {id, openNow}"']);
  action(app, command, async (ctx, o) => {
    const calendars = calendarData(ctx);
    const focus = o.country === undefined ? null : regionForCountry(calendars, o.country);
    const regions = focus === null ? calendars.regions : [focus];
    const nowMs = ctx.now().getTime();
    const document = {
      support: {
        now: new Date(nowMs).toISOString(),
        region: focus?.id ?? null,
        channels: supportData(ctx).channels.map((channel) => channelDocument(ctx, channel, focus, calendars.regions, nowMs)),
        regions: regions.map((region) => regionDocument(region, nowMs)),
      },
    };
    ctx.out.data(document, () => printSupport(ctx, document.support));
  });
}

function availability(ctx: Context, channel: ReturnType<typeof channelDocument>, zone: string | null): string {
  if (!channel.live) return 'any time';
  if (channel.openIn !== null) return channel.openIn.length > 0 ? `open now in: ${channel.openIn.join(', ')}` : 'closed in every region now';
  return channel.availableNow ? ctx.out.style.green('open now') : `closed now; opens ${inZone(channel.nextOpeningAt ?? '', zone)}`;
}

function inZone(isoTime: string, zone: string | null): string {
  return localTime(Date.parse(isoTime), zone ?? 'UTC');
}

type SupportDocument = {
  channels: ReturnType<typeof channelDocument>[];
  regions: ReturnType<typeof regionDocument>[];
};

function printSupport(ctx: Context, document: SupportDocument): void {
  const { style } = ctx.out;
  // With --country there is one region, and its local time is what the customer reads.
  const zone = document.regions.length === 1 ? (document.regions[0]?.timeZone ?? null) : null;
  ctx.out.text(style.bold('Ways to reach OKPay support'));
  for (const channel of document.channels) {
    ctx.out.text(`  ${style.bold(channel.name.padEnd(16))} ${channel.contact}`);
    ctx.out.text(`  ${''.padEnd(16)} first answer ${channel.expectedFirstReply} (${availability(ctx, channel, zone)})`);
    if (channel.expectedReplyBy !== null) ctx.out.text(`  ${''.padEnd(16)} write now and expect an answer by ${inZone(channel.expectedReplyBy, zone)}`);
    ctx.out.text(`  ${''.padEnd(16)} ${style.dim(channel.use)}`);
  }
  ctx.out.line();
  ctx.out.text(style.bold('Support desks'));
  for (const region of document.regions) {
    const state = region.openNow
      ? style.green('open now')
      : style.yellow(`closed; opens ${localTime(Date.parse(region.nextOpeningAt ?? ''), region.timeZone)}`);
    ctx.out.text(`  ${style.bold(region.name)} — ${region.hours}`);
    ctx.out.text(`    local time ${region.localTime}: ${state}`);
    for (const holiday of region.holidays)
      ctx.out.text(`    ${style.yellow('closed')} ${holiday.date} ${holiday.name}${holiday.notice ? ` — ${holiday.notice}` : ''}`);
  }
}
