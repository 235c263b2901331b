// The service's mails in German (addressing the customer as "Sie").

import { passwordAloneUnlocks, type LockFacts, type MailTexts, type SecurityChange } from './types.js';

const SECURITY_CHANGE: Readonly<Record<SecurityChange, { subject: string; sentence: (email: string) => string }>> = {
  password: { subject: 'Ihr OKPay-Passwort wurde geändert', sentence: (email) => `Das Passwort von ${email} wurde geändert` },
  '2fa-on': { subject: 'Die Zwei-Faktor-Bestätigung ist aktiv', sentence: (email) => `Die Zwei-Faktor-Bestätigung für ${email} ist jetzt aktiv` },
  '2fa-off': {
    subject: 'Die Zwei-Faktor-Bestätigung wurde ausgeschaltet',
    sentence: (email) => `Die Zwei-Faktor-Bestätigung für ${email} wurde ausgeschaltet`,
  },
  'recovery-codes': {
    subject: 'Neue Wiederherstellungscodes wurden erstellt',
    sentence: (email) => `Für ${email} wurden neue Wiederherstellungscodes erstellt; die alten gelten nicht mehr`,
  },
};

const withCode = (twoFactor: boolean): string => (twoFactor ? ' und einem Code aus Ihrer Authenticator-App' : '');

function describeLock(lock: LockFacts): { why: string; how: string } {
  switch (lock.reason) {
    case 'self':
      return {
        why: `Sie haben das Konto ${lock.email} am ${lock.since} UTC selbst eingefroren${lock.note ? ` (${lock.note})` : ''}`,
        how: `Führen Sie \`okpay unlock --email ${lock.email}\` aus; dazu brauchen Sie Ihr Passwort${lock.twoFactor ? ' und einen Code aus Ihrer Authenticator-App' : ''}`,
      };
    case 'failed-logins':
      return {
        why: `Das Konto ${lock.email} ist seit ${lock.since} UTC nach ${lock.failedSignIns} fehlgeschlagenen Anmeldungen in Folge gesperrt`,
        how: `Verwenden Sie den Entsperr-Token aus unserer E-Mail: \`okpay unlock --email ${lock.email} --token TOKEN\`, zusammen mit Ihrem Passwort${withCode(lock.twoFactor)}`,
      };
    case 'agent':
      return {
        why: `Der OKPay-Support hat das Konto ${lock.email} am ${lock.since} UTC gesperrt${lock.note ? `: ${lock.note}` : ''}`,
        how: 'Nur der Support kann diese Sperre aufheben; wie Sie uns erreichen, zeigt `okpay support`',
      };
  }
}

/** The self-lock notice's warning when the password alone lifts the lock (passwordAloneUnlocks). */
const PASSWORD_ALONE_UNLOCKS =
  'Ohne Zwei-Faktor-Bestätigung hebt Ihr Passwort allein diese Sperre auf, für jeden, der es kennt: Falls es jemand anderes kennen könnte, bitten Sie den Support, das Konto zu sperren (okpay support), und ändern Sie nach dem Entsperren Ihr Passwort (okpay password change) und schalten Sie die Zwei-Faktor-Bestätigung ein (okpay 2fa enable).';

