import type { TenantImportResult } from '@lawful/contract';
import type { Database } from '../../db/client.ts';
import { AppError } from '../../lib/errors.ts';
import type { AuditLog } from '../audit/audit.service.ts';
import type { Vault } from '../vault/vault.service.ts';
import { readArchive } from './tenants.archive.ts';
import { ident, tenantTables } from './tenants.tables.ts';

const BATCH = 500;
const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const bad = (message: string, field = 'archive') => new AppError('VALIDATION_FAILED', message, { field });

/**
 * Restores a tenant archive into this install, in one transaction: every check (hashes, passphrase, tables, columns,
 * that each row belongs to the archived tenant) happens before the first write, and the imported audit chain must
 * verify before the transaction commits, so a refused archive leaves nothing behind.
 *
 * The tenant keeps its id: every sealed value's associated data names it, so the ciphertext moves as it is and the
 * tenant key (unwrapped by the passphrase) is wrapped again under this install's master key.
 */
export const createTenantImport = (deps: {
  db: Database;
  vault: Pick<Vault, 'wrapTenantKeys' | 'forgetTenant'>;
  audit: Pick<AuditLog, 'append' | 'checkpoint' | 'verify'>;
}) => {
  const { db, vault, audit } = deps;

  return async (
    zip: Uint8Array,
    opts: { passphrase: string; slug?: string; actor: string },
  ): Promise<TenantImportResult> => {
    if (opts.slug !== undefined && !SLUG.test(opts.slug)) throw bad('lowercase letters, digits and dashes', 'slug');
    const archive = await readArchive(zip, opts.passphrase);
    const tenantId = archive.manifest.tenant.id;
    if (!/^tnt_[0-9A-HJKMNP-TV-Z]{26}$/.test(tenantId)) throw bad('the manifest names no valid tenant id');

    // Shape checks against this install's schema, before anything is written.
    const known = new Map(tenantTables().map((t) => [t.name, t]));
    const seen = new Set<string>();
    const rows = archive.parts.map((p) => {
      const table = known.get(p.table);
      if (!table) throw bad(`archive part ${p.path}: this install has no tenant table ${p.table} (a newer Lawful?)`);
      if (seen.has(p.table)) throw bad(`archive part ${p.path}: table ${p.table} appears twice`);
      seen.add(p.table);
      const extra = p.columns.filter((c) => !table.columns.includes(c));
      if (extra.length)
        throw bad(`archive part ${p.path}: this install's ${p.table} has no column ${extra.join(', ')}`);
      const objects = p.lines.map((line, i) => {
        let o: Record<string, unknown>;
        try {
          o = JSON.parse(line) as Record<string, unknown>;
        } catch {
          throw bad(`archive part ${p.path}, row ${i + 1}: not JSON`);
        }
        if (o[table.tenantColumn] !== tenantId) {
          throw bad(`archive part ${p.path}, row ${i + 1}: belongs to another tenant than the manifest's`);
        }
        return o;
      });
      return { table, path: p.path, columns: p.columns, objects };
    });
    const tenantPart = rows.find((r) => r.table.name === 'tenants');
    if (tenantPart?.objects.length !== 1) throw bad('the archive must hold exactly one tenants row');
    const tenantRow = tenantPart.objects[0]!;
    const wrapped = vault.wrapTenantKeys(tenantId, archive.keys);
    tenantRow.key_wrapped = `\\x${wrapped.keyWrapped.toString('hex')}`;
    tenantRow.index_key_wrapped = `\\x${wrapped.indexKeyWrapped.toString('hex')}`;
    tenantRow.master_key_id = wrapped.masterKeyId;
    if (opts.slug) tenantRow.slug = opts.slug;
    const slug = String(tenantRow.slug);

    vault.forgetTenant(tenantId);
    const result = await db.system.transaction(async (tx) => {
      const raw = db.rawOf(tx);
      const clash = await raw.query<{ id: string; slug: string }>(
        'select id, slug from tenants where id = $1 or slug = $2',
        [tenantId, slug],
      );
      if (clash.rows.some((r) => r.id === tenantId)) {
        throw new AppError('CONFLICT', `tenant ${tenantId} already exists in this install; delete it first to restore`);
      }
      if (clash.rows.length) {
        throw new AppError('CONFLICT', `a tenant with slug "${slug}" already exists; import with another slug`, {
          field: 'slug',
        });
      }
      const tables: Record<string, number> = {};
      // `tenants` is first in the list: nothing else may exist without it.
      for (const part of rows) {
        const cols = part.columns.map(ident).join(', ');
        for (let i = 0; i < part.objects.length; i += BATCH) {
          const batch = JSON.stringify(part.objects.slice(i, i + BATCH));
          try {
            await raw.query(
              `insert into ${ident(part.table.name)} (${cols}) select ${cols} from json_populate_recordset(null::${ident(part.table.name)}, $1::json)`,
              [batch],
            );
          } catch (e) {
            // A clash on a unique key shared across tenants, or a value the column refuses: name the part.
            throw bad(`archive part ${part.path} cannot be restored: ${(e as Error).message}`);
          }
        }
        tables[part.table.name] = part.objects.length;
      }
      const keys = archive.manifest.checkpointKeys;
      await audit.append(tx, tenantId, {
        actor: opts.actor,
        action: 'tenant.import',
        target: tenantId,
        details: {
          exporterKeyId: archive.manifest.exporter.keyId,
          exportedAt: archive.manifest.exportedAt,
          checkpointKeyIds: keys.map((k) => k.keyId),
          checkpointKeyPems: keys.map((k) => k.publicKeyPem),
        },
      });
      // This install vouches for the chain as it received it, and the chain must verify or nothing is kept.
      await audit.checkpoint(tx, tenantId);
      const verified = await audit.verify(tx, tenantId);
      if (!verified.ok) {
        throw bad(
          `the archived audit chain does not verify: entry ${verified.firstBad?.seq} is ${verified.firstBad?.reason}`,
        );
      }
      return {
        tenant: { id: tenantId, slug, name: String(tenantRow.name) },
        tables,
        exporterKeyId: archive.manifest.exporter.keyId,
        audit: { ok: verified.ok, entries: verified.entries, checkpoints: verified.checkpoints },
      };
    });
    vault.forgetTenant(tenantId);
    return result;
  };
};
export type TenantImport = ReturnType<typeof createTenantImport>;
