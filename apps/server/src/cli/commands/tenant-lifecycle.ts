import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { ArchivePassphrase } from '@lawful/contract';
import type { Command } from 'commander';
import { type CommandContext, print } from '../context.ts';
import { CliError, EXIT } from '../io.ts';

type PassOpts = { passphrase?: string; passphraseFile?: string };

/** The archive passphrase: from a file (works when the command is forwarded to a server), the environment, or a flag. */
const passphraseOf = (ctx: CommandContext, o: PassOpts) => {
  const value = o.passphraseFile
    ? readFileSync(resolve(ctx.cwd, o.passphraseFile), 'utf8').replace(/\r?\n$/, '')
    : (o.passphrase ?? (ctx.inServer ? undefined : process.env.LAWFUL_ARCHIVE_PASSPHRASE));
  if (value === undefined) {
    throw new CliError(
      'an archive passphrase is needed: --passphrase-file FILE, LAWFUL_ARCHIVE_PASSPHRASE, or --passphrase',
      EXIT.usage,
    );
  }
  const p = ArchivePassphrase.safeParse(value);
  if (!p.success) throw new CliError(`passphrase: ${p.error.issues[0]!.message}`, EXIT.usage);
  return p.data;
};

const passOptions = (c: Command) =>
  c
    .option('--passphrase-file <file>', 'read the archive passphrase from this file')
    .option('--passphrase <passphrase>', 'the archive passphrase (visible to other local users; prefer the file)');

/** Asks the operator to type the tenant's slug again, on a terminal only. */
const askConfirmation = async (ctx: CommandContext, slug: string) => {
  if (ctx.inServer || !process.stdin.isTTY) {
    throw new CliError(`not a terminal: confirm with --confirm ${slug}`, EXIT.usage);
  }
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return (
      await rl.question(`This deletes tenant ${slug} and all its data for good. Type its slug to confirm: `)
    ).trim();
  } finally {
    rl.close();
  }
};

/** `lawful tenant export|import|delete|verify-certificate`, hung under the `tenant` command group. */
export const registerTenantLifecycleCommands = (tenant: Command, ctx: CommandContext) => {
  passOptions(
    tenant
      .command('export')
      .description('Write everything Lawful holds for a tenant to a re-importable archive (docs/tenants.md)')
      .argument('<tenant>', 'tenant id or slug')
      .option('--out <file>', 'where to write the archive (default lawful-tenant-<slug>.zip)'),
  ).action(async (name: string, o: PassOpts & { out?: string }) => {
    const passphrase = passphraseOf(ctx, o);
    const rt = await ctx.runtime();
    const lc = rt.services.tenantLifecycle;
    const r = await lc.exportTenant(await lc.resolve(name), passphrase, 'cli');
    const out = resolve(ctx.cwd, o.out ?? `lawful-tenant-${r.tenant.slug}.zip`);
    writeFileSync(out, r.bytes, { mode: 0o600 });
    const rows = Object.values(r.tables).reduce((a, b) => a + b, 0);
    print(
      ctx,
      [
        `Exported tenant ${r.tenant.slug} (${r.tenant.id}): ${rows} rows from ${Object.keys(r.tables).length} tables.`,
        `  ${out} (${r.bytes.length} bytes)`,
        'Keep the passphrase apart from the archive: without it, the sealed fields cannot be read or imported.',
      ],
      { file: out, bytes: r.bytes.length, tenant: r.tenant, tables: r.tables },
    );
  });

  passOptions(
    tenant
      .command('import')
      .description('Restore a tenant archive into this install (all or nothing)')
      .argument('<file>', 'the archive written by lawful tenant export')
      .option('--slug <slug>', 'a new slug, when the archived one is taken here'),
  ).action(async (file: string, o: PassOpts & { slug?: string }) => {
    const passphrase = passphraseOf(ctx, o);
    let zip: Buffer;
    try {
      zip = readFileSync(resolve(ctx.cwd, file));
    } catch {
      throw new CliError(`cannot read ${file}`, EXIT.usage);
    }
    const rt = await ctx.runtime();
    const r = await rt.services.tenantLifecycle.importTenant(new Uint8Array(zip), {
      passphrase,
      slug: o.slug,
      actor: 'cli',
    });
    const rows = Object.values(r.tables).reduce((a, b) => a + b, 0);
    print(
      ctx,
      [
        `Imported tenant ${r.tenant.slug} (${r.tenant.id}): ${rows} rows into ${Object.keys(r.tables).length} tables.`,
        `  audit chain verified: ${r.audit.entries} entries, ${r.audit.checkpoints} checkpoints (exported by key ${r.exporterKeyId})`,
        'API keys came along; create a new one if the old ones should not work here: lawful key create',
      ],
      r,
    );
  });

  tenant
    .command('delete')
    .description('Delete a tenant, every row and every key it has; prints a signed deletion certificate')
    .argument('<tenant>', 'tenant id or slug')
    .option('--confirm <name>', 'the tenant’s slug or name, typed again (asked for on a terminal otherwise)')
    .option('--certificate-out <file>', 'also write the certificate to this file')
    .action(async (name: string, o: { confirm?: string; certificateOut?: string }) => {
      const rt = await ctx.runtime();
      const t = await rt.services.tenants.resolve(name);
      const confirm = o.confirm ?? (await askConfirmation(ctx, t.slug));
      const cert = await rt.services.tenantLifecycle.deleteTenant(t.id, confirm, 'cli');
      if (o.certificateOut) writeFileSync(resolve(ctx.cwd, o.certificateOut), `${JSON.stringify(cert, null, 2)}\n`);
      const total = Object.values(cert.record.rowsDeleted).reduce((a, b) => a + b, 0);
      print(
        ctx,
        [
          `Deleted tenant ${t.slug} (${t.id}): ${total} rows, ${cert.record.subjectKeysShredded} subject keys and the tenant keys destroyed.`,
          'Deletion certificate (signed with this install’s key; Lawful keeps no copy):',
          cert.certificate,
          ...(o.certificateOut ? [`  also written to ${o.certificateOut}`] : []),
          'Check it later with: lawful tenant verify-certificate FILE',
        ],
        cert,
      );
    });

  tenant
    .command('verify-certificate')
    .description('Check a tenant deletion certificate against this install’s signing key')
    .argument('<file>', 'the certificate: the JSON printed by delete --json / --certificate-out, or the bare JWS')
    .action(async (file: string) => {
      let text: string;
      try {
        text = readFileSync(resolve(ctx.cwd, file), 'utf8').trim();
      } catch {
        throw new CliError(`cannot read ${file}`, EXIT.usage);
      }
      const jws = text.startsWith('{') ? String((JSON.parse(text) as { certificate?: unknown }).certificate) : text;
      const rt = await ctx.runtime();
      const v = await rt.services.tenantLifecycle.verifyDeletion(jws);
      print(
        ctx,
        v.ok
          ? `ok   tenant ${v.record?.tenantId} (${v.record?.tenantSlug}) deleted at ${v.record?.deletedAt}`
          : `FAIL ${v.reason}`,
        v,
      );
      if (!v.ok) throw new CliError('the certificate does not verify', EXIT.failed);
    });
};
