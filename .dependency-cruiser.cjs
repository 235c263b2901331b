// The architecture, checked on every `npm test` (test/unit/architecture.test.ts) and by
// `npm run depcheck`: imports point down only (cli → app → domain, app → store interfaces,
// store → domain), no command file imports another, and no import circles anywhere in src/.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', comment: 'an import circle', from: { path: '^src/' }, to: { circular: true } },
    {
      name: 'domain-is-pure',
      severity: 'error',
      comment: 'the domain imports nothing of the shell, the use-cases or the store',
      from: { path: '^src/domain/' },
      to: { path: '^src/(cli|app|store)/' },
    },
    {
      name: 'app-never-imports-cli',
      severity: 'error',
      comment: 'use-cases never print, prompt or read argv',
      from: { path: '^src/app/' },
      to: { path: '^src/cli/' },
    },
    {
      name: 'store-below-app',
      severity: 'error',
      comment: 'stores know records, not use-cases or the shell',
      from: { path: '^src/store/' },
      to: { path: '^src/(cli|app)/' },
    },
    {
      name: 'commands-stand-alone',
      severity: 'error',
      comment: 'a command file never imports another command file (index.ts, which registers them all, aside): shared code goes to src/cli or src/app',
      from: { path: '^src/cli/commands/([^/]+)\\.ts$', pathNot: '^src/cli/commands/index\\.ts$' },
      to: { path: '^src/cli/commands/', pathNot: '^src/cli/commands/$1\\.ts$' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '^(node_modules|dist)/' },
  },
};
