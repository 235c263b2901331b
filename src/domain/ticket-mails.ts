// The mails a customer gets about a ticket — received, answered, status changed — in the ticket's
// language (en, zh, es, fr, de), with the anti-phishing phrase when the customer set one.

import type { Language } from './language.js';
import type { OutgoingMail } from './mail.js';
import type { User } from './state.js';
import type { Ticket, TicketStatus } from './tickets.js';

type ChangedStatus = Exclude<TicketStatus, 'new'>;

interface Phrases {
  readonly status: Readonly<Record<TicketStatus, string>>;
  readonly signature: string;
  receivedSubject(n: number, subject: string): string;
  received(n: number, expected: string | null, relatedTo: number | null): string;
  replySubject(n: number, subject: string): string;
  reply(n: number, body: string, status: string): string;
  statusSubject(n: number, status: string, subject: string): string;
  statusText(n: number, to: ChangedStatus, mergedInto: number | null): string;
  replyHint(n: number): string;
}

const en: Phrases = {
  status: { new: 'new', open: 'open', pending: 'waiting for your reply', 'on-hold': 'on hold', solved: 'solved', closed: 'closed', merged: 'merged' },
  signature: '— OKPay support\nWe never ask for your password or one-time codes. A message that does is not from us.',
  receivedSubject: (n, subject) => `[OKPay #${n}] We have your request: ${subject}`,
  received: (n, expected, relatedTo) =>
    `Thank you for contacting OKPay support. Your request is ticket #${n}${relatedTo === null ? '' : ` (it follows up ticket #${relatedTo})`}.` +
    `${expected === null ? '' : `\n\nYou can expect a first answer by ${expected}.`}\n\nPlease do not send the same request again: a repeat does not make the answer come sooner.`,
  replySubject: (n, subject) => `[OKPay #${n}] New answer: ${subject}`,
  reply: (n, body, status) => `A support agent answered your ticket #${n}:\n\n${body}\n\nThe ticket is now ${status}.`,
  statusSubject: (n, status, subject) => `[OKPay #${n}] Ticket ${status}: ${subject}`,
  statusText: (n, to, mergedInto) =>
    ({
      open: `Your ticket #${n} is open and an agent is working on it.`,
      pending: `We are waiting for your reply on ticket #${n}. The ticket stays open for you.`,
      'on-hold': `Ticket #${n} is on hold while we wait for a third party, such as a bank or another payment provider. We will write as soon as there is news.`,
      solved: `We marked ticket #${n} as solved. If something is still wrong, reply and the ticket opens again; without a reply it closes after 7 days.\n\nTell us how we did: okpay ticket rate ${n} --score 1-5`,
      closed: `Ticket #${n} is closed. If you reply to it, we open a new ticket linked to this one.`,
      merged: `Ticket #${n} was merged into ticket #${mergedInto ?? '?'}, which carries on the conversation. Please reply there.`,
    })[to],
  replyHint: (n) => `To answer: okpay ticket reply ${n} --body "…"\nTo read the whole conversation: okpay ticket show ${n}`,
};

const zh: Phrases = {
  status: { new: '新建', open: '处理中', pending: '等待您的回复', 'on-hold': '暂缓处理', solved: '已解决', closed: '已关闭', merged: '已合并' },
  signature: '—— OKPay 客服\n我们绝不会索要您的密码或一次性验证码。凡是索要这些信息的邮件，都不是我们发的。',
  receivedSubject: (n, subject) => `[OKPay #${n}] 我们已收到您的请求：${subject}`,
  received: (n, expected, relatedTo) =>
    `感谢您联系 OKPay 客服。您的请求编号为工单 #${n}${relatedTo === null ? '' : `（接续工单 #${relatedTo}）`}。` +
    `${expected === null ? '' : `\n\n预计最晚在 ${expected} 前给您首次答复。`}\n\n请不要重复提交同样的请求：重复发送并不会让答复更快。`,
  replySubject: (n, subject) => `[OKPay #${n}] 新的答复：${subject}`,
  reply: (n, body, status) => `客服人员答复了您的工单 #${n}：\n\n${body}\n\n工单当前状态：${status}。`,
  statusSubject: (n, status, subject) => `[OKPay #${n}] 工单${status}：${subject}`,
  statusText: (n, to, mergedInto) =>
    ({
      open: `您的工单 #${n} 正在处理中，客服人员正在跟进。`,
      pending: `工单 #${n} 正在等待您的回复，工单会为您保留。`,
      'on-hold': `工单 #${n} 暂缓处理：我们正在等待第三方（例如银行或其他支付机构）的回复，一有进展就会通知您。`,
      solved: `我们已将工单 #${n} 标记为已解决。如果问题仍未解决，直接回复即可重新打开；如无回复，工单将在 7 天后关闭。\n\n欢迎为我们的服务评分：okpay ticket rate ${n} --score 1-5`,
      closed: `工单 #${n} 已关闭。如果您再回复，我们会新建一个与之关联的工单。`,
      merged: `工单 #${n} 已合并到工单 #${mergedInto ?? '?'}，后续沟通将在该工单中进行，请在那里回复。`,
    })[to],
  replyHint: (n) => `回复工单：okpay ticket reply ${n} --body "…"\n查看完整对话：okpay ticket show ${n}`,
};

const es: Phrases = {
  status: { new: 'nuevo', open: 'abierto', pending: 'esperando su respuesta', 'on-hold': 'en espera', solved: 'resuelto', closed: 'cerrado', merged: 'fusionado' },
  signature: '— Soporte de OKPay\nNunca le pediremos su contraseña ni códigos de un solo uso. Un mensaje que los pida no es nuestro.',
  receivedSubject: (n, subject) => `[OKPay #${n}] Hemos recibido su solicitud: ${subject}`,
  received: (n, expected, relatedTo) =>
    `Gracias por escribir al soporte de OKPay. Su solicitud es el ticket #${n}${relatedTo === null ? '' : ` (continúa el ticket #${relatedTo})`}.` +
    `${expected === null ? '' : `\n\nRecibirá una primera respuesta a más tardar el ${expected}.`}\n\nNo envíe la misma solicitud otra vez: repetirla no adelanta la respuesta.`,
  replySubject: (n, subject) => `[OKPay #${n}] Nueva respuesta: ${subject}`,
  reply: (n, body, status) => `Un agente de soporte respondió a su ticket #${n}:\n\n${body}\n\nEstado del ticket: ${status}.`,
  statusSubject: (n, status, subject) => `[OKPay #${n}] Ticket ${status}: ${subject}`,
  statusText: (n, to, mergedInto) =>
    ({
      open: `Su ticket #${n} está abierto y un agente se está ocupando de él.`,
      pending: `Esperamos su respuesta en el ticket #${n}. El ticket sigue abierto para usted.`,
      'on-hold': `El ticket #${n} está en espera mientras un tercero, como un banco u otro proveedor de pagos, nos responde. Le escribiremos en cuanto haya novedades.`,
      solved: `Hemos marcado el ticket #${n} como resuelto. Si algo sigue mal, responda y el ticket se abrirá de nuevo; sin respuesta se cerrará en 7 días.\n\nValore nuestra atención: okpay ticket rate ${n} --score 1-5`,
      closed: `El ticket #${n} está cerrado. Si responde, abriremos un ticket nuevo vinculado a este.`,
      merged: `El ticket #${n} se fusionó con el ticket #${mergedInto ?? '?'}, donde sigue la conversación. Responda allí, por favor.`,
    })[to],
  replyHint: (n) => `Para responder: okpay ticket reply ${n} --body "…"\nPara leer toda la conversación: okpay ticket show ${n}`,
};

const fr: Phrases = {
  status: { new: 'nouveau', open: 'ouvert', pending: 'en attente de votre réponse', 'on-hold': 'en suspens', solved: 'résolu', closed: 'clos', merged: 'fusionné' },
  signature: "— Le support OKPay\nNous ne demandons jamais votre mot de passe ni vos codes à usage unique. Un message qui les demande ne vient pas de nous.",
  receivedSubject: (n, subject) => `[OKPay #${n}] Nous avons reçu votre demande : ${subject}`,
  received: (n, expected, relatedTo) =>
    `Merci d'avoir contacté le support OKPay. Votre demande porte le numéro de ticket #${n}${relatedTo === null ? '' : ` (suite du ticket #${relatedTo})`}.` +
    `${expected === null ? '' : `\n\nVous recevrez une première réponse au plus tard le ${expected}.`}\n\nMerci de ne pas renvoyer la même demande : la répéter n'accélère pas la réponse.`,
  replySubject: (n, subject) => `[OKPay #${n}] Nouvelle réponse : ${subject}`,
  reply: (n, body, status) => `Un agent du support a répondu à votre ticket #${n} :\n\n${body}\n\nÉtat du ticket : ${status}.`,
  statusSubject: (n, status, subject) => `[OKPay #${n}] Ticket ${status} : ${subject}`,
  statusText: (n, to, mergedInto) =>
    ({
      open: `Votre ticket #${n} est ouvert et un agent s'en occupe.`,
      pending: `Nous attendons votre réponse sur le ticket #${n}. Le ticket reste ouvert pour vous.`,
      'on-hold': `Le ticket #${n} est en suspens : nous attendons la réponse d'un tiers, par exemple une banque ou un autre prestataire de paiement. Nous vous écrirons dès qu'il y aura du nouveau.`,
      solved: `Nous avons marqué le ticket #${n} comme résolu. Si quelque chose ne va toujours pas, répondez et le ticket se rouvre ; sans réponse, il sera clos dans 7 jours.\n\nDites-nous ce que vous avez pensé de notre aide : okpay ticket rate ${n} --score 1-5`,
      closed: `Le ticket #${n} est clos. Si vous y répondez, nous ouvrirons un nouveau ticket lié à celui-ci.`,
      merged: `Le ticket #${n} a été fusionné avec le ticket #${mergedInto ?? '?'}, où la conversation continue. Merci de répondre là-bas.`,
    })[to],
  replyHint: (n) => `Pour répondre : okpay ticket reply ${n} --body "…"\nPour lire toute la conversation : okpay ticket show ${n}`,
};

const de: Phrases = {
  status: { new: 'neu', open: 'offen', pending: 'wartet auf Ihre Antwort', 'on-hold': 'zurückgestellt', solved: 'gelöst', closed: 'geschlossen', merged: 'zusammengeführt' },
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
};

const PHRASES: Readonly<Record<Language, Phrases>> = { en, zh, es, fr, de };

function compose(customer: User, ticket: Ticket, kind: string, subject: string, text: string): OutgoingMail {
  const phrases = PHRASES[ticket.language];
  return {
    to: customer.email,
    userId: customer.id,
    kind,
    language: ticket.language,
    subject,
    text: `${text}\n\n${phrases.replyHint(ticket.number)}\n\n${phrases.signature}`,
    antiPhishingPhrase: customer.antiPhishingPhrase,
  };
}

/** The acknowledgement of a new ticket; `expectedBy` is the first-reply deadline as local text, if one runs. */
export function ticketReceivedMail(customer: User, ticket: Ticket, expectedBy: string | null): OutgoingMail {
  const phrases = PHRASES[ticket.language];
  return compose(customer, ticket, 'ticket-received', phrases.receivedSubject(ticket.number, ticket.subject), phrases.received(ticket.number, expectedBy, ticket.relatedTo));
}

/** An agent's public answer, quoted in full. */
export function ticketReplyMail(customer: User, ticket: Ticket, body: string): OutgoingMail {
  const phrases = PHRASES[ticket.language];
  return compose(customer, ticket, 'ticket-reply', phrases.replySubject(ticket.number, ticket.subject), phrases.reply(ticket.number, body, phrases.status[ticket.status]));
}

/** A status change the customer did not make themselves. */
export function ticketStatusMail(customer: User, ticket: Ticket, to: ChangedStatus): OutgoingMail {
  const phrases = PHRASES[ticket.language];
  return compose(customer, ticket, 'ticket-status', phrases.statusSubject(ticket.number, phrases.status[to], ticket.subject), phrases.statusText(ticket.number, to, ticket.mergedInto));
}
