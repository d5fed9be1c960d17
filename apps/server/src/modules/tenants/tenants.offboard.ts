import { createPublicKey } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { type DeletionCertificate, type DeletionCertificateVerification, DeletionRecord } from '@lawful/contract';
import { compactVerify } from 'jose';
import type { Database, RawExecutor } from '../../db/client.ts';
import type { Clock } from '../../lib/clock.ts';
import { AppError } from '../../lib/errors.ts';
import type { Signer } from '../audit/audit.signer.ts';
import { KEYS_CHANNEL } from '../keys/keys.service.ts';
import type { Vault } from '../vault/vault.service.ts';
import { ident, tenantTables } from './tenants.tables.ts';

const TYP = 'lawful-certificate+json';
const b64url = (s: string) => Buffer.from(s).toString('base64url');

/**
 * A compact JWS (EdDSA), like a request's completion certificate, but signed with the install's Ed25519 key through
 * the same `Signer` that signs audit checkpoints: the tenant's own keys are destroyed by the deletion it certifies.
 */
export const signCertificate = (signer: Signer, record: DeletionRecord): DeletionCertificate => {
  const input = `${b64url(JSON.stringify({ alg: 'EdDSA', kid: signer.keyId, typ: TYP }))}.${b64url(JSON.stringify(record))}`;
  const signature = Buffer.from(signer.sign(input), 'base64').toString('base64url');
  return { certificate: `${input}.${signature}`, keyId: signer.keyId, publicKeyPem: signer.publicKeyPem, record };
};

/** Checks a certificate against the install's public key (the key in the certificate itself proves nothing). */
export const verifyCertificate = async (
  publicKeyPem: string,
  certificate: string,
): Promise<DeletionCertificateVerification> => {
  try {
    const { payload, protectedHeader } = await compactVerify(certificate.trim(), createPublicKey(publicKeyPem), {
      algorithms: ['EdDSA'],
    });
    if (protectedHeader.typ !== TYP) return { ok: false, reason: 'not a Lawful certificate', record: null };
    const record = DeletionRecord.safeParse(JSON.parse(new TextDecoder().decode(payload)));
    if (!record.success) return { ok: false, reason: 'not a tenant deletion certificate', record: null };
    return { ok: true, reason: null, record: record.data };
  } catch (e) {
    const reason = /signature/i.test((e as Error).message)
      ? 'the signature does not verify with this install’s key (altered, or issued by another install)'
      : 'not a compact JWS';
    return { ok: false, reason, record: null };
  }
};

/** pg-boss tables carrying job payloads: jobs for the tenant (queued, done or archived) name it in their data. */
const deleteJobs = async (raw: RawExecutor, tenantId: string) => {
  const tables = await raw.query<{ table_name: string }>(
    `select table_name from information_schema.columns
      where table_schema = 'pgboss' and column_name = 'data' and data_type = 'jsonb'`,
  );
  let n = 0;
  for (const { table_name } of tables.rows) {
    const res = await raw.query<{ n: number }>(
      `with d as (delete from pgboss.${ident(table_name)} where data->>'tenantId' = $1 returning 1) select count(*)::int as n from d`,
      [tenantId],
    );
    n += res.rows[0]?.n ?? 0;
  }
  return n;
};

/**
 * Deletes every row of a tenant in every tenant table, children before parents, and its queued jobs; the caller's
 * transaction, as the owner. Also how `lawful restore` deletes again a tenant that a backup still holds.
 */
