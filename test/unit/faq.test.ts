import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type FaqArticle, findArticle, localizeArticle, parseFaq, searchFaq } from '../../src/domain/faq.js';
import { detectLanguage, LANGUAGES, type Language } from '../../src/domain/language.js';
import { searchTerms } from '../../src/domain/search-terms.js';
import { appErrorOf } from '../support/app-error.js';

const shippedJson: unknown = JSON.parse(readFileSync(new URL('../../data/faq.json', import.meta.url), 'utf8'));
const articles = parseFaq(shippedJson);

function topIds(query: string, language: Language, limit = 3): string[] {
  return searchFaq(articles, query, language, limit).map((hit) => hit.article.id);
}

function article(id: string, en: { title: string; body: string }, tags: string[] = []): FaqArticle {
  return {
    id,
    topic: 'general',
    tags,
    translations: { en, zh: { title: '标题', body: '正文' }, es: { title: 'Título' }, fr: { title: 'Titre' }, de: { title: 'Titel' } },
  };
}

describe('the shipped knowledge base', () => {
  it('has at least 16 articles with unique kebab-case ids', () => {
    expect(articles.length).toBeGreaterThanOrEqual(16);
    expect(new Set(articles.map((a) => a.id)).size).toBe(articles.length);
  });

  it('covers the topics the seeds ask for', () => {
    const ids = articles.map((a) => a.id);
    for (const id of ['register-account', 'reset-password', 'payment-failed', 'withdraw-funds', 'withdrawal-fees', 'account-locked', 'contact-support']) {
      expect(ids).toContain(id);
    }
  });

  it('has every article in all five languages, each written in its own language', () => {
    const missing = articles.flatMap((a) =>
      LANGUAGES.filter((language) => a.translations[language].body === undefined).map((language) => `${a.id} ${language}`),
    );
    expect(missing, `articles without a body: ${missing.join(', ')}`).toEqual([]);
    for (const a of articles) {
      for (const language of LANGUAGES) {
        const { title, body = '' } = a.translations[language];
        expect(detectLanguage(body), `${a.id} ${language}`).toBe(language);
        if (language === 'en') continue;
        expect(title, `${a.id} ${language} title`).not.toBe(a.translations.en.title);
        expect(body, `${a.id} ${language} body`).not.toBe(a.translations.en.body);
      }
    }
  });

  it('keeps bodies short', () => {
    for (const a of articles) {
      for (const language of LANGUAGES) {
        const body = a.translations[language].body;
        if (body !== undefined) expect([...body].length, `${a.id} ${language}`).toBeLessThan(1200);
      }
    }
  });

  it('only mentions okpay commands that exist', () => {
    const commands = new Set(
      'register activate login logout whoami 2fa password profile kyc lock unlock balance deposit fee transfer withdraw history tx ticket agent faq support'.split(
        ' ',
      ),
    );
    // "okpay" is also the subject of ordinary sentences ("okpay asks for your password").
    const prose = new Set('asks shows refuses always checks creates printed error command commands itself version --version l tambi nennt'.split(' '));
    for (const a of articles) {
      for (const language of LANGUAGES) {
        for (const [, word = ''] of (a.translations[language].body ?? '').matchAll(/okpay ([a-z0-9-]+)/g)) {
          if (!prose.has(word)) expect(commands, `${a.id} ${language}: okpay ${word}`).toContain(word);
        }
      }
    }
  });
});

