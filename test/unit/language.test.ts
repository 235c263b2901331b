import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LANGUAGES, detectLanguage, isLanguage } from '../../src/domain/language.js';

describe('detectLanguage', () => {
  it.each([
    ['en', 'I sent money to my friend yesterday and it has not arrived. What should I do?'],
    ['zh', '我昨天给朋友转账,到现在还没到账,怎么办?'],
    ['es', 'Hola, no puedo retirar dinero de mi cuenta. ¿Qué tengo que hacer?'],
    ['fr', "Bonjour, je n'arrive pas à retirer de l'argent de mon compte. Que dois-je faire ?"],
    ['de', 'Hallo, ich kann kein Geld von meinem Konto abheben. Was muss ich tun?'],
  ] as const)('recognises %s', (language, text) => {
    expect(detectLanguage(text)).toBe(language);
  });

  it('picks Chinese as soon as Han characters appear, even among English words', () => {
    expect(detectLanguage('okpay withdraw 失败了')).toBe('zh');
  });

  it('uses letters that belong to one language when there are no function words', () => {
    expect(detectLanguage('Überweisung gescheitert')).toBe('de');
    expect(detectLanguage('contraseña')).toBe('es');
    expect(detectLanguage('reçu')).toBe('fr');
  });

  it('falls back to English when nothing points elsewhere', () => {
    expect(detectLanguage('okpay 12345')).toBe('en');
    expect(detectLanguage('!!!')).toBe('en');
  });

  it('returns null only for empty or blank text', () => {
    expect(detectLanguage('')).toBeNull();
    expect(detectLanguage(' \n\t ')).toBeNull();
  });

  it('never throws and answers null exactly when the text is blank', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 200 }), (text) => {
        const detected = detectLanguage(text);
        expect(detected === null).toBe(text.trim().length === 0);
        if (detected !== null) expect(LANGUAGES).toContain(detected);
      }),
    );
  });
});

describe('isLanguage', () => {
  it('accepts the five supported codes and nothing else', () => {
    for (const language of LANGUAGES) expect(isLanguage(language)).toBe(true);
    expect(isLanguage('it')).toBe(false);
    expect(isLanguage('EN')).toBe(false);
    expect(isLanguage(undefined)).toBe(false);
  });
});
