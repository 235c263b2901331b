// The QR code of an otpauth:// URI, drawn with terminal block characters for `okpay 2fa enable`.

import { createRequire } from 'node:module';

type QrCode = typeof import('qrcode');

/** Two rows of modules per line of text (`small`), so the code fits a 80×24 terminal. */
export async function renderTerminalQr(text: string): Promise<string> {
  // qrcode is CommonJS and only a TTY ever shows a QR code: loaded here, not at start-up.
  const qrcode = createRequire(import.meta.url)('qrcode') as QrCode;
  return qrcode.toString(text, { type: 'terminal', small: true });
}
