import { readFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { AppError } from '../../lib/errors.ts';
import type { Runtime } from '../../main.ts';
import { createConsentImport, parseConsentsCsv } from '../../modules/consent/consent.import.ts';
import { createPreferencesRepo } from '../../modules/preferences/preferences.repo.ts';
import { type CommandContext, print } from '../context.ts';
import { CliError, EXIT } from '../io.ts';

const MAX_ERRORS_SHOWN = 50;

const importer = (rt: Runtime) =>
  createConsentImport({
    db: rt.db,
    consent: rt.services.consent,
    subjects: rt.services.subjects,
    repo: createPreferencesRepo(),
    notice: async (tenantId, id) => {
      const v = await rt.services.notices.get(tenantId, id);
      if (v.status !== 'published' || !v.rendered) {
        throw new AppError('RULE_VIOLATION', `notice version ${id} is a draft: import against a published one`, {
          field: 'notice-version',
        });
      }
      const purposes = [];
      for (const p of v.purposes) {
        const def = await rt.services.purposes.get(tenantId, p.key);
        purposes.push({
          key: p.key,
          consent: def.allowedBases.includes('consent'),
          directMarketing: def.directMarketing,
        });
      }
      return { rendered: v.rendered, purposes };
    },
  });

/** `lawful import consents` (existing consents with their original evidence) and `lawful consent purge`. */
export const registerConsentCommands = (program: Command, ctx: CommandContext) => {
  const imp =
    program.commands.find((c) => c.name() === 'import') ?? program.command('import').description('Bulk imports');
  imp
    .command('consents')
    .description(
      'Import existing consents with their original evidence from CSV (columns: email, purpose, granted, recorded_at, method, evidence_reference, locale). Checked whole before writing; written in all-or-nothing batches of 1,000. People who objected to direct marketing are never re-subscribed.',
    )
    .argument('<file>', 'the CSV file')
    .requiredOption('--tenant <id-or-slug>', 'the tenant')
    .requiredOption('--notice-version <id>', 'the published notice version the people were shown')
    .action(async (file: string, opts: { tenant: string; noticeVersion: string }) => {
      const path = resolve(ctx.cwd, file);
      let text: string;
      try {
        text = readFileSync(path, 'utf8');
      } catch {
        throw new CliError(`cannot read ${path}`, EXIT.usage);
      }
      const report = (errs: { line: number; column: string; message: string }[]) => {
        for (const e of errs.slice(0, MAX_ERRORS_SHOWN)) ctx.io.err(`line ${e.line}, ${e.column}: ${e.message}`);
        if (errs.length > MAX_ERRORS_SHOWN) ctx.io.err(`… and ${errs.length - MAX_ERRORS_SHOWN} more`);
        return new CliError(`${errs.length} error(s) in ${basename(path)}; nothing imported`, EXIT.failed);
      };
      const { rows, errors } = parseConsentsCsv(text);
      if (errors.length > 0) throw report(errors);
      const rt = await ctx.runtime();
      const t = await rt.services.tenants.resolve(opts.tenant);
      const bar =
        !ctx.inServer && process.stderr.isTTY && !ctx.json()
          ? new cliProgress.SingleBar(
              { stream: process.stderr, format: 'importing {bar} {value}/{total} rows' },
              cliProgress.Presets.shades_classic,
            )
          : null;
      bar?.start(rows.length, 0);
      let summary: Awaited<ReturnType<ReturnType<typeof importer>['run']>>;
      try {
        summary = await importer(rt).run(t.id, opts.noticeVersion, rows, {
          actor: 'cli',
          defaultLocale: t.settings.defaultLocale,
          progress: (done) => bar?.update(done),
        });
      } catch (e) {
        bar?.stop();
        if (e instanceof AppError && e.issues) {
          throw report(
            e.issues.map((i) => {
              const m = /^line (\d+), (.*)$/.exec(i.field);
              return { line: Number(m?.[1] ?? 0), column: m?.[2] ?? i.field, message: i.message };
            }),
          );
        }
        throw e;
      }
      bar?.stop();
      print(
        ctx,
        [
          `Imported ${summary.imported} consent record(s) into ${t.slug} in ${summary.batches} batch(es).`,
          ...(summary.suppressed
            ? [`${summary.suppressed} row(s) not imported: the person objected to direct marketing.`]
            : []),
          ...(summary.skipped
            ? [`${summary.skipped} row(s) skipped: the person already has a decision for that purpose.`]
            : []),
        ],
        { ...summary, tenant: t.id },
      );
    });

  program
    .command('consent')
    .description('Consent records')
    .command('purge')
    .description(
      'Delete consent proof past its retention (tenant setting consentProofRetention, default P5Y after the last withdrawal or refusal) for people with no consent in force. Runs daily in the server; audited.',
    )
    .option('--dry-run', 'only report what would be deleted')
    .option('--tenant <id-or-slug>', 'one tenant only')
    .action(async (opts: { dryRun?: boolean; tenant?: string }) => {
      const rt = await ctx.runtime();
      const tenantId = opts.tenant ? (await rt.services.tenants.resolve(opts.tenant)).id : undefined;
      const reports = await rt.services.consentRetention.purge({ dryRun: Boolean(opts.dryRun), tenantId });
      const verb = opts.dryRun ? 'would delete' : 'deleted';
      print(
        ctx,
        reports.map(
          (r) =>
            `${r.tenantId}: ${verb} ${r.records} record(s) of ${r.subjects.length} subject(s) (retention ${r.retention}, before ${r.cutoff})`,
        ),
        { dryRun: Boolean(opts.dryRun), tenants: reports },
      );
    });
};
