// Customers who chose German or Spanish get their mails and help in that language, through the
// real binary: activation, a payment received, a ticket acknowledged and answered, a lock notice.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MailRecord } from '../../src/domain/mail.js';
import { Desk, expectOk, mails, PASSWORD, ticketOf } from '../support/desk-cli.js';

const OPS = 'ops@example.com';
const ADA = 'ada@example.com';
const GRETA = 'greta@example.de';
const LUCIA = 'lucia@example.es';
const AGENT = 'jonas@okpay.example';
const PHRASE = 'Eisvogel am Fluss';

/** The newest mail of a kind to someone, which must exist. */
async function newest(desk: Desk, to: string, kind: string): Promise<MailRecord> {
  const mail = (await mails(desk.o, to, kind)).pop();
  if (mail === undefined) throw new Error(`no ${kind} mail to ${to}`);
  return mail;
}

/** The message as the outbox holds it, headers and all (`outbox show --raw`). */
async function rawEml(desk: Desk, id: string): Promise<string> {
  return expectOk(await desk.o.run(['outbox', 'show', id, '--raw'])).stdout;
}

function expectNotEnglish(mail: MailRecord): void {
  for (const english of ['sent you', 'A support agent', 'We have your request', 'We never ask', 'Your account']) expect(mail.text).not.toContain(english);
}

