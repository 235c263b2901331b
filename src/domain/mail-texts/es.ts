// The service's mails in Spanish (addressing the customer as "usted").

import { passwordAloneUnlocks, type LockFacts, type MailTexts, type SecurityChange } from './types.js';

const SECURITY_CHANGE: Readonly<Record<SecurityChange, { subject: string; sentence: (email: string) => string }>> = {
  password: { subject: 'Se ha cambiado su contraseña de OKPay', sentence: (email) => `Se ha cambiado la contraseña de ${email}` },
  '2fa-on': { subject: 'La verificación en dos pasos está activada', sentence: (email) => `Se ha activado la verificación en dos pasos de ${email}` },
  '2fa-off': { subject: 'Se ha desactivado la verificación en dos pasos', sentence: (email) => `Se ha desactivado la verificación en dos pasos de ${email}` },
  'recovery-codes': {
    subject: 'Se han creado nuevos códigos de recuperación',
    sentence: (email) => `Se han creado nuevos códigos de recuperación para ${email}; los anteriores ya no valen`,
  },
};

const withCode = (twoFactor: boolean): string => (twoFactor ? ' y un código de su aplicación de autenticación' : '');

function describeLock(lock: LockFacts): { why: string; how: string } {
  switch (lock.reason) {
    case 'self':
      return {
        why: `usted la congeló el ${lock.since} UTC${lock.note ? ` (${lock.note})` : ''}`,
        how: `ejecute \`okpay unlock --email ${lock.email}\` con su contraseña${withCode(lock.twoFactor)}`,
      };
    case 'failed-logins':
      return {
        why: `hubo ${lock.failedSignIns} inicios de sesión fallidos seguidos y está bloqueada desde el ${lock.since} UTC`,
        how: `use el token de desbloqueo que le enviamos por correo: \`okpay unlock --email ${lock.email} --token TOKEN\`, con su contraseña${withCode(lock.twoFactor)}`,
      };
    case 'agent':
      return {
        why: `el soporte de OKPay la bloqueó el ${lock.since} UTC${lock.note ? ` (${lock.note})` : ''}`,
        how: 'solo el soporte puede levantar este bloqueo; `okpay support` le indica cómo contactarnos',
      };
  }
}

/** The self-lock notice's warning when the password alone lifts the lock (passwordAloneUnlocks). */
const PASSWORD_ALONE_UNLOCKS =
  'Sin verificación en dos pasos, su contraseña basta para levantar este bloqueo a cualquiera que la conozca: si otra persona pudiera conocerla, pida al soporte que bloquee la cuenta (okpay support) y, cuando vuelva a entrar, cambie su contraseña (okpay password change) y active la verificación en dos pasos (okpay 2fa enable).';