describe('parseFaq', () => {
  const good = { id: 'good-one', topic: 'account', tags: ['x'], translations: article('good-one', { title: 'T', body: 'B' }).translations };

  it('accepts a minimal valid article', () => {
    expect(parseFaq({ articles: [good] })).toEqual([good]);
  });

  it.each([
    [
      'a missing zh body',
      { ...good, translations: { ...good.translations, zh: { title: '标题' } } },
      'faq data: articles[0].translations.zh.body must be a non-empty text of at most 1200 characters',
    ],
    [
      'a missing es title',
      { ...good, translations: { ...good.translations, es: {} } },
      'faq data: articles[0].translations.es.title must be a non-empty text of at most 120 characters',
    ],
    [
      'a missing de translation',
      { ...good, translations: { en: good.translations.en, zh: good.translations.zh, es: good.translations.es, fr: good.translations.fr } },
      'faq data: articles[0].translations.de is required',
    ],
    [
      'an unsupported language',
      { ...good, translations: { ...good.translations, it: { title: 'Titolo' } } },
      'faq data: articles[0].translations.it is not a supported language (en, zh, es, fr, de)',
    ],
    ['an id that is not kebab-case', { ...good, id: 'Reset Password' }, 'faq data: articles[0].id must be a short kebab-case word like "reset-password"'],
    [
      'a blank title',
      { ...good, translations: { ...good.translations, en: { title: '  ', body: 'B' } } },
      'faq data: articles[0].translations.en.title must be a non-empty text of at most 120 characters',
    ],
    [
      'a body that is too long',
      { ...good, translations: { ...good.translations, en: { title: 'T', body: 'x'.repeat(1201) } } },
      'faq data: articles[0].translations.en.body must be a non-empty text of at most 1200 characters',
    ],
    ['tags that are not strings', { ...good, tags: [42] }, 'faq data: articles[0].tags[0] must be a non-empty text of at most 40 characters'],
  ])('rejects %s', (_name, bad, message) => {
    expect(() => parseFaq({ articles: [bad] })).toThrow(message);
  });

  it('rejects duplicate ids', () => {
    expect(() => parseFaq({ articles: [good, good] })).toThrow('faq data: articles[1] uses the id "good-one" twice');
  });

  it('names every bad field of every article at once', () => {
    const bad = { ...good, id: 'Bad Id', tags: 'x', translations: { ...good.translations, zh: { title: '' } } };
    expect(() => parseFaq({ articles: [good, bad] })).toThrow(
      'faq data: articles[1].id must be a short kebab-case word like "reset-password"; articles[1].tags must be a list of at most 30 tags; ' +
        'articles[1].translations.zh.title must be a non-empty text of at most 120 characters; articles[1].translations.zh.body must be a non-empty text of at most 1200 characters',
    );
  });

  it('rejects a document without articles', () => {
    expect(() => parseFaq(null)).toThrow('faq data: must be an object');
    expect(() => parseFaq({ articles: [] })).toThrow('faq data: articles must be a list of 1 to 500 articles');
    expect(() => parseFaq({ articles: ['nope'] })).toThrow('faq data: articles[0] must be an object');
  });
});

describe('localizeArticle', () => {
  const reset = findArticle(articles, 'reset-password');

  it('uses the requested language when it has a body', () => {
    expect(localizeArticle(reset, 'zh')).toMatchObject({
      language: 'zh',
      title: reset.translations.zh.title,
      body: reset.translations.zh.body,
      fallback: false,
    });
    expect(localizeArticle(reset, 'es')).toMatchObject({ language: 'es', body: reset.translations.es.body, fallback: false });
  });

  it('keeps the title in the requested language and falls back to the English body of an untranslated article', () => {
    const untranslated = article('new-topic', { title: 'A new topic', body: 'Only in English so far.' });
    expect(localizeArticle(untranslated, 'de')).toEqual({
      id: 'new-topic',
      topic: 'general',
      language: 'en',
      title: 'Titel',
      body: 'Only in English so far.',
      fallback: true,
    });
  });
});

describe('search terms', () => {
  it('fold ß to ss, accents and case away, so Straße finds strasse', () => {
    expect(searchTerms('Straße')).toEqual(searchTerms('strasse'));
    expect(searchTerms('Überweisung')).toEqual(searchTerms('uberweisung'));
  });
});

describe('searchFaq in English', () => {
  it.each([
    ['reset password', 'reset-password'],
    ['withdrawal fee', 'withdrawal-fees'],
    ['locked', 'account-locked'],
    ['I forgot my password', 'reset-password'],
    ['exchange rate spread', 'currency-conversion'],
    ['refund not processed', 'payment-dispute'],
    ['opening hours', 'contact-support'],
    ['phishing', 'phishing-protection'],
  ])('"%s" finds %s first', (query, id) => {
    expect(topIds(query, 'en')[0]).toBe(id);
  });

  it('ignores case, plural endings and full-width letters', () => {
    expect(topIds('RESET PASSWORDS', 'en')[0]).toBe('reset-password');
    expect(topIds('ｌｏｃｋｅｄ', 'en')[0]).toBe('account-locked');
  });
});

describe('searchFaq in Chinese (no spaces)', () => {
  it.each([
    ['忘记密码', 'reset-password'],
    ['提现手续费', 'withdrawal-fees'],
    ['账户被锁', 'account-locked'],
    ['我的账户被锁定了怎么办', 'account-locked'],
    ['没收到钱', 'payment-dispute'],
    ['实名认证', 'identity-verification'],
  ])('"%s" finds %s first', (query, id) => {
    expect(topIds(query, 'zh')[0]).toBe(id);
  });

  it('returns Chinese titles and bodies', () => {
    const [hit] = searchFaq(articles, '忘记密码', 'zh');
    expect(hit?.article).toMatchObject({ language: 'zh', fallback: false });
    expect(hit?.article.title).toMatch(/密码/);
  });
});