describe('mails in the customer’s language', () => {
  const desk = new Desk('2026-11-23T10:00:00.000Z');

  beforeAll(async () => {
    await desk.admin(OPS);
    await desk.agent(AGENT, 1, 'en,de,es', OPS);
    await desk.customer(ADA, ['--country', 'GB', '--name', 'Ada Lovelace']);
    await desk.customer(GRETA, ['--country', 'DE', '--language', 'de']);
    expectOk(await desk.as(GRETA, ['profile', 'set', '--anti-phishing-phrase', PHRASE, '--password-stdin'], { stdin: `${PASSWORD}\n` }));
    await desk.customer(LUCIA, ['--country', 'ES']);
    expectOk(await desk.as(LUCIA, ['profile', 'set', '--language', 'es']));
    expectOk(await desk.as(ADA, ['deposit', '--amount', '100', '--currency', 'USD']));
  });

  afterAll(() => desk.cleanup());

  it('a German sign-up is activated by a German mail; a later language choice applies from then on', async () => {
    const greta = await newest(desk, GRETA, 'activation');
    expect(greta).toMatchObject({ language: 'de', subject: 'Aktivieren Sie Ihr OKPay-Konto' });
    expect(greta.text).toMatch(/okpay activate act_\S+/);
    expect(await newest(desk, LUCIA, 'activation')).toMatchObject({ language: 'en', subject: 'Activate your OKPay account' });
  });

  it('a payment received is announced in German and in Spanish, with amount, memo and anti-phishing phrase intact', async () => {
    expectOk(await desk.as(ADA, ['transfer', '--to', GRETA, '--amount', '12.50', '--currency', 'USD', '--memo', 'Miete Dezember', '--yes', '--json']));
    expectOk(await desk.as(ADA, ['transfer', '--to', LUCIA, '--amount', '20', '--currency', 'USD', '--yes', '--json']));

    const greta = await newest(desk, GRETA, 'payment-received');
    expect(greta).toMatchObject({ language: 'de', subject: 'Sie haben 12.50 USD erhalten', antiPhishingPhrase: PHRASE });
    expect(greta.text).toContain('Ada Lovelace hat Ihnen 12.50 USD gesendet, mit der Notiz „Miete Dezember“.');
    expect(greta.text).toContain('Wir fragen Sie nie per E-Mail nach Ihrem Passwort');
    expectNotEnglish(greta);
    const eml = await rawEml(desk, greta.id);
    expect(eml).toContain('Content-Language: de');
    expect(eml.slice(eml.indexOf('\r\n\r\n') + 4)).toMatch(new RegExp(`^Ihre Anti-Phishing-Phrase: ${PHRASE}\r\n`));

    const lucia = await newest(desk, LUCIA, 'payment-received');
    expect(lucia).toMatchObject({ language: 'es', subject: 'Ha recibido 20.00 USD' });
    expect(lucia.text).toContain('Ada Lovelace le ha enviado 20.00 USD.');
    expect(lucia.text).toContain('Consulte su saldo: okpay balance');
    expectNotEnglish(lucia);
  });

  it('tickets are acknowledged and answered in German and in Spanish', async () => {
    const german = ticketOf(
      expectOk(
        await desk.as(GRETA, [
          'ticket',
          'new',
          '--category',
          'funds',
          '--subject',
          'Auszahlung fehlt',
          '--body',
          'Meine Auszahlung ist seit drei Tagen nicht auf meinem Konto angekommen.',
          '--json',
        ]),
      ),
    );
    const spanish = ticketOf(
      expectOk(
        await desk.as(LUCIA, [
          'ticket',
          'new',
          '--category',
          'funds',
          '--subject',
          'Retiro pendiente',
          '--body',
          'Mi retiro sigue pendiente desde hace tres días. ¿Qué puedo hacer?',
          '--json',
        ]),
      ),
    );
    expect([german.language, spanish.language]).toEqual(['de', 'es']);

    const received = await newest(desk, GRETA, 'ticket-received');
    expect(received.subject).toBe(`[OKPay #${german.number}] Ihre Anfrage ist bei uns: Auszahlung fehlt`);
    expect((await newest(desk, LUCIA, 'ticket-received')).subject).toBe(`[OKPay #${spanish.number}] Hemos recibido su solicitud: Retiro pendiente`);

    expectOk(await desk.as(AGENT, ['ticket', 'reply', String(german.number), '--body', 'Wir haben bei der Bank nachgefragt und melden uns morgen.', '--json']));
    expectOk(await desk.as(AGENT, ['ticket', 'reply', String(spanish.number), '--body', 'Hemos consultado al banco y le escribiremos mañana.', '--json']));

    const gretaReply = await newest(desk, GRETA, 'ticket-reply');
    expect(gretaReply).toMatchObject({ language: 'de', subject: `[OKPay #${german.number}] Neue Antwort: Auszahlung fehlt` });
    expect(gretaReply.text).toContain(
      `Ein Support-Mitarbeiter hat auf Ihr Ticket #${german.number} geantwortet:\n\nWir haben bei der Bank nachgefragt und melden uns morgen.`,
    );
    expect(gretaReply.text).toContain('— Ihr OKPay-Support');
    expectNotEnglish(gretaReply);

    const luciaReply = await newest(desk, LUCIA, 'ticket-reply');
    expect(luciaReply).toMatchObject({ language: 'es', subject: `[OKPay #${spanish.number}] Nueva respuesta: Retiro pendiente` });
    expect(luciaReply.text).toContain(`Un agente de soporte respondió a su ticket #${spanish.number}:\n\nHemos consultado al banco y le escribiremos mañana.`);
    expect(luciaReply.text).toContain(`Para responder: okpay ticket reply ${spanish.number} --body`);
    expectNotEnglish(luciaReply);
  });

  it('a Spanish customer who freezes the account is told how to unlock it in Spanish', async () => {
    expectOk(await desk.as(LUCIA, ['lock', '--reason', 'perdí el móvil', '--yes']));
    const notice = await newest(desk, LUCIA, 'account-locked');
    expect(notice).toMatchObject({ language: 'es', subject: 'Su cuenta de OKPay está bloqueada' });
    expect(notice.text).toContain(`Su cuenta está bloqueada: usted la congeló el 2026-11-23 10:00 UTC (perdí el móvil).`);
    expect(notice.text).toContain(`Cómo desbloquearla: ejecute \`okpay unlock --email ${LUCIA}\` con su contraseña.`);
    expectNotEnglish(notice);
    expectOk(await desk.o.run(['unlock', '--email', LUCIA, '--password-stdin'], { stdin: `${PASSWORD}\n` }));
    expect((await newest(desk, LUCIA, 'account-unlocked')).subject).toBe('Su cuenta de OKPay está desbloqueada');
  });

  it('the help reads in German, also when found with an English keyword', async () => {
    const found = expectOk(await desk.o.run(['faq', 'withdrawal', 'fee', '--language', 'de', '--json'])).json<{
      articles: { id: string; language: string; title: string; body: string; fallback: boolean }[];
    }>();
    expect(found.articles[0]).toMatchObject({ id: 'withdrawal-fees', language: 'de', title: 'Auszahlungsgebühren: Bank oder E-Wallet', fallback: false });
    expect(found.articles[0]?.body).toContain('okpay fee quote withdraw --method METHOD_ID --amount 200.00 --currency EUR');
    expect(found.articles[0]?.body).toContain('Die Gebühr kommt zum Betrag hinzu');
  });
});