export const de: MailTexts = {
  signature: '— OKPay\nWir fragen Sie nie per E-Mail nach Ihrem Passwort oder Ihren Codes. Eine Nachricht, die danach fragt, stammt nicht von uns.',

  activation: (token) => ({
    subject: 'Aktivieren Sie Ihr OKPay-Konto',
    text: `Willkommen bei OKPay.\n\nUm Ihr Konto zu aktivieren, führen Sie diesen Befehl aus:\n\n  okpay activate ${token}\n\nDabei werden Sie nach dem Passwort gefragt, das Sie bei der Registrierung gewählt haben (ein Skript übergibt es mit --password-stdin über die Standardeingabe). Der Token gilt ein einziges Mal und läuft nach 24 Stunden ab. Wenn Sie sich nicht registriert haben, ignorieren Sie diese E-Mail: Ohne dieses Passwort öffnet der Token nichts, und das Konto bleibt inaktiv.`,
  }),
  registrationAttempt: (address, email) => ({
    subject: 'Jemand wollte mit Ihren Angaben ein OKPay-Konto eröffnen',
    text: `Jemand wollte ein neues OKPay-Konto mit ${address} eröffnen; diese Angabe gehört bereits zu Ihrem Konto. Es wurde nichts angelegt, und an Ihrem Konto hat sich nichts geändert.\n\nWenn Sie das waren, melden Sie sich an (okpay login --email ${email}) oder setzen Sie Ihr Passwort zurück (okpay password reset --email ${email}). Andernfalls müssen Sie nichts tun.`,
  }),
  passwordReset: (token) => ({
    subject: 'Setzen Sie Ihr OKPay-Passwort zurück',
    text: `Jemand möchte das Passwort dieses Kontos zurücksetzen. Wenn Sie das waren, führen Sie diesen Befehl aus:\n\n  okpay password reset --token ${token}\n\nDer Token gilt ein einziges Mal und läuft nach einer Stunde ab. Wenn Sie es nicht waren, ignorieren Sie diese E-Mail: Ihr Passwort bleibt, wie es ist.`,
  }),
  lockedAfterFailures: (lock, token) => ({
    subject: 'Ihr OKPay-Konto wurde gesperrt',
    text: `Wir haben Ihr Konto nach ${lock.failedSignIns} fehlgeschlagenen Anmeldungen in Folge gesperrt.\n\nWenn Sie das waren, entsperren Sie es mit diesem Token und Ihrem Passwort${lock.twoFactor ? ' sowie einem Code aus Ihrer Authenticator-App' : ''}:\n\n  okpay unlock --email ${lock.email} --token ${token}\n\nDer Token läuft nach 24 Stunden ab. Wenn Sie es nicht waren, kennt womöglich jemand Ihre E-Mail-Adresse: Ändern Sie nach dem Entsperren Ihr Passwort (okpay password change) und schalten Sie die Zwei-Faktor-Bestätigung ein (okpay 2fa enable).`,
  }),
  lockNotice: (lock) => {
    const { why, how } = describeLock(lock);
    return {
      subject: 'Ihr OKPay-Konto ist gesperrt',
      text: `${why}.\n\nSolange es gesperrt ist, kann kein Geld das Konto verlassen und niemand kann sich anmelden.\n\nSo heben Sie die Sperre auf: ${how}.${passwordAloneUnlocks(lock) ? `\n\n${PASSWORD_ALONE_UNLOCKS}` : ''}`,
    };
  },
  unlocked: {
    subject: 'Ihr OKPay-Konto ist entsperrt',
    text: 'Ihr Konto ist entsperrt: Sie können sich wieder anmelden und Geld senden. Wenn Sie das nicht selbst waren, wenden Sie sich sofort an den Support.',
  },
  securityChange: (change, email) => ({
    subject: SECURITY_CHANGE[change].subject,
    text: `${SECURITY_CHANGE[change].sentence(email)}. Ihre anderen Sitzungen wurden abgemeldet.\n\nWenn Sie das nicht selbst waren, setzen Sie jetzt Ihr Passwort zurück (okpay password reset --email ${email}) und wenden Sie sich an den Support.`,
  }),

  paymentReceived: ({ from, amount, currency }, memo) => ({
    subject: `Sie haben ${amount} ${currency} erhalten`,
    text: `${from} hat Ihnen ${amount} ${currency} gesendet${memo ? `, mit der Notiz „${memo}“` : ''}.\n\nIhr Guthaben ansehen: okpay balance`,
  }),
  moneyWaiting: ({ from, amount, currency }, to, until) => ({
    subject: `${from} hat Ihnen mit OKPay ${amount} ${currency} gesendet`,
    text: `${from} hat Ihnen ${amount} ${currency} gesendet. Das Geld wartet bis zum ${until} auf Sie; danach geht es an den Absender zurück.\n\nUm es zu erhalten, eröffnen Sie mit dieser Adresse ein OKPay-Konto:\n\n  okpay register --email ${to} --accept-terms\n\nSobald das Konto aktiviert ist, landet das Geld in Ihrer Wallet.`,
  }),
  payoutCompleted: ({ amount, currency, methodLabel }) => ({
    subject: `Ihre Auszahlung von ${amount} ${currency} ist abgeschlossen`,
    text: `${amount} ${currency} wurden an ${methodLabel} ausgezahlt.\n\nIhre Auszahlungen ansehen: okpay withdraw list`,
  }),
  payoutFailed: ({ amount, currency, methodLabel }) => ({
    subject: `Ihre Auszahlung von ${amount} ${currency} ist fehlgeschlagen`,
    text: `Die Auszahlung an ${methodLabel} war nicht möglich: Das Empfängerkonto hat sie abgelehnt. Betrag und Gebühr sind wieder in Ihrem verfügbaren Guthaben.\n\nIhre Auszahlungen ansehen: okpay withdraw list`,
  }),
  transferReturned: (to, amount, currency) => ({
    subject: `Ihre Überweisung an ${to} kam zurück`,
    text: `${to} hat Ihre Überweisung nicht innerhalb von 30 Tagen angenommen. ${amount} ${currency} einschließlich Gebühr sind wieder in Ihrem Guthaben.`,
  }),
  paymentRefunded: ({ from, amount, currency }, txId) => ({
    subject: `Eine erhaltene Zahlung wurde erstattet`,
    text: `Nach einem Widerspruch hat der Support ${txId} an ${from} erstattet: ${amount} ${currency} gingen aus Ihrem Guthaben an die Person zurück.\n\nIn Ihrem Verlauf: okpay history --type refund. Halten Sie das für falsch? Eröffnen Sie ein Ticket mit okpay ticket new --tx ${txId}`,
  }),
  phoneCode: (code, minutes) => ({
    subject: 'OKPay-Code',
    text: `OKPay: ${code} ist Ihr Code zur Bestätigung dieser Telefonnummer. Er läuft in ${minutes} Minuten ab. Geben Sie ihn nie weiter: OKPay fragt nie danach.`,
  }),

  kycApproved: {
    subject: 'Ihre Identität ist bestätigt',
    text: 'Ihre Identitätsprüfung ist abgeschlossen und bestätigt. Für Ihre Überweisungen und Auszahlungen gelten ab jetzt die höheren Limits für verifizierte Kunden.',
  },
  kycRejected: (reason) => ({
    subject: 'Ihre Identitätsprüfung braucht Ihre Mithilfe',
    text: `Ihre Identitätsprüfung wurde nicht bestätigt: ${reason}.\n\nSie können das korrigieren und die Prüfung erneut einreichen: okpay kyc submit`,
  }),

  ticket: {
    status: {
      new: 'neu',
      open: 'offen',
      pending: 'wartet auf Ihre Antwort',
      'on-hold': 'zurückgestellt',
      solved: 'gelöst',
      closed: 'geschlossen',
      merged: 'zusammengeführt',
    },
    signature: '— Ihr OKPay-Support\nWir fragen nie nach Ihrem Passwort oder Einmalcodes. Eine Nachricht, die danach fragt, stammt nicht von uns.',
    receivedSubject: (n, subject) => `[OKPay #${n}] Ihre Anfrage ist bei uns: ${subject}`,
    received: (n, expected, relatedTo) =>
      `Danke, dass Sie sich an den OKPay-Support wenden. Ihre Anfrage hat die Ticketnummer #${n}${relatedTo === null ? '' : ` (Fortsetzung von Ticket #${relatedTo})`}.` +
      `${expected === null ? '' : `\n\nEine erste Antwort erhalten Sie spätestens am ${expected}.`}\n\nBitte senden Sie dieselbe Anfrage nicht noch einmal: Eine Wiederholung beschleunigt die Antwort nicht.`,
    replySubject: (n, subject) => `[OKPay #${n}] Neue Antwort: ${subject}`,
    reply: (n, body, status) => `Ein Support-Mitarbeiter hat auf Ihr Ticket #${n} geantwortet:\n\n${body}\n\nStatus des Tickets: ${status}.`,
    statusSubject: (n, status, subject) => `[OKPay #${n}] Ticket ${status}: ${subject}`,
    statusText: (n, to, mergedInto) =>
      ({
        open: `Ihr Ticket #${n} ist offen und wird gerade bearbeitet.`,
        pending: `Wir warten auf Ihre Antwort zu Ticket #${n}. Das Ticket bleibt für Sie offen.`,
        'on-hold': `Ticket #${n} ist zurückgestellt, bis ein Dritter – etwa eine Bank oder ein anderer Zahlungsanbieter – antwortet. Wir melden uns, sobald es Neuigkeiten gibt.`,
        solved: `Wir haben Ticket #${n} als gelöst markiert. Wenn noch etwas nicht stimmt, antworten Sie einfach, dann öffnet sich das Ticket wieder; ohne Antwort wird es nach 7 Tagen geschlossen.\n\nWie zufrieden waren Sie? okpay ticket rate ${n} --score 1-5`,
        closed: `Ticket #${n} ist geschlossen. Wenn Sie darauf antworten, eröffnen wir ein neues, damit verknüpftes Ticket.`,
        merged: `Ticket #${n} wurde mit Ticket #${mergedInto ?? '?'} zusammengeführt; dort geht das Gespräch weiter. Bitte antworten Sie dort.`,
      })[to],
    replyHint: (n) => `Antworten: okpay ticket reply ${n} --body "…"\nDas ganze Gespräch lesen: okpay ticket show ${n}`,
  },
};
