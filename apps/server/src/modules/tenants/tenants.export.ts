import type { Database, RawExecutor } from '../../db/client.ts';
import type { Clock } from '../../lib/clock.ts';
import { AppError } from '../../lib/errors.ts';
import { VERSION } from '../../version.ts';
import type { AuditLog } from '../audit/audit.service.ts';
import type { Vault } from '../vault/vault.service.ts';
import { type TablePart, writeArchive } from './tenants.archive.ts';
import { ident, tenantTables } from './tenants.tables.ts';

export type PublicKeyRef = { keyId: string; publicKeyPem: string };

/**
 * The keys that signed the tenant's checkpoints: this install's, and those an earlier import recorded in the chain
 * (`tenant.import` entries), so the archive can be verified again after another hop.
 */
export const checkpointKeysOf = async (
  raw: RawExecutor,
  tenantId: string,
  own: PublicKeyRef,
): Promise<PublicKeyRef[]> => {
  const known = new Map([[own.keyId, own.publicKeyPem]]);
  const imports = await raw.query<{ details: Record<string, unknown> }>(
    `select details from audit_entries where tenant_id = $1 and action = 'tenant.import' order by seq`,
    [tenantId],
  );
  for (const { details } of imports.rows) {
    const ids = details.checkpointKeyIds;
    const pems = details.checkpointKeyPems;
    if (Array.isArray(ids) && Array.isArray(pems))
      for (const [i, id] of ids.entries()) known.set(String(id), String(pems[i]));
  }
  const used = await raw.query<{ key_id: string }>(
    'select distinct key_id from audit_checkpoints where tenant_id = $1 order by key_id',
    [tenantId],
  );
  return used.rows.map((r) => {
    const pem = known.get(r.key_id);
    if (!pem)
      throw new AppError('INTERNAL', `a checkpoint is signed by key ${r.key_id}, which this install cannot name`);
    return { keyId: r.key_id, publicKeyPem: pem };
  });
};

/**
 * Everything Lawful holds for one tenant, as an archive (tenants.archive.ts): every row of every tenant-scoped table,
 * read in one repeatable-read transaction so the parts agree with each other and with the audit chain.
 */
export const createTenantExport = (deps: {
  db: Database;
  vault: Pick<Vault, 'tenantKeyMaterial'>;
  audit: Pick<AuditLog, 'append' | 'seal' | 'publicKey'>;
  clock: Clock;
}) => {
  const { db, vault, audit, clock } = deps;

  return async (tenantId: string, passphrase: string, actor: string) => {
    // Entries committed but not yet linked are sealed first, so the archive holds a chain without a tail waiting
    // (what arrives meanwhile, this export's own entry included, travels in `audit_pending` and is sealed on import).
    if (/^tnt_/.test(tenantId)) await db.tenant(tenantId, (tx) => audit.seal(tx, tenantId));
    const collected = await db.system.transaction(
      async (tx) => {
        const raw = db.rawOf(tx);
        const found = await raw.query<{ id: string; slug: string; name: string }>(
          'select id, slug, name from tenants where id = $1',
          [tenantId],
        );
        const tenant = found.rows[0];
        if (!tenant) throw new AppError('NOT_FOUND', 'tenant not found');
        // Recorded first, so the archive carries the record of its own making.
        await audit.append(tx, tenantId, { actor, action: 'tenant.export', target: tenantId });
        const parts: TablePart[] = [];
        for (const t of tenantTables()) {
          const res = await raw.query<{ j: string }>(
            `select row_to_json(x)::text as j from ${ident(t.name)} x where ${ident(t.tenantColumn)} = $1`,
            [tenantId],
          );
          parts.push({ table: t.name, columns: t.columns, rows: res.rows.map((r) => r.j) });
        }
        const own = audit.publicKey();
        const checkpointKeys = await checkpointKeysOf(raw, tenantId, { keyId: own.keyId, publicKeyPem: own.pem });
        return { tenant, parts, checkpointKeys, keys: await vault.tenantKeyMaterial(tx, tenantId) };
      },
      { isolationLevel: 'repeatable read' },
    );
    const own = audit.publicKey();
    const bytes = await writeArchive({
      head: {
        tenant: collected.tenant,
        exportedAt: clock.now().toISOString(),
        lawfulVersion: VERSION,
        exporter: { keyId: own.keyId, publicKeyPem: own.pem },
        checkpointKeys: collected.checkpointKeys,
      },
      parts: collected.parts,
      keys: collected.keys,
      passphrase,
    });
    return {
      bytes,
      tenant: collected.tenant,
      tables: Object.fromEntries(collected.parts.map((p) => [p.table, p.rows.length])),
    };
  };
};
export type TenantExport = ReturnType<typeof createTenantExport>;