describe('searchFaq in Spanish, French and German', () => {
  it('matches words in the language and ignores accents', () => {
    expect(topIds('cuenta bloqueada', 'es')[0]).toBe('account-locked');
    expect(topIds('CONTRASENA olvidada', 'es')[0]).toBe('reset-password');
    expect(topIds('mot de passe oublié', 'fr')[0]).toBe('reset-password');
    expect(topIds('frais de retrait', 'fr')[0]).toBe('withdrawal-fees');
    expect(topIds('Konto gesperrt', 'de')[0]).toBe('account-locked');
    expect(topIds('Passwort zurucksetzen', 'de')[0]).toBe('reset-password');
  });

  it("still finds articles from an English keyword, and shows them in the reader's language", () => {
    const [hit] = searchFaq(articles, 'withdrawal fee', 'de');
    const { title, body } = findArticle(articles, 'withdrawal-fees').translations.de;
    expect(hit?.article).toMatchObject({ id: 'withdrawal-fees', language: 'de', title, body, fallback: false });
  });
});

describe('searchFaq ranking', () => {
  const inTitle = article('zz-title', { title: 'Refund rules', body: 'What happens after a dispute is settled.' });
  const inBody = article('aa-body', { title: 'Disputes', body: 'How a refund is made after a dispute is settled.' });
  const other = article('mm-other', { title: 'Deposits', body: 'Adding money to the wallet.' });

  it('ranks a title match above a body match', () => {
    const hits = searchFaq([inBody, other, inTitle], 'refund', 'en');
    expect(hits.map((hit) => hit.article.id)).toEqual(['zz-title', 'aa-body']);
    expect(hits[0]?.score).toBeGreaterThan(hits[1]?.score ?? Infinity);
  });

  it('breaks ties by id', () => {
    const twin = (id: string): FaqArticle => article(id, { title: 'Same title', body: 'Same body about fees.' });
    const hits = searchFaq([twin('c-twin'), twin('a-twin'), twin('b-twin')], 'fees', 'en');
    expect(hits.map((hit) => hit.article.id)).toEqual(['a-twin', 'b-twin', 'c-twin']);
    expect(new Set(hits.map((hit) => hit.score)).size).toBe(1);
  });

  it('uses tags', () => {
    const tagged = article('tagged', { title: 'Something', body: 'Nothing relevant.' }, ['chargeback']);
    expect(searchFaq([tagged, other], 'chargeback', 'en').map((hit) => hit.article.id)).toEqual(['tagged']);
  });

  it('lists every article in file order for a query with nothing to search', () => {
    for (const query of ['', '   ', '?!', 'how do I']) {
      const hits = searchFaq(articles, query, 'en');
      expect(hits.map((hit) => hit.article.id)).toEqual(articles.map((a) => a.id));
      expect(hits.every((hit) => hit.score === 0)).toBe(true);
    }
  });

  it('returns nothing when no article matches', () => {
    expect(searchFaq(articles, 'xylophone', 'en')).toEqual([]);
  });

  it('honours the limit and refuses a bad one', () => {
    expect(searchFaq(articles, 'password', 'en', 2)).toHaveLength(2);
    for (const limit of [0, -1, 1.5, Number.NaN]) {
      expect(appErrorOf(() => searchFaq(articles, 'password', 'en', limit)).code).toBe('INVALID_NUMBER');
    }
  });

  it('is deterministic, sorted, bounded and never throws on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 80 }), fc.constantFrom(...LANGUAGES), fc.integer({ min: 1, max: 30 }), (query, language, limit) => {
        const hits = searchFaq(articles, query, language, limit);
        expect(searchFaq(articles, query, language, limit)).toEqual(hits);
        if (hits.some((hit) => hit.score > 0)) expect(hits.length).toBeLessThanOrEqual(limit);
        for (let index = 1; index < hits.length; index += 1) {
          const [before, after] = [hits[index - 1], hits[index]];
          if (before === undefined || after === undefined) continue;
          expect(before.score >= after.score).toBe(true);
          if (before.score === after.score && after.score > 0) expect(before.article.id < after.article.id).toBe(true);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('copes with a very long query', () => {
    expect(topIds('withdrawal fee '.repeat(10_000), 'en')[0]).toBe('withdrawal-fees');
  });
});

describe('findArticle', () => {
  it('finds an article by id, ignoring case and blanks', () => {
    expect(findArticle(articles, ' Reset-Password ').id).toBe('reset-password');
  });

  it('suggests close ids for a typo or a fragment', () => {
    const typo = appErrorOf(() => findArticle(articles, 'reset-pasword'));
    expect(typo.code).toBe('FAQ_NOT_FOUND');
    expect(typo.message).toBe('no FAQ article "reset-pasword"');
    expect(typo.hint).toMatch(/^did you mean reset-password\b/);
    expect(appErrorOf(() => findArticle(articles, 'locked')).hint).toMatch(/account-locked/);
  });

  it('points to the full list when nothing is close', () => {
    const error = appErrorOf(() => findArticle(articles, 'quantum-entanglement'));
    expect(error.code).toBe('FAQ_NOT_FOUND');
    expect(error.hint).toBe('run "okpay faq" to list every article');
  });
});
