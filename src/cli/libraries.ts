// import() of the libraries okpay does not bundle and loads only in the commands that use them: ink
// and React (ES modules), and the mail libraries (large). The bundle leaves this module outside, as a
// file of its own that Node loads (scripts/bundle.mjs): on Node 20 the bundle may run from V8's code
// cache (bin/code-cache.js), through vm.Script, where import() is not available.

export const importInk = () => import('ink');
export const importReact = () => import('react');
export const importNodemailer = () => import('nodemailer');
export const importMailparser = () => import('mailparser');
