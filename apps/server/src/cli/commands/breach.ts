import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { CreateBreach, SetSubprocessors } from '@lawful/contract';
import type { Command } from 'commander';
import type { z } from 'zod';
import { type CommandContext, print } from '../context.ts';
import { CliError, EXIT, table } from '../io.ts';

const readJson = <T extends z.ZodTypeAny>(ctx: CommandContext, file: string, schema: T): z.infer<T> => {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(resolve(ctx.cwd, file), 'utf8'));
  } catch (e) {
    throw new CliError(`${file}: ${e instanceof Error ? e.message : 'unreadable'}`, EXIT.usage);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const i = parsed.error.issues[0]!;
    throw new CliError(`${file}: ${i.path.join('.') || '(root)'}: ${i.message}`, EXIT.usage);
  }
  return parsed.data;
};

/** `lawful breach …` (check 52) and `lawful subprocessors …` (check 53). */
export const registerBreachCommands = (program: Command, ctx: CommandContext) => {
  const breach = program.command('breach').description('The personal data breach register (Art. 33, 34)');
  breach
    .command('create')
    .description('Record a breach from a JSON file (the CreateBreach shape); --processor: an install-side breach')
    .requiredOption('--file <file>', 'the breach, as JSON')
    .option('--tenant <id-or-slug...>', 'the tenant (with --processor: the affected tenants; default all)')
    .option('--processor', 'a breach on the install’s side, pushed to each affected tenant (Art. 33(2))')
    .action(async (opts: { file: string; tenant?: string[]; processor?: boolean }) => {
      const input = readJson(ctx, opts.file, CreateBreach);
      const rt = await ctx.runtime();
      const m = rt.services.breachesModule;
      if (opts.processor) {
        const ids = opts.tenant
          ? await Promise.all(opts.tenant.map(async (t) => (await rt.services.tenants.resolve(t)).id))
          : 'all';
        const out = await m.notifier.reportProcessorBreach(input, ids, 'operator');
        print(ctx, table(out.map((o) => ({ tenant: o.tenantId, breach: o.breachId, email: o.email }))), { items: out });
        return;
      }
      const only = opts.tenant?.length === 1 ? opts.tenant[0]! : null;
      if (!only) throw new CliError('give one --tenant', EXIT.usage);
      const t = await rt.services.tenants.resolve(only);
      const b = await m.breaches.create(t.id, input, 'cli');
      print(ctx, [`Recorded ${b.id}. Notify the authority by ${b.deadline.local}.`], b);
    });
  breach
    .command('list')
    .description('The register, newest first')
    .requiredOption('--tenant <id-or-slug>', 'the tenant')
    .action(async (opts: { tenant: string }) => {
      const rt = await ctx.runtime();
      const t = await rt.services.tenants.resolve(opts.tenant);
      const items = await rt.services.breachesModule.breaches.list(t.id);
      print(
        ctx,
        table(
          items.map((b) => ({
            id: b.id,
            status: b.status,
            risk: b.risk,
            aware: b.awareAt,
            deadline: b.deadline.local,
            left: b.authorityNotifiedAt ? 'notified' : `${b.deadline.hoursRemaining} h`,
          })),
        ),
        { items },
      );
    });
  breach
    .command('show')
    .description('One breach with its countdown')
    .argument('<breachId>')
    .requiredOption('--tenant <id-or-slug>', 'the tenant')
    .action(async (id: string, opts: { tenant: string }) => {
      const rt = await ctx.runtime();
      const t = await rt.services.tenants.resolve(opts.tenant);
      const b = await rt.services.breachesModule.breaches.get(t.id, id);
      print(
        ctx,
        [
          `${b.id}  ${b.status}  risk ${b.risk}${b.processorSide ? '  (processor side)' : ''}`,
          `aware      ${b.awareAt}`,
          `deadline   ${b.deadline.at}  = ${b.deadline.local}  (${b.deadline.hoursRemaining} h)`,
          `notified   ${b.authorityNotifiedAt ?? '-'}${b.delayReason ? '  (late; reason recorded)' : ''}`,
          `categories ${b.dataCategories.join(', ')}`,
        ],
        b,
      );
    });
  breach
    .command('notify')
    .description(
      'Record the notification to the authority (assessing first if needed); --subjects: send Art. 34 notices',
    )
    .argument('<breachId>')
    .requiredOption('--tenant <id-or-slug>', 'the tenant')
    .option('--delay-reason <text>', 'required when the 72 hours have passed')
    .option('--reference <ref>', 'the authority’s case reference')
    .option('--subjects', 'tell the people affected (high risk only), after the authority')
    .action(
      async (id: string, opts: { tenant: string; delayReason?: string; reference?: string; subjects?: boolean }) => {
        const rt = await ctx.runtime();
        const t = await rt.services.tenants.resolve(opts.tenant);
        const m = rt.services.breachesModule;
        if (opts.subjects) {
          const r = await m.notifier.notifySubjects(t.id, id, 'cli');
          print(
            ctx,
            [
              `${r.affected} affected: ${r.sent} sent, ${r.queued} in the outbox, ${r.notSent} not sent, ${r.alreadyTold} told before.`,
            ],
            r,
          );
          return;
        }
        let b = await m.breaches.get(t.id, id);
        if (b.status === 'open') b = await m.breaches.transition(t.id, id, { to: 'assessed' }, 'cli');
        b = await m.breaches.transition(
          t.id,
          id,
          { to: 'notified_authority', delayReason: opts.delayReason, authorityReference: opts.reference },
          'cli',
        );
        print(ctx, [`${b.id}: authority notified at ${b.authorityNotifiedAt}${b.delayReason ? ' (late)' : ''}.`], b);
      },
    );

  const sub = program.command('subprocessors').description('The install’s sub-processors (Art. 28(2), (4))');
  sub
    .command('set')
    .description('Announce the next list from a JSON file ({ "subprocessors": [...], "effectiveAt"?: ISO })')
    .argument('<file>')
    .option('--notice-days <n>', 'days between announcement and effect', '30')
    .action(async (file: string, opts: { noticeDays: string }) => {
      const input = readJson(ctx, file, SetSubprocessors);
      const noticeDays = Number(opts.noticeDays);
      if (!Number.isInteger(noticeDays) || noticeDays < 0)
        throw new CliError('--notice-days: a whole number', EXIT.usage);
      const rt = await ctx.runtime();
      const r = await rt.services.subprocessors.set(input, 'operator', { noticeDays });
      print(
        ctx,
        [
          `List ${r.version.id} takes effect ${r.version.effectiveAt}; announced to ${r.announcedTo} tenant(s).`,
          `added: ${r.added.join(', ') || '-'}; removed: ${r.removed.join(', ') || '-'}; changed: ${r.changed.join(', ') || '-'}`,
        ],
        r,
      );
    });
  sub
    .command('show')
    .description('The list in effect and the announced changes')
    .action(async () => {
      const rt = await ctx.runtime();
      const l = await rt.services.subprocessors.lists();
      const rows = [
        ...(l.current ? l.current.subprocessors.map((s) => ({ ...s, from: l.current!.effectiveAt })) : []),
        ...l.upcoming.flatMap((u) => u.subprocessors.map((s) => ({ ...s, from: `${u.effectiveAt} (announced)` }))),
      ];
      print(ctx, table(rows.map((s) => ({ name: s.name, country: s.country, purpose: s.purpose, from: s.from }))), l);
    });
};