export const deleteTenantRows = async (
  raw: RawExecutor,
  tenantId: string,
): Promise<{ rowsDeleted: Record<string, number>; jobsDeleted: number; tenants: number }> => {
  const tables = tenantTables();
  // Evidence tables refuse deletes through triggers (a published notice is immutable); offboarding is the one
  // sanctioned exception. ALTER TABLE is transactional: the triggers come back at commit or rollback.
  const triggered = await raw.query<{ relname: string }>(
    `select distinct c.relname from pg_trigger g join pg_class c on c.oid = g.tgrelid
      join pg_namespace n on n.oid = c.relnamespace
      where not g.tgisinternal and n.nspname = current_schema() and c.relname = any($1)`,
    [tables.map((x) => x.name)],
  );
  for (const r of triggered.rows) await raw.query(`alter table ${ident(r.relname)} disable trigger user`);
  const rowsDeleted: Record<string, number> = {};
  for (const table of [...tables].reverse()) {
    const res = await raw.query<{ n: number }>(
      `with d as (delete from ${ident(table.name)} where ${ident(table.tenantColumn)} = $1 returning 1) select count(*)::int as n from d`,
      [tenantId],
    );
    rowsDeleted[table.name] = res.rows[0]?.n ?? 0;
  }
  for (const r of triggered.rows) await raw.query(`alter table ${ident(r.relname)} enable trigger user`);
  const jobsDeleted = await deleteJobs(raw, tenantId);
  return { rowsDeleted, jobsDeleted, tenants: rowsDeleted.tenants ?? 0 };
};

/**
 * Offboarding (Art. 28(3)(g)): deletes every row of the tenant in every tenant table and its queued jobs, in one
 * transaction as the owner, after the caller typed the tenant's name or slug again. Destroying the tenants row and
 * the subject_keys rows destroys the key hierarchy, so any copy of the tenant's ciphertext left elsewhere (an export
 * file, a stray dump) is unreadable once backups holding the wrapped tenant key have expired. Returns a signed
 * certificate; Lawful keeps no copy (it would itself name the tenant).
 */
export const createTenantOffboarding = (deps: {
  db: Database;
  vault: Pick<Vault, 'forgetTenant'>;
  signer: Signer;
  clock: Clock;
  exportDir?: string;
  /** The erasure log kept outside the database: a restore of an older backup deletes the tenant again (check 48). */
  erasureLog?: { recordTenantDeletion(tenantId: string, at: Date): void };
}) => {
  const { db, vault, signer, clock } = deps;

  const remove = async (idOrSlug: string, confirm: string, actor: string): Promise<DeletionCertificate> => {
    const record = await db.system.transaction(async (tx) => {
      const raw = db.rawOf(tx);
      const found = await raw.query<{ id: string; slug: string; name: string }>(
        'select id, slug, name from tenants where id = $1 or slug = $1 for update',
        [idOrSlug],
      );
      const t = found.rows[0];
      if (!t) throw new AppError('NOT_FOUND', `no tenant "${idOrSlug}"; list them with: lawful tenant list`);
      if (confirm !== t.name && confirm !== t.slug) {
        throw new AppError('VALIDATION_FAILED', `type the tenant’s name or slug (${t.slug}) to confirm the deletion`, {
          field: 'confirm',
        });
      }
      const shredded = await raw.query<{ n: number }>(
        'select count(*)::int as n from subject_keys where tenant_id = $1 and wrapped is not null',
        [t.id],
      );
      // Every process forgets the tenant's API keys at commit, as on a revocation (keys are cached for seconds).
      await raw.query(`select pg_notify($2, hash) from api_keys where tenant_id = $1`, [t.id, KEYS_CHANNEL]);
      const { rowsDeleted, jobsDeleted } = await deleteTenantRows(raw, t.id);
      return DeletionRecord.parse({
        type: 'lawful.tenant-deletion-certificate',
        version: 1,
        tenantId: t.id,
        tenantSlug: t.slug,
        deletedAt: clock.now().toISOString(),
        rowsDeleted,
        subjectKeysShredded: shredded.rows[0]?.n ?? 0,
        tenantKeysDestroyed: rowsDeleted.tenants === 1,
        jobsDeleted,
        actor,
        issuer: { keyId: signer.keyId },
      });
    });
    // After commit, like a subject's erasure: the log outlives any restore of the database.
    deps.erasureLog?.recordTenantDeletion(record.tenantId, new Date(record.deletedAt));
    vault.forgetTenant(record.tenantId);
    // Access packages on disk: sealed under keys that no longer exist; remove the files as well.
    if (deps.exportDir) rmSync(join(deps.exportDir, record.tenantId), { recursive: true, force: true });
    return signCertificate(signer, record);
  };

  return {
    remove,
    verify: (certificate: string) => verifyCertificate(signer.publicKeyPem, certificate),
  };
};
export type TenantOffboarding = ReturnType<typeof createTenantOffboarding>;
