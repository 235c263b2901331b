// admin init (the first administrator) and the operator commands.

import type { Command } from '@commander-js/extra-typings';
import { initAdmin } from '../../app/accounts.js';
import { describeUser } from '../../domain/accounts.js';
import { checkPasswordPolicy, normalizeEmail, validateName } from '../../domain/validate.js';
import { action, examples, group, subcommand, type App } from '../command-builder.js';
import { readNewPassword } from '../prompts.js';

export function registerAdminCommands(program: Command, app: App): Command {
  const admin = group(program, 'admin', 'operator commands (admin role)');
  const init = subcommand(admin, 'init', 'create the first administrator (active at once; refused once one exists)')
    .requiredOption('--email <email>', 'the administrator’s email address')
    .option('--name <name>', 'the administrator’s name')
    .option('--password-stdin', 'read the password from standard input');
  examples(init, ['printf \'%s\\n\' "$ADMIN_PASSWORD" | okpay admin init --email ops@example.com --password-stdin']);
  action(app, init, async (ctx, o) => {
    const email = normalizeEmail(o.email);
    const name = o.name === undefined ? null : validateName(o.name);
    const password = await readNewPassword(ctx, { passwordStdin: o.passwordStdin });
    checkPasswordPolicy(password);
    const passwordHash = await ctx.passwords.hash(password);
    const user = await ctx.store.transaction((t) => initAdmin(t, ctx, { email, name, passwordHash }));
    ctx.out.data({ user: describeUser(user) }, () =>
      ctx.out.success(`Administrator ${user.email} created. Sign in with \`okpay login --email ${user.email}\`.`),
    );
  });
  return admin;
}
