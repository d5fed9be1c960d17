import { ExtendRequest, RefusalGround, RefuseRequest, RequestListQuery } from '@lawful/contract';
import type { Command } from 'commander';
import { type CommandContext, print } from '../context.ts';
import { CliError, EXIT } from '../io.ts';

const parse = <T>(
  schema: {
    safeParse(
      v: unknown,
    ): { success: true; data: T } | { success: false; error: { issues: { path: PropertyKey[]; message: string }[] } };
  },
  v: unknown,
): T => {
  const r = schema.safeParse(v);
  if (!r.success) {
    const i = r.error.issues[0]!;
    throw new CliError(`${i.path.map(String).join('.') || 'input'}: ${i.message}`, EXIT.usage);
  }
  return r.data;
};

/** `lawful requests …`: the same services the API uses, acting as the CLI operator. */
export const registerRequestCommands = (program: Command, ctx: CommandContext) => {
  const cmd = program.command('requests').description('Data-subject requests: list, inspect, extend, refuse, complete');
  const tenantOf = async (t: string) => {
    const rt = await ctx.runtime();
    return { rt, tenant: await rt.services.tenants.resolve(t) };
  };

  cmd
    .command('list')
    .description('List requests, newest first')
    .requiredOption('--tenant <id-or-slug>', 'the tenant')
    .option('--status <state>', 'only this state')
    .option('--overdue', 'only open requests past their due date')
    .option('--limit <n>', 'how many', '50')
    .action(async (o: { tenant: string; status?: string; overdue?: boolean; limit: string }) => {
      const { rt, tenant } = await tenantOf(o.tenant);
      const q = parse(RequestListQuery, { limit: o.limit, status: o.status, overdue: o.overdue ? 'true' : undefined });
      const page = await rt.services.requestsModule.requests.list(tenant.id, q);
      print(
        ctx,
        page.items.map((r) => `${r.id}  ${r.state.padEnd(19)} ${r.types.join(',').padEnd(20)} due ${r.dueAt}`),
        page,
      );
    });

  cmd
    .command('show <requestId>')
    .description('One request with its timeline and tasks')
    .requiredOption('--tenant <id-or-slug>', 'the tenant')
    .action(async (id: string, o: { tenant: string }) => {
      const { rt, tenant } = await tenantOf(o.tenant);
      const r = await rt.services.requestsModule.requests.get(tenant.id, id);
      print(
        ctx,
        [
          `${r.id}  ${r.state}  ${r.types.join(', ')}`,
          `received ${r.receivedAt}  due ${r.dueAt}${r.extension ? ` (extended by ${r.extension.period})` : ''}`,
          ...r.timeline.map((e) => `  ${e.seq}. ${e.at} ${e.kind}${e.toState ? ` → ${e.toState}` : ''} (${e.actor})`),
          ...r.tasks.map((t) => `  task ${t.id} ${t.kind} ${t.name}: ${t.state}`),
        ],
        r,
      );
    });

  cmd
    .command('extend <requestId>')
    .description('Extend the deadline once, with the reason the subject is told (Art. 12(3))')
    .requiredOption('--tenant <id-or-slug>', 'the tenant')
    .requiredOption('--reason <text>', 'why more time is needed')
    .option('--months <n>', 'further months (1 or 2)')
    .action(async (id: string, o: { tenant: string; reason: string; months?: string }) => {
      const { rt, tenant } = await tenantOf(o.tenant);
      const input = parse(ExtendRequest, { reason: o.reason, ...(o.months ? { months: Number(o.months) } : {}) });
      const r = await rt.services.requestsModule.requests.extend(tenant.id, id, input, 'cli');
      print(ctx, `${r.id} now due ${r.dueAt}`, r);
    });

  cmd
    .command('reject <requestId>')
    .description(`Refuse with grounds (${RefusalGround.options.join(', ')})`)
    .requiredOption('--tenant <id-or-slug>', 'the tenant')
    .requiredOption('--ground <ground...>', 'one or more grounds')
    .requiredOption('--explanation <text>', 'the reasons the subject is told')
    .action(async (id: string, o: { tenant: string; ground: string[]; explanation: string }) => {
      const { rt, tenant } = await tenantOf(o.tenant);
      const input = parse(RefuseRequest, { grounds: o.ground, explanation: o.explanation });
      const r = await rt.services.requestsModule.requests.reject(tenant.id, id, input, 'cli');
      print(ctx, `${r.id} ${r.state}`, r);
    });

  cmd
    .command('complete <requestId>')
    .description('Close a request whose work is done')
    .requiredOption('--tenant <id-or-slug>', 'the tenant')
    .option('--partial', 'some of it could not be done')
    .option('--download-url <url>', 'access/portability: the https link to the answer')
    .option('--download-expires <iso>', 'when that link expires')
    .action(
      async (id: string, o: { tenant: string; partial?: boolean; downloadUrl?: string; downloadExpires?: string }) => {
        const { rt, tenant } = await tenantOf(o.tenant);
        const download = o.downloadUrl ? { url: o.downloadUrl, expiresAt: o.downloadExpires ?? '' } : undefined;
        const r = await rt.services.requestsModule.tasks.complete(
          tenant.id,
          id,
          { partial: o.partial ?? false, ...(download ? { download } : {}) },
          'cli',
        );
        print(ctx, `${r.id} ${r.state}`, r);
      },
    );
};
