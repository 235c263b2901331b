// Node's crypto module, loaded the first time something needs it: loading it costs several ms
// (it brings streams and ciphers along), and reads such as `okpay balance` never do.

import { createRequire } from 'node:module';

type NodeCrypto = typeof import('node:crypto');
let loaded: NodeCrypto | undefined;

export function nodeCrypto(): NodeCrypto {
  return (loaded ??= createRequire(import.meta.url)('node:crypto') as NodeCrypto);
}

/** Node's crypto module if something has loaded it already, else undefined. */
export function nodeCryptoIfLoaded(): NodeCrypto | undefined {
  return loaded;
}
