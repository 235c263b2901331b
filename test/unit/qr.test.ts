import QRCode from 'qrcode';
import { describe, expect, it } from 'vitest';
import { renderTerminalQr } from '../../src/cli/qr.js';

describe('renderTerminalQr', () => {
  const uri = 'otpauth://totp/OKPay:ada%40example.com?secret=JBSWY3DPEHPK3PXP&issuer=OKPay';

  it('draws every module of the code, two rows per line, in half-block characters', async () => {
    const drawn = await renderTerminalQr(uri);
    const { size } = QRCode.create(uri, {}).modules;
    const lines = drawn.split('\n').filter((line) => line !== '');
    // A quiet zone of 2 modules on each side (the library's terminal default for small codes).
    expect(lines.length).toBe(Math.ceil((size + 4) / 2));
    expect(drawn).toMatch(/[▀▄█]/);
  });

  it('draws different codes for different secrets', async () => {
    expect(await renderTerminalQr(uri)).not.toBe(await renderTerminalQr(uri.replace('JBSWY3DPEHPK3PXP', 'KRSXG5CTMVRXEZLU')));
  });
});
