// The command tree: one file per noun.

import type { Command } from 'commander';
import type { App } from '../kit.js';
import { registerAccountCommands } from './account.js';
import { registerAdminCommands } from './admin.js';
import { registerCompletionCommand } from './completion.js';
import { registerDemoCommand } from './demo.js';
import { registerHistoryCommands } from './history.js';
import { registerOutboxCommands } from './outbox.js';
import { registerProfileCommands } from './profile.js';
import { registerSecurityCommands } from './security.js';
import { registerVerifyCommand } from './verify.js';
import { registerWalletCommands } from './wallet.js';

export function registerCommands(program: Command, app: App): void {
  registerAccountCommands(program, app);
  registerSecurityCommands(program, app);
  registerProfileCommands(program, app);
  registerWalletCommands(program, app);
  registerHistoryCommands(program, app);
  const admin = registerAdminCommands(program, app);
  void admin;
  registerOutboxCommands(program, app);
  registerVerifyCommand(program, app);
  registerDemoCommand(program, app);
  registerCompletionCommand(program, app);
}
