import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, freshDatabase, type Harness } from '../../../test/harness.ts';
import { serverCommandRunner } from '../../cli/main.ts';
import { loadConfig } from '../../config.ts';
import { buildApp, openRuntime, type Runtime } from '../../main.ts';
import { newSigningKeyPem } from '../audit/audit.signer.ts';
import { countRows, PURPOSES, seedTenant } from './tenants.fixtures.ts';
import { tenantTables } from './tenants.tables.ts';

const PASS = 'correct horse battery staple';
/** The associated-data field name subjects seal identifiers under. */
const FIELD = 'identifier';

/** What a platform sees of a tenant: decisions per subject × purpose, consent state and history. */
const observe = async (
  call: (path: string) => Promise<{ status: number; body: Record<string, unknown> }>,
  subjects: string[],
) => {
  const out: unknown[] = [];
  for (const s of subjects) {
    for (const p of PURPOSES) {
      const d = await call(`/v1/decisions?subject=${s}&purpose=${p}`);
      expect(d.status).toBe(200);
      const { asOf: _asOf, ...decision } = d.body;
      out.push({ s, p, decision });
    }
    const c = await call(`/v1/subjects/${s}/consents`);
    expect(c.status).toBe(200);
    out.push({ s, consents: c.body });
  }
  return out;
};

