// The service’s mails in French (addressing the customer as "vous").

import { passwordAloneUnlocks, type LockFacts, type MailTexts, type SecurityChange } from './types.js';

const SECURITY_CHANGE: Readonly<Record<SecurityChange, { subject: string; sentence: (email: string) => string }>> = {
  password: { subject: 'Votre mot de passe OKPay a été modifié', sentence: (email) => `Le mot de passe de ${email} a été modifié` },
  '2fa-on': { subject: 'La validation en deux étapes est activée', sentence: (email) => `La validation en deux étapes de ${email} est activée` },
  '2fa-off': { subject: 'La validation en deux étapes a été désactivée', sentence: (email) => `La validation en deux étapes de ${email} a été désactivée` },
  'recovery-codes': {
    subject: 'De nouveaux codes de secours ont été créés',
    sentence: (email) => `De nouveaux codes de secours ont été créés pour ${email} ; les anciens ne sont plus valables`,
  },
};

const withCode = (twoFactor: boolean): string => (twoFactor ? ' et un code de votre application d’authentification' : '');

function describeLock(lock: LockFacts): { why: string; how: string } {
  switch (lock.reason) {
    case 'self':
      return {
        why: `vous l’avez gelé le ${lock.since} UTC${lock.note ? ` (${lock.note})` : ''}`,
        how: `lancez \`okpay unlock --email ${lock.email}\` avec votre mot de passe${withCode(lock.twoFactor)}`,
      };
    case 'failed-logins':
      return {
        why: `il l’est depuis le ${lock.since} UTC, après ${lock.failedSignIns} échecs de connexion consécutifs`,
        how: `utilisez le jeton de déblocage que nous vous avons envoyé par e-mail : \`okpay unlock --email ${lock.email} --token TOKEN\`, avec votre mot de passe${withCode(lock.twoFactor)}`,
      };
    case 'agent':
      return {
        why: `le support OKPay l’a bloqué le ${lock.since} UTC${lock.note ? ` (${lock.note})` : ''}`,
        how: 'seul le support peut lever ce blocage ; `okpay support` indique comment nous joindre',
      };
  }
}

/** The self-lock notice's warning when the password alone lifts the lock (passwordAloneUnlocks). */
const PASSWORD_ALONE_UNLOCKS =
  'Sans validation en deux étapes, votre mot de passe suffit à lever ce blocage, pour quiconque le connaît : si quelqu’un d’autre peut le connaître, demandez au support de bloquer le compte (okpay support), puis, une fois de retour, changez votre mot de passe (okpay password change) et activez la validation en deux étapes (okpay 2fa enable).';

