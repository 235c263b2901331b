// The command tree: one file per noun.

import type { Command } from 'commander';
import type { App } from '../kit.js';
import { registerAccountCommands } from './account.js';
import { registerAdminCommands } from './admin.js';
import { registerAdminAgentCommands, registerAgentCommands } from './agent.js';
import { registerCompletionCommand } from './completion.js';
import { registerDemoCommand } from './demo.js';
import { registerFaqCommands } from './faq.js';
import { registerFixtureCommands } from './fixtures.js';
import { registerHistoryCommands } from './history.js';
import { registerKycCommands } from './kyc.js';
import { registerOutboxCommands } from './outbox.js';
import { registerProfileCommands } from './profile.js';
import { registerAgentLedgerCommands } from './refund.js';
import { registerSecurityCommands } from './security.js';
import { closeSolved, registerSettleCommand } from './settle.js';
import { registerTicketCommands } from './ticket.js';
import { registerVerifyCommand } from './verify.js';
import { registerWalletCommands } from './wallet.js';
import { registerWithdrawCommands } from './withdraw.js';

export function registerCommands(program: Command, app: App): void {
  registerAccountCommands(program, app);
  registerSecurityCommands(program, app);
  registerProfileCommands(program, app);
  const quote = registerWalletCommands(program, app);
  registerWithdrawCommands(program, quote, app);
  registerHistoryCommands(program, app);
  registerTicketCommands(program, app);
  const agent = registerAgentCommands(program, app);
  registerAgentLedgerCommands(agent, app);
  registerFaqCommands(program, app);
  const admin = registerAdminCommands(program, app);
  registerAdminAgentCommands(admin, app);
  registerKycCommands(program, admin, app);
  registerSettleCommand(admin, app, [closeSolved]);
  registerOutboxCommands(program, app);
  registerFixtureCommands(program, app);
  registerVerifyCommand(program, app);
  registerDemoCommand(program, app);
  registerCompletionCommand(program, app);
}