export const es: MailTexts = {
  signature: '— OKPay\nNunca le pedimos por correo su contraseña ni sus códigos. Si un mensaje se los pide, no es nuestro.',

  activation: (token) => ({
    subject: 'Active su cuenta de OKPay',
    text: `Le damos la bienvenida a OKPay.\n\nPara activar su cuenta, ejecute:\n\n  okpay activate ${token}\n\nSe le pedirá la contraseña que eligió al registrarse (un script puede pasarla por la entrada estándar con --password-stdin). El token sirve una sola vez y caduca en 24 horas. Si no se ha registrado usted, ignore este correo: sin esa contraseña el token no abre nada y la cuenta seguirá sin activar.`,
  }),
  registrationAttempt: (address, email) => ({
    subject: 'Alguien intentó abrir una cuenta de OKPay con sus datos',
    text: `Alguien intentó abrir una nueva cuenta de OKPay con ${address}, que ya pertenece a su cuenta. No se ha creado nada y su cuenta no ha cambiado.\n\nSi fue usted, inicie sesión (okpay login --email ${email}) o restablezca su contraseña (okpay password reset --email ${email}). Si no, no tiene que hacer nada.`,
  }),
  passwordReset: (token) => ({
    subject: 'Restablezca su contraseña de OKPay',
    text: `Alguien ha pedido restablecer la contraseña de esta cuenta. Si fue usted, ejecute:\n\n  okpay password reset --token ${token}\n\nEl token sirve una sola vez y caduca en una hora. Si no fue usted, ignore este correo: su contraseña no cambia.`,
  }),
  lockedAfterFailures: (lock, token) => ({
    subject: 'Hemos bloqueado su cuenta de OKPay',
    text: `Hemos bloqueado su cuenta tras ${lock.failedSignIns} intentos fallidos seguidos de iniciar sesión.\n\nSi fue usted, desbloquéela con este token y su contraseña${lock.twoFactor ? ', además de un código de su aplicación de autenticación' : ''}:\n\n  okpay unlock --email ${lock.email} --token ${token}\n\nEl token caduca en 24 horas. Si no fue usted, es posible que alguien conozca su dirección de correo: después de desbloquear la cuenta, cambie su contraseña (okpay password change) y active la verificación en dos pasos (okpay 2fa enable).`,
  }),
  lockNotice: (lock) => {
    const { why, how } = describeLock(lock);
    return {
      subject: 'Su cuenta de OKPay está bloqueada',
      text: `Su cuenta está bloqueada: ${why}.\n\nMientras siga bloqueada, no puede salir dinero de la cuenta y nadie puede iniciar sesión.\n\nCómo desbloquearla: ${how}.${passwordAloneUnlocks(lock) ? `\n\n${PASSWORD_ALONE_UNLOCKS}` : ''}`,
    };
  },
  unlocked: {
    subject: 'Su cuenta de OKPay está desbloqueada',
    text: 'Su cuenta está desbloqueada: ya puede iniciar sesión y enviar dinero de nuevo. Si no lo ha hecho usted, contacte con el soporte de inmediato.',
  },
  securityChange: (change, email) => ({
    subject: SECURITY_CHANGE[change].subject,
    text: `${SECURITY_CHANGE[change].sentence(email)}. Sus demás sesiones se han cerrado.\n\nSi no lo ha hecho usted, restablezca ahora su contraseña (okpay password reset --email ${email}) y contacte con el soporte.`,
  }),

  paymentReceived: ({ from, amount, currency }, memo) => ({
    subject: `Ha recibido ${amount} ${currency}`,
    text: `${from} le ha enviado ${amount} ${currency}${memo ? ` con la nota «${memo}»` : ''}.\n\nConsulte su saldo: okpay balance`,
  }),
  moneyWaiting: ({ from, amount, currency }, to, until) => ({
    subject: `${from} le ha enviado ${amount} ${currency} con OKPay`,
    text: `${from} le ha enviado ${amount} ${currency}. El dinero le espera hasta el ${until}; después se devolverá a quien lo envió.\n\nPara recibirlo, abra una cuenta de OKPay con esta dirección:\n\n  okpay register --email ${to} --accept-terms\n\nEl dinero llegará a su monedero en cuanto la cuenta esté activada.`,
  }),
  payoutCompleted: ({ amount, currency, methodLabel }) => ({
    subject: `Su retiro de ${amount} ${currency} se ha completado`,
    text: `Se han abonado ${amount} ${currency} en ${methodLabel}.\n\nConsulte sus retiros: okpay withdraw list`,
  }),
  payoutFailed: ({ amount, currency, methodLabel }) => ({
    subject: `Su retiro de ${amount} ${currency} no se ha podido realizar`,
    text: `No hemos podido realizar el pago a ${methodLabel}: la cuenta de destino lo rechazó. El importe y la comisión vuelven a estar en su saldo disponible.\n\nConsulte sus retiros: okpay withdraw list`,
  }),
  transferReturned: (to, amount, currency) => ({
    subject: `Su transferencia a ${to} ha sido devuelta`,
    text: `${to} no reclamó su transferencia en 30 días. Los ${amount} ${currency}, comisión incluida, vuelven a estar en su saldo.`,
  }),
  paymentRefunded: ({ from, amount, currency }, txId) => ({
    subject: `Se reembolsó un pago que usted recibió`,
    text: `Tras una disputa, soporte reembolsó ${txId} a ${from}: ${amount} ${currency} salieron de su saldo y volvieron a esa persona.\n\nVéalo en su historial: okpay history --type refund. ¿Cree que es un error? Abra un ticket con okpay ticket new --tx ${txId}`,
  }),
  phoneCode: (code, minutes) => ({
    subject: 'Código de OKPay',
    text: `OKPay: ${code} es su código para verificar este número de teléfono. Caduca en ${minutes} minutos. No lo comparta: OKPay nunca se lo pedirá.`,
  }),

  kycApproved: {
    subject: 'Su identidad está verificada',
    text: 'Hemos aprobado la verificación de su identidad. A partir de ahora, sus transferencias y retiros tienen los límites más altos de los clientes verificados.',
  },
  kycRejected: (reason) => ({
    subject: 'La verificación de su identidad requiere su atención',
    text: `No hemos podido aprobar la verificación de su identidad: ${reason}.\n\nPuede corregirlo y enviarla de nuevo: okpay kyc submit`,
  }),

  ticket: {
    status: {
      new: 'nuevo',
      open: 'abierto',
      pending: 'esperando su respuesta',
      'on-hold': 'en espera',
      solved: 'resuelto',
      closed: 'cerrado',
      merged: 'fusionado',
    },
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
  },
};
