import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backend, createHarness, type Harness } from '../../../test/harness.ts';
import { serverCommandRunner } from '../../cli/main.ts';
import { buildApp } from '../../main.ts';
import { countRows, seedTenant } from './tenants.fixtures.ts';
import { tenantTables } from './tenants.tables.ts';

const run = promisify(execFile);

/** Every base table of the database (Lawful's, pg-boss's, drizzle's) whose rows, as text, contain `needle`. */
const tablesHolding = async (h: Harness, needle: string) => {
  const all = await h.rt.db.raw.query<{ s: string; t: string }>(
    `select table_schema as s, table_name as t from information_schema.tables
      where table_type = 'BASE TABLE' and table_schema not in ('pg_catalog', 'information_schema')`,
  );
  expect(all.rows.length).toBeGreaterThan(40);
  const hits: string[] = [];
  for (const { s, t } of all.rows) {
    const r = await h.rt.db.raw.query<{ n: number }>(
      `select count(*)::int as n from "${s}"."${t}" x where strpos(x::text, $1) > 0`,
      [needle],
    );
    if (r.rows[0]!.n > 0) hits.push(`${s}.${t}`);
  }
  return hits;
};

describe('tenant offboarding (Art. 28(3)(g))', () => {
  let h: Harness;
  let gone: Awaited<ReturnType<typeof seedTenant>>;
  let kept: Awaited<ReturnType<typeof seedTenant>>;
  const dir = mkdtempSync(join(tmpdir(), 'lawful-offboard-'));

  beforeAll(async () => {
    h = await createHarness();
    gone = await seedTenant(h, 'Leaving Org');
    kept = await seedTenant(h, 'Staying Org');
  });
  afterAll(() => h?.close());

  it('every table with a tenant_id column in the database is exported, imported and deleted', async () => {
    const cols = await h.rt.db.raw.query<{ t: string }>(
      `select table_name as t from information_schema.columns
        where column_name = 'tenant_id' and table_schema = current_schema() order by 1`,
    );
    const covered = new Set(tenantTables().map((t) => t.name));
    const missing = cols.rows.map((r) => r.t).filter((t) => !covered.has(t));
    expect(missing, 'tenant tables the archive and offboarding do not cover').toEqual([]);
    // And the seed reaches most of them, so the round trip and the scans below mean something.
    const counts = await countRows(h, gone.tenantId, tenantTables());
    const empty = Object.entries(counts).filter(([, n]) => n === 0);
    expect(empty.length, `empty: ${empty.map(([t]) => t).join(', ')}`).toBeLessThan(tenantTables().length / 2);
  });

  it('asks for confirmation: none, or the wrong name, deletes nothing', async () => {
    const cli = serverCommandRunner(h.rt);
    const noConfirm = await cli(['tenant', 'delete', gone.tenant.slug], dir);
    expect(noConfirm.exitCode).toBe(2);
    expect(noConfirm.stderr).toContain(`--confirm ${gone.tenant.slug}`);
    const wrong = await cli(['tenant', 'delete', gone.tenant.slug, '--confirm', kept.tenant.slug], dir);
    expect(wrong.exitCode).toBe(1);
    const api = buildApp(h.rt, async () => ({ stdout: '', stderr: '', exitCode: 0 }));
    const res = await api.request(`/v1/operator/tenants/${gone.tenantId}/delete`, {
      method: 'POST',
      headers: { authorization: `Bearer ${h.rt.secrets.operatorToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({}),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { field: string } }).error.field).toBe('confirm');
    expect((await tablesHolding(h, gone.tenantId)).length).toBeGreaterThan(10);
  });

  it('check 53: after delete nothing of the tenant remains in any table (nor in a pg_dump); the other tenant is untouched; the certificate verifies', async () => {
    const tables = tenantTables();
    const keptBefore = await countRows(h, kept.tenantId, tables);
    const goneBefore = await countRows(h, gone.tenantId, tables);
    expect(await tablesHolding(h, gone.marker)).not.toEqual([]);

    const cli = serverCommandRunner(h.rt);
    const del = await cli(
      ['--json', 'tenant', 'delete', gone.tenant.slug, '--confirm', gone.tenant.slug, '--certificate-out', 'cert.json'],
      dir,
    );
    expect(del.exitCode, del.stderr).toBe(0);
    const cert = JSON.parse(del.stdout);
    expect(cert.record).toMatchObject({ tenantId: gone.tenantId, tenantKeysDestroyed: true });
    expect(cert.record.rowsDeleted).toEqual(goneBefore);
    expect(cert.record.subjectKeysShredded).toBe(goneBefore.subject_keys);

    expect(await tablesHolding(h, gone.tenantId)).toEqual([]);
    expect(await tablesHolding(h, gone.marker)).toEqual([]);
    expect(await countRows(h, kept.tenantId, tables)).toEqual(keptBefore);
    const chain = await h.rt.db.tenant(kept.tenantId, (tx) => h.rt.services.audit.verify(tx, kept.tenantId));
    expect(chain.ok).toBe(true);

    if (backend === 'postgres') {
      const dump = (await run('pg_dump', ['--no-owner', h.rt.config.databaseUrl!], { maxBuffer: 1 << 28 })).stdout;
      expect(dump).toContain(kept.tenantId); // the grep works
      expect(dump).not.toContain(gone.tenantId);
      expect(dump).not.toContain(gone.marker);
    }

    // The certificate verifies later (CLI and operator route), and an altered one does not.
    const ok = await cli(['tenant', 'verify-certificate', 'cert.json'], dir);
    expect(ok.exitCode, ok.stdout + ok.stderr).toBe(0);
    const [head, payload, sig] = (JSON.parse(readFileSync(join(dir, 'cert.json'), 'utf8')).certificate as string).split(
      '.',
    );
    const record = JSON.parse(Buffer.from(payload!, 'base64url').toString());
    record.rowsDeleted.consent_records = 0;
    writeFileSync(
      join(dir, 'forged.jws'),
      `${head}.${Buffer.from(JSON.stringify(record)).toString('base64url')}.${sig}`,
    );
    const bad = await cli(['tenant', 'verify-certificate', 'forged.jws'], dir);
    expect(bad.exitCode).toBe(1);
    expect(bad.stdout).toContain('does not verify');
    const api = buildApp(h.rt, async () => ({ stdout: '', stderr: '', exitCode: 0 }));
    const v = await api.request('/v1/operator/tenant-deletion-certificates/verify', {
      method: 'POST',
      headers: { authorization: `Bearer ${h.rt.secrets.operatorToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ certificate: cert.certificate }),
    });
    expect(await v.json()).toMatchObject({ ok: true, record: { tenantId: gone.tenantId } });

    // Gone for the API too: the deleted tenant's admin key no longer opens anything.
    await expect
      .poll(async () => (await h.request('GET', '/v1/tenant', { key: gone.admin })).status, { timeout: 5000 })
      .toBe(401);
    expect((await h.request('GET', '/v1/tenant', { key: kept.admin })).status).toBe(200);
  });
});