describe('tenant export and import (Art. 28(3)(g), check 53)', () => {
  let h: Harness;
  let seeded: Awaited<ReturnType<typeof seedTenant>>;
  let other: Awaited<ReturnType<typeof seedTenant>>;
  let target: Runtime;
  let dropTarget: () => Promise<void>;
  let archive: Uint8Array;
  const dir = mkdtempSync(join(tmpdir(), 'lawful-archive-'));

  beforeAll(async () => {
    h = await createHarness();
    seeded = await seedTenant(h, 'Exported Org');
    other = await seedTenant(h, 'Other Org');
    // Another install: its own database, master key and signing key.
    const fresh = await freshDatabase();
    const config = loadConfig(
      {
        LAWFUL_MASTER_KEY: Buffer.alloc(32, 9).toString('base64'),
        LAWFUL_SIGNING_KEY: newSigningKeyPem(),
        ...(fresh.url ? { DATABASE_URL: fresh.url } : {}),
      },
      { data: fresh.dir },
    );
    target = await openRuntime(config, { db: await fresh.open(), logger: h.rt.logger });
    dropTarget = fresh.drop;
  });
  afterAll(async () => {
    await target?.close();
    await dropTarget?.();
    await h?.close();
  });

  it('exports every tenant table with row counts and hashes in a versioned manifest', async () => {
    const r = await h.rt.services.tenantLifecycle.exportTenant(seeded.tenantId, PASS, 'test');
    archive = r.bytes;
    const files = unzipSync(archive);
    const manifest = JSON.parse(strFromU8(files['manifest.json']!));
    expect(manifest).toMatchObject({ format: 'lawful-tenant-archive', version: 1, tenant: { id: seeded.tenantId } });
    expect(manifest.parts.map((p: { table: string }) => p.table).sort()).toEqual(
      tenantTables()
        .map((t) => t.name)
        .sort(),
    );
    const counts = await countRows(h, seeded.tenantId, tenantTables());
    // The export's own audit entry travels pending (it is sealed on import); here it may have been sealed since.
    const audit = (c: Record<string, number>) => (c.audit_entries ?? 0) + (c.audit_pending ?? 0);
    const archived = Object.fromEntries(manifest.parts.map((p: { table: string; rows: number }) => [p.table, p.rows]));
    expect(audit(archived)).toBe(audit(counts));
    expect(archived.audit_pending).toBe(1);
    for (const p of manifest.parts) if (!p.table.startsWith('audit_')) expect(p.rows, p.table).toBe(counts[p.table]);
    // Identifiers stay sealed (the marker is in clear only where the tenant wrote it: a webhook's description), and
    // nothing of the other tenant is in the archive.
    const text = Object.values(files)
      .map((f) => Buffer.from(f).toString('latin1'))
      .join('\n');
    expect(strFromU8(files['tables/subject_identifiers.ndjson']!)).not.toContain(seeded.marker);
    expect(strFromU8(files['tables/webhooks.ndjson']!)).toContain(seeded.marker);
    expect(text).not.toContain(other.tenantId);
  });

  it('imports into another install: same decisions, same consent history, a verifying audit chain', async () => {
    const before = await observe((p) => h.request('GET', p, { key: seeded.admin }), seeded.subjects);
    const file = join(dir, 'a.zip');
    writeFileSync(file, archive);
    writeFileSync(join(dir, 'pass'), `${PASS}\n`);
    const run = serverCommandRunner(target);
    const imp = await run(['--json', 'tenant', 'import', file, '--passphrase-file', 'pass'], dir);
    expect(imp.exitCode, imp.stderr).toBe(0);
    const result = JSON.parse(imp.stdout);
    expect(result.audit.ok).toBe(true);
    expect(result.tenant.id).toBe(seeded.tenantId);

    const app = buildApp(target);
    const get = async (path: string) => {
      const res = await app.request(path, { headers: { authorization: `Bearer ${seeded.admin}` } });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    expect(await observe(get, seeded.subjects)).toEqual(before);
    expect(before.some((o) => (o as { decision?: { allowed?: boolean } }).decision?.allowed)).toBe(true);

    // The keys travelled: the blind index finds the planted address, and its sealed value opens under the new master.
    const found = await app.request('/v1/subjects:lookup', {
      method: 'POST',
      headers: { authorization: `Bearer ${seeded.admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ identity: { kind: 'email', value: seeded.marker } }),
    });
    expect(found.status).toBe(200);
    expect(((await found.json()) as { id: string }).id).toBe(seeded.subjects[0]);
    const sealed = await target.db.raw.query<{ value_enc: Buffer }>(
      'select value_enc from subject_identifiers where tenant_id = $1 and subject_id = $2',
      [seeded.tenantId, seeded.subjects[0]],
    );
    const opened = await target.db.tenant(seeded.tenantId, (tx) =>
      target.services.vault.decrypt(
        tx,
        seeded.tenantId,
        seeded.subjects[0]!,
        FIELD,
        Buffer.from(sealed.rows[0]!.value_enc),
      ),
    );
    expect(opened).toBe(seeded.marker);

    const verify = await run(['--json', 'audit', 'verify', '--tenant', seeded.tenantId], dir);
    expect(verify.exitCode, verify.stdout + verify.stderr).toBe(0);
    const v = JSON.parse(verify.stdout).results[0];
    expect(v).toMatchObject({ ok: true });
    // The exporter's checkpoint and the importing install's own both verify.
    expect(v.checkpoints).toBeGreaterThanOrEqual(2);
  });

  it('refuses a second import of the same tenant (409) and leaves the install as it was', async () => {
    await expect(
      target.services.tenantLifecycle.importTenant(archive, { passphrase: PASS, actor: 'test' }),
    ).rejects.toMatchObject({ code: 'CONFLICT' });
  });

  it('refuses a tampered part naming it, a wrong passphrase, and writes nothing', async () => {
    const files = unzipSync(archive);
    const consent = 'tables/consent_records.ndjson';
    const altered = strFromU8(files[consent]!).replace('"decision":"grant"', '"decision":"refuse"');
    expect(altered).not.toBe(strFromU8(files[consent]!));
    const tampered = zipSync({ ...files, [consent]: strToU8(altered) });
    const fresh = await freshDatabase();
    const config = loadConfig(
      { LAWFUL_MASTER_KEY: Buffer.alloc(32, 3).toString('base64'), ...(fresh.url ? { DATABASE_URL: fresh.url } : {}) },
      { data: fresh.dir },
    );
    const rt = await openRuntime(config, { db: await fresh.open(), logger: h.rt.logger });
    try {
      const lc = rt.services.tenantLifecycle;
      await expect(lc.importTenant(tampered, { passphrase: PASS, actor: 'test' })).rejects.toMatchObject({
        code: 'VALIDATION_FAILED',
        message: expect.stringContaining(`archive part ${consent} does not match its SHA-256`),
      });
      await expect(lc.importTenant(archive, { passphrase: 'not the passphrase', actor: 'test' })).rejects.toMatchObject(
        { code: 'VALIDATION_FAILED', field: 'passphrase' },
      );
      // Recomputing the part's hash in the manifest does not help without the passphrase (the manifest MAC).
      const manifest = JSON.parse(strFromU8(files['manifest.json']!));
      const { createHash } = await import('node:crypto');
      for (const p of manifest.parts)
        if (p.path === consent) p.sha256 = createHash('sha256').update(strToU8(altered)).digest('hex');
      const rehashed = zipSync({
        ...files,
        [consent]: strToU8(altered),
        'manifest.json': strToU8(JSON.stringify(manifest)),
      });
      await expect(lc.importTenant(rehashed, { passphrase: PASS, actor: 'test' })).rejects.toMatchObject({
        field: 'passphrase',
      });
      // Nothing of the refused archives was written.
      const n = await rt.db.raw.query<{ n: number }>('select count(*)::int as n from tenants');
      expect(n.rows[0]!.n).toBe(0);
      for (const t of tenantTables()) {
        const r = await rt.db.raw.query<{ n: number }>(`select count(*)::int as n from "${t.name}"`);
        expect(r.rows[0]!.n, t.name).toBe(0);
      }
    } finally {
      await rt.close();
      await fresh.drop();
    }
  });

  it('check 53: the tenant admin exports its own tenant over the API; the operator routes need the token', async () => {
    const none = await h.request('POST', '/v1/tenant/export', { key: seeded.admin, body: {} });
    expect(none.status).toBe(400);
    expect(none.body.error.field).toBe('passphrase');
    const res = await h.app.request('/v1/tenant/export', {
      method: 'POST',
      headers: { authorization: `Bearer ${seeded.admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ passphrase: PASS }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/zip');
    const m = JSON.parse(strFromU8(unzipSync(new Uint8Array(await res.arrayBuffer()))['manifest.json']!));
    expect(m.tenant.id).toBe(seeded.tenantId);

    const app = buildApp(h.rt, async () => ({ stdout: '', stderr: '', exitCode: 0 }));
    const token = h.rt.secrets.operatorToken;
    const path = `/v1/operator/tenants/${other.tenant.slug}/export`;
    const body = JSON.stringify({ passphrase: PASS });
    const post = (headers: Record<string, string>, env?: unknown) =>
      app.request(path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body }, env);
    expect((await post({})).status).toBe(401);
    expect((await post({ authorization: `Bearer ${seeded.admin}` })).status).toBe(401);
    expect(
      (await post({ authorization: `Bearer ${token}` }, { incoming: { socket: { remoteAddress: '10.1.2.3' } } }))
        .status,
    ).toBe(403);
    const ok = await post({ authorization: `Bearer ${token}` });
    expect(ok.status).toBe(200);
    const zip = new Uint8Array(await ok.arrayBuffer());
    // And the operator import route restores it elsewhere.
    const targetApp = buildApp(target, async () => ({ stdout: '', stderr: '', exitCode: 0 }));
    const imp = await targetApp.request('/v1/operator/tenants/import', {
      method: 'POST',
      headers: {
        authorization: `Bearer ${target.secrets.operatorToken}`,
        'content-type': 'application/zip',
        'x-lawful-archive-passphrase': PASS,
      },
      body: zip,
    });
    expect(imp.status, await imp.clone().text()).toBe(201);
    expect(((await imp.json()) as { tenant: { id: string } }).tenant.id).toBe(other.tenantId);
  });
});
