// admin init (the first administrator) and the operator commands.

import type { Command } from 'commander';
import { createAccount, describeUser } from '../../domain/accounts.js';
import { AppError } from '../../domain/errors.js';
import { checkPasswordPolicy, normalizeEmail, validateName } from '../../domain/validate.js';
import { audit } from '../auth.js';
import { action, examples, group, subcommand, type App } from '../kit.js';
import { readNewPassword } from '../prompts.js';
import { newId } from '../random.js';

export function registerAdminCommands(program: Command, app: App): Command {
  const admin = group(program, 'admin', 'operator commands (admin role)');
  const init = subcommand(admin, 'init', 'create the first administrator (active at once; refused once one exists)')
    .requiredOption('--email <email>', 'the administrator’s email address')
    .option('--name <name>', 'the administrator’s name')
    .option('--password-stdin', 'read the password from standard input');
  examples(init, ["printf '%s\\n' \"$ADMIN_PASSWORD\" | okpay admin init --email ops@example.com --password-stdin"]);
  action<{ email: string; name?: string; passwordStdin?: boolean }>(app, init, async (ctx, o) => {
    const email = normalizeEmail(o.email);
    const name = o.name === undefined ? null : validateName(o.name);
    const password = await readNewPassword(ctx, { passwordStdin: o.passwordStdin });
    checkPasswordPolicy(password);
    const passwordHash = await ctx.passwords.hash(password);
    const user = await ctx.store.transaction(async (t) => {
      if ((await t.users.staff()).some((u) => u.role === 'admin')) {
        throw new AppError('ALREADY_EXISTS', 'this store already has an administrator', { hint: 'sign in as that administrator to manage the store' });
      }
      const created = createAccount({ id: newId(ctx.random, 'usr'), email, phone: null, country: null, name, language: null, passwordHash, role: 'admin', activation: null }, ctx.now().toISOString(), {
        byEmail: await t.users.byEmail(email),
        byPhone: null,
      });
      t.users.put(created);
      audit(ctx, t, 'admin.initialised', created.id, created.id, { email });
      return created;
    });
    ctx.out.data({ user: describeUser(user) }, () => ctx.out.success(`Administrator ${user.email} created. Sign in with \`okpay login --email ${user.email}\`.`));
  });
  return admin;
}
