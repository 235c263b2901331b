// The command tree: one file per noun, loaded on demand. Only the modules of the command being run
// are imported (start-up time is a feature); help, completion and unknown commands load them all.

import type { Command } from '@commander-js/extra-typings';
import type { App } from '../command-builder.js';

type Registrar = (program: Command, app: App, invoked: string | null) => Promise<void>;

interface Group {
  readonly names: readonly string[];
  readonly register: Registrar;
}

const GROUPS: readonly Group[] = [
  {
    names: ['register', 'activate', 'login', 'logout', 'whoami', 'lock', 'unlock'],
    register: async (p, a) => (await import('./account.js')).registerAccountCommands(p, a),
  },
  { names: ['password', '2fa'], register: async (p, a) => (await import('./security.js')).registerSecurityCommands(p, a) },
  { names: ['profile'], register: async (p, a) => (await import('./profile.js')).registerProfileCommands(p, a) },
  { names: ['kyc'], register: async (p, a) => (await import('./kyc.js')).registerKycCommands(p, a) },
  { names: ['balance'], register: async (p, a) => (await import('./balance.js')).registerBalanceCommand(p, a) },
  {
    names: ['deposit', 'fee', 'transfer'],
    register: async (p, a, invoked) => {
      const quote = (await import('./wallet.js')).registerWalletCommands(p, a);
      // `fee quote withdraw` lives with withdrawals; load them only when a fee is asked for.
      if (invoked === null || invoked === 'fee') (await import('./withdraw.js')).registerWithdrawQuote(quote, a);
    },
  },
  { names: ['withdraw'], register: async (p, a) => (await import('./withdraw.js')).registerWithdrawCommands(p, a) },
  { names: ['history', 'tx'], register: async (p, a) => (await import('./history.js')).registerHistoryCommands(p, a) },
  {
    names: ['ticket'],
    register: async (p, a) =>
      (await import('./ticket.js')).registerTicketCommands(
        p,
        a,
        (await import('./ticket-new.js')).registerTicketNew,
        (await import('./ticket-agent.js')).registerTicketAgentVerbs,
        (await import('./ticket-import.js')).registerTicketImport,
      ),
  },
  {
    names: ['agent'],
    register: async (p, a) => {
      const [{ registerTriage }, { registerAgentStats }] = await Promise.all([import('./triage.js'), import('./agent-stats.js')]);
      const agent = (await import('./agent.js')).registerAgentCommands(p, a, { triage: registerTriage, stats: registerAgentStats });
      (await import('./refund.js')).registerAgentLedgerCommands(agent, a);
      (await import('./kyc.js')).registerKycDecisions(agent, a, ['agent'], 'agent');
    },
  },
  { names: ['faq', 'support'], register: async (p, a) => (await import('./faq.js')).registerFaqCommands(p, a) },
  {
    names: ['admin'],
    register: async (p, a) => {
      const admin = (await import('./admin.js')).registerAdminCommands(p, a);
      (await import('./agent.js')).registerAdminAgentCommands(admin, a);
      (await import('./kyc.js')).registerKycDecisions(admin, a, ['admin'], 'admin');
      (await import('./payout.js')).registerPayoutCommands(admin, a);
      const settle = await import('./settle.js');
      settle.registerSettleCommand(admin, a, [settle.closeSolved]);
    },
  },
  { names: ['outbox'], register: async (p, a) => (await import('./outbox.js')).registerOutboxCommands(p, a) },
  { names: ['fixtures', 'dev'], register: async (p, a) => (await import('./fixtures.js')).registerFixtureCommands(p, a) },
  { names: ['store'], register: async (p, a) => (await import('./store.js')).registerStoreCommands(p, a) },
  { names: ['verify'], register: async (p, a) => (await import('./verify.js')).registerVerifyCommand(p, a) },
  { names: ['demo'], register: async (p, a) => (await import('./demo.js')).registerDemoCommand(p, a) },
  { names: ['completion'], register: async (p, a) => (await import('./completion.js')).registerCompletionCommand(p, a) },
];

/** Registers the commands; with `invoked`, only the group that owns that top-level command. */
export async function registerCommands(program: Command, app: App, invoked: string | null = null): Promise<void> {
  const owner = invoked === null || invoked === 'completion' ? undefined : GROUPS.find((g) => g.names.includes(invoked));
  for (const group of owner ? [owner] : GROUPS) await group.register(program, app, owner ? invoked : null);
}

/** The global options that take a value: the word after one is its value, never the command. */
const VALUE_OPTIONS: ReadonlySet<string> = new Set(['--data-dir', '--database-url', '--jq', '--template']);
const TOP_LEVEL: ReadonlySet<string> = new Set([...GROUPS.flatMap((group) => group.names), 'help', 'version']);

/** The top-level command a command line names (global options and their values skipped), or null. */
export function invokedCommand(argv: readonly string[]): string | null {
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] ?? '';
    const next = argv[i + 1] ?? '-';
    if (VALUE_OPTIONS.has(arg)) i += 1;
    // `--json id,amount`: the word after --json is its field list unless it names a command.
    else if (arg === '--json' && !next.startsWith('-') && !TOP_LEVEL.has(next)) i += 1;
    else if (!arg.startsWith('-')) return arg;
  }
  return null;
}