export const fr: MailTexts = {
  signature: '— OKPay\nNous ne vous demandons jamais votre mot de passe ni vos codes par e-mail. Un message qui les demande ne vient pas de nous.',

  activation: (token) => ({
    subject: 'Activez votre compte OKPay',
    text: `Bienvenue chez OKPay.\n\nPour activer votre compte, lancez :\n\n  okpay activate ${token}\n\nLa commande vous demande le mot de passe choisi lors de votre inscription (un script le passe sur l’entrée standard avec --password-stdin). Le jeton ne sert qu’une fois et expire dans 24 heures. Si vous ne vous êtes pas inscrit, ignorez cet e-mail : sans ce mot de passe, le jeton n’ouvre rien et le compte restera inactif.`,
  }),
  registrationAttempt: (address, email) => ({
    subject: 'Quelqu’un a tenté d’ouvrir un compte OKPay avec vos coordonnées',
    text: `Quelqu’un a tenté d’ouvrir un nouveau compte OKPay avec ${address}, qui appartient déjà à votre compte. Rien n’a été créé et votre compte n’a pas changé.\n\nSi c’était vous, connectez-vous (okpay login --email ${email}) ou réinitialisez votre mot de passe (okpay password reset --email ${email}). Sinon, vous n’avez rien à faire.`,
  }),
  passwordReset: (token) => ({
    subject: 'Réinitialisez votre mot de passe OKPay',
    text: `Quelqu’un a demandé à réinitialiser le mot de passe de ce compte. Si c’était vous, lancez :\n\n  okpay password reset --token ${token}\n\nLe jeton ne sert qu’une fois et expire dans une heure. Si ce n’était pas vous, ignorez cet e-mail : votre mot de passe reste inchangé.`,
  }),
  lockedAfterFailures: (lock, token) => ({
    subject: 'Votre compte OKPay a été bloqué',
    text: `Nous avons bloqué votre compte après ${lock.failedSignIns} échecs de connexion consécutifs.\n\nSi c’était vous, débloquez-le avec ce jeton et votre mot de passe${lock.twoFactor ? ', ainsi qu’un code de votre application d’authentification' : ''} :\n\n  okpay unlock --email ${lock.email} --token ${token}\n\nLe jeton expire dans 24 heures. Si ce n’était pas vous, quelqu’un connaît peut-être votre adresse e-mail : après le déblocage, changez votre mot de passe (okpay password change) et activez la validation en deux étapes (okpay 2fa enable).`,
  }),
  lockNotice: (lock) => {
    const { why, how } = describeLock(lock);
    return {
      subject: 'Votre compte OKPay est bloqué',
      text: `Votre compte est bloqué : ${why}.\n\nTant qu’il est bloqué, aucun argent ne peut sortir du compte et personne ne peut s’y connecter.\n\nPour le débloquer : ${how}.${passwordAloneUnlocks(lock) ? `\n\n${PASSWORD_ALONE_UNLOCKS}` : ''}`,
    };
  },
  unlocked: {
    subject: 'Votre compte OKPay est débloqué',
    text: 'Votre compte est débloqué : vous pouvez de nouveau vous connecter et envoyer de l’argent. Si ce n’est pas vous qui l’avez débloqué, contactez le support immédiatement.',
  },
  securityChange: (change, email) => ({
    subject: SECURITY_CHANGE[change].subject,
    text: `${SECURITY_CHANGE[change].sentence(email)}. Vos autres sessions ont été fermées.\n\nSi ce n’est pas vous, réinitialisez votre mot de passe dès maintenant (okpay password reset --email ${email}) et contactez le support.`,
  }),

  paymentReceived: ({ from, amount, currency }, memo) => ({
    subject: `Vous avez reçu ${amount} ${currency}`,
    text: `${from} vous a envoyé ${amount} ${currency}${memo ? ` avec la note « ${memo} »` : ''}.\n\nConsultez votre solde : okpay balance`,
  }),
  moneyWaiting: ({ from, amount, currency }, to, until) => ({
    subject: `${from} vous a envoyé ${amount} ${currency} avec OKPay`,
    text: `${from} vous a envoyé ${amount} ${currency}. L’argent vous attend jusqu’au ${until} ; passé ce délai, il retourne à l’expéditeur.\n\nPour le recevoir, ouvrez un compte OKPay avec cette adresse :\n\n  okpay register --email ${to} --accept-terms\n\nL’argent arrive dans votre porte-monnaie dès que le compte est activé.`,
  }),
  payoutCompleted: ({ amount, currency, methodLabel }) => ({
    subject: `Votre retrait de ${amount} ${currency} est effectué`,
    text: `${amount} ${currency} ont été versés sur ${methodLabel}.\n\nVoir vos retraits : okpay withdraw list`,
  }),
  payoutFailed: ({ amount, currency, methodLabel }) => ({
    subject: `Votre retrait de ${amount} ${currency} a échoué`,
    text: `Le versement sur ${methodLabel} n’a pas pu être effectué : le compte destinataire l’a refusé. Le montant et les frais sont de retour dans votre solde disponible.\n\nVoir vos retraits : okpay withdraw list`,
  }),
  transferReturned: (to, amount, currency) => ({
    subject: `Votre virement à ${to} vous a été retourné`,
    text: `${to} n’a pas réclamé votre virement dans les 30 jours. ${amount} ${currency}, frais compris, sont de retour dans votre solde.`,
  }),
  paymentRefunded: ({ from, amount, currency }, txId) => ({
    subject: `Un paiement que vous avez reçu a été remboursé`,
    text: `Après un litige, le support a remboursé ${txId} à ${from} : ${amount} ${currency} ont quitté votre solde pour lui revenir.\n\nVoir dans votre historique : okpay history --type refund. Vous pensez que c’est une erreur ? Ouvrez un ticket avec okpay ticket new --tx ${txId}`,
  }),
  phoneCode: (code, minutes) => ({
    subject: 'Code OKPay',
    text: `OKPay : ${code} est votre code pour vérifier ce numéro de téléphone. Il expire dans ${minutes} minutes. Ne le communiquez jamais : OKPay ne vous le demandera pas.`,
  }),

  kycApproved: {
    subject: 'Votre identité est vérifiée',
    text: 'La vérification de votre identité est approuvée. Les plafonds plus élevés des clients vérifiés s’appliquent désormais à vos virements et à vos retraits.',
  },
  kycRejected: (reason) => ({
    subject: 'La vérification de votre identité demande votre attention',
    text: `La vérification de votre identité n’a pas été approuvée : ${reason}.\n\nVous pouvez corriger cela et la soumettre de nouveau : okpay kyc submit`,
  }),

  ticket: {
    status: {
      new: 'nouveau',
      open: 'ouvert',
      pending: 'en attente de votre réponse',
      'on-hold': 'en suspens',
      solved: 'résolu',
      closed: 'clos',
      merged: 'fusionné',
    },
    signature: '— Le support OKPay\nNous ne demandons jamais votre mot de passe ni vos codes à usage unique. Un message qui les demande ne vient pas de nous.',
    receivedSubject: (n, subject) => `[OKPay #${n}] Nous avons reçu votre demande : ${subject}`,
    received: (n, expected, relatedTo) =>
      `Merci d’avoir contacté le support OKPay. Votre demande porte le numéro de ticket #${n}${relatedTo === null ? '' : ` (suite du ticket #${relatedTo})`}.` +
      `${expected === null ? '' : `\n\nVous recevrez une première réponse au plus tard le ${expected}.`}\n\nMerci de ne pas renvoyer la même demande : la répéter n’accélère pas la réponse.`,
    replySubject: (n, subject) => `[OKPay #${n}] Nouvelle réponse : ${subject}`,
    reply: (n, body, status) => `Un agent du support a répondu à votre ticket #${n} :\n\n${body}\n\nÉtat du ticket : ${status}.`,
    statusSubject: (n, status, subject) => `[OKPay #${n}] Ticket ${status} : ${subject}`,
    statusText: (n, to, mergedInto) =>
      ({
        open: `Votre ticket #${n} est ouvert et un agent s’en occupe.`,
        pending: `Nous attendons votre réponse sur le ticket #${n}. Le ticket reste ouvert pour vous.`,
        'on-hold': `Le ticket #${n} est en suspens : nous attendons la réponse d’un tiers, par exemple une banque ou un autre prestataire de paiement. Nous vous écrirons dès qu’il y aura du nouveau.`,
        solved: `Nous avons marqué le ticket #${n} comme résolu. Si quelque chose ne va toujours pas, répondez et le ticket se rouvre ; sans réponse, il sera clos dans 7 jours.\n\nDites-nous ce que vous avez pensé de notre aide : okpay ticket rate ${n} --score 1-5`,
        closed: `Le ticket #${n} est clos. Si vous y répondez, nous ouvrirons un nouveau ticket lié à celui-ci.`,
        merged: `Le ticket #${n} a été fusionné avec le ticket #${mergedInto ?? '?'}, où la conversation continue. Merci de répondre là-bas.`,
      })[to],
    replyHint: (n) => `Pour répondre : okpay ticket reply ${n} --body "…"\nPour lire toute la conversation : okpay ticket show ${n}`,
  },
};
