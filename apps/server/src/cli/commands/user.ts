import type { Readable } from 'node:stream';
import { Password, UserRole } from '@lawful/contract';
import type { Command } from 'commander';
import { type CommandContext, print } from '../context.ts';
import { CliError, EXIT, table } from '../io.ts';

const tenantOption = '--tenant <id-or-slug>';

/** The first line of a piped stdin (`echo "$PW" | lawful user create … --password-stdin`). */
export const readPasswordStdin = async (input: Readable): Promise<string> => {
  let data = '';
  for await (const chunk of input) {
    data += String(chunk);
    if (data.includes('\n') || data.length > 1024) break;
  }
  return (data.split(/\r?\n/)[0] ?? '').trimEnd();
};

/** Reads a line from the terminal without echoing it. */
const promptHidden = (question: string): Promise<string> =>
  new Promise((resolve, reject) => {
    const stdin = process.stdin;
    process.stderr.write(question);
    stdin.setRawMode(true);
    stdin.resume();
    let value = '';
    const done = (fn: () => void) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onData);
      process.stderr.write('\n');
      fn();
    };
    const onData = (buf: Buffer) => {
      for (const ch of buf.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return done(() => resolve(value));
        if (ch === '\u0003') return done(() => reject(new CliError('cancelled', EXIT.failed)));
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else value += ch;
      }
    };
    stdin.on('data', onData);
  });

const askPassword = async (ctx: CommandContext, fromStdin: boolean) => {
  if (ctx.inServer) {
    // A password must not travel in a forwarded argv: it would sit in the operator request and the shell history.
    throw new CliError(
      'a running server holds the data folder: create users with POST /v1/users (admin key), or stop the server first',
      EXIT.environment,
    );
  }
  if (fromStdin) return readPasswordStdin(process.stdin);
  if (!process.stdin.isTTY) throw new CliError('no terminal to ask for the password: use --password-stdin', EXIT.usage);
  const first = await promptHidden('Password (at least 12 characters): ');
  const again = await promptHidden('Again: ');
  if (first !== again) throw new CliError('the two passwords differ', EXIT.usage);
  return first;
};

export const registerUserCommands = (program: Command, ctx: CommandContext) => {
  const user = program.command('user').description('Create, list and disable console users of a tenant');
  user
    .command('create')
    .description('Create a console user (asks for the password, or reads it from stdin)')
    .requiredOption(tenantOption, 'the tenant')
    .requiredOption('--email <address>', 'the sign-in address')
    .requiredOption('--role <role>', `one of ${UserRole.options.join(', ')}`)
    .option('--password-stdin', 'read the password from the first line of stdin')
    .option('--totp', 'require a one-time code; prints the otpauth:// URI to load into an authenticator app once')
    .action(async (opts: { tenant: string; email: string; role: string; passwordStdin?: boolean; totp?: boolean }) => {
      const role = UserRole.safeParse(opts.role);
      if (!role.success) throw new CliError(`--role must be one of ${UserRole.options.join(', ')}`, EXIT.usage);
      const password = Password.safeParse(await askPassword(ctx, Boolean(opts.passwordStdin)));
      if (!password.success) {
        throw new CliError(`password: ${password.error.issues[0]?.message ?? 'invalid'}`, EXIT.usage);
      }
      const rt = await ctx.runtime();
      const t = await rt.services.tenants.resolve(opts.tenant);
      const u = await rt.services.users.create(
        t.id,
        { email: opts.email, password: password.data, role: role.data, totp: Boolean(opts.totp) },
        'cli',
      );
      const lines = [`Created ${u.role} user ${u.id} (${u.email}) for ${t.slug}. Sign in at /admin/.`];
      if (u.totpUri) lines.push('Load this into an authenticator app now; it is not shown again:', `  ${u.totpUri}`);
      print(ctx, lines, u);
    });
  user
    .command('list')
    .description('List a tenant’s console users (addresses masked)')
    .requiredOption(tenantOption, 'the tenant')
    .action(async (opts: { tenant: string }) => {
      const rt = await ctx.runtime();
      const t = await rt.services.tenants.resolve(opts.tenant);
      const users = await rt.services.users.list(t.id);
      print(
        ctx,
        table(
          users.map((u) => ({
            id: u.id,
            email: u.email,
            role: u.role,
            totp: u.totp ? 'yes' : 'no',
            status: u.disabledAt
              ? `disabled ${u.disabledAt}`
              : u.lockedUntil
                ? `locked until ${u.lockedUntil}`
                : 'active',
          })),
        ),
        { items: users },
      );
    });
  user
    .command('disable')
    .description('Disable a console user and end their sessions at once')
    .requiredOption(tenantOption, 'the tenant')
    .argument('<user-id>', 'the user id (usr_…)')
    .action(async (userId: string, opts: { tenant: string }) => {
      const rt = await ctx.runtime();
      const t = await rt.services.tenants.resolve(opts.tenant);
      const u = await rt.services.users.disable(t.id, userId, 'cli');
      print(ctx, `Disabled ${u.id} of ${t.slug}; their sessions have ended.`, u);
    });
};
