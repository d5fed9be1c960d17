import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { freshDatabase, TEST_MASTER_KEY } from '../../../test/harness.ts';
import { loadConfig } from '../../config.ts';
import { createLogger } from '../../lib/logger.ts';
import { openRuntime, type Runtime } from '../../main.ts';
import { createObjectionsRepo } from '../objections/objections.repo.ts';
import { backupDatabase, restoreDatabase } from './erasure.backup.ts';
import { createErasureService, erasureLogFile } from './erasure.service.ts';

/** The runtime's configuration on this file's database and data folder. */
const configOf = (f: { url?: string | null; dir: string }) =>
  loadConfig({ LAWFUL_MASTER_KEY: TEST_MASTER_KEY, ...(f.url ? { DATABASE_URL: f.url } : {}) }, { data: f.dir });

const quiet = createLogger({ level: 'error', destination: new Writable({ write: (_c, _e, cb) => cb() }) });

describe('backup and restore (check 48): a restored backup never brings an erased person back', {
  timeout: 240_000,
}, () => {
  const fresh = freshDatabase();
  afterAll(async () => (await fresh).drop());

  it('replays the erasure log before the restored database is used', async () => {
    const f = await fresh;
    const config = configOf(f);
    const open = () => openRuntime(config, { logger: quiet });
    const lookup = async (rt: Runtime, tenantId: string, email: string) =>
      rt.services.subjects.lookup(tenantId, { kind: 'email', value: email }, 'test').then(
        (s) => s.id,
        () => null,
      );

    let rt = await open();
    const { tenant } = await rt.services.tenants.create({ name: 'Backup Org' }, 'test');
    const kept = await rt.services.subjects.create(tenant.id, [{ kind: 'email', value: 'kept@example.test' }], 'test');
    const gone = await rt.services.subjects.create(tenant.id, [{ kind: 'email', value: 'gone@example.test' }], 'test');
    const file = join(f.dir, 'lawful.backup');
    const b = await backupDatabase(rt, file);
    expect(b.bytes).toBeGreaterThan(1000);
    const erased = await rt.services.dataMap.erasure.eraseLawfulData(tenant.id, gone.subject.id, { requestId: null });
    expect(erased).toMatchObject({ keyDestroyed: true, identifiersRemoved: 1 });
    expect(await lookup(rt, tenant.id, 'gone@example.test')).toBeNull();
    await rt.close();
    expect(existsSync(join(f.dir, 'erasure-log.jsonl'))).toBe(true);

    // The control: restored as it was, the backup holds the person's key and identifiers again.
    await restoreDatabase(config, file, { replay: false });
    rt = await open();
    expect(await lookup(rt, tenant.id, 'gone@example.test')).toBe(gone.subject.id);
    await rt.close();

    // Restored properly: the log (kept outside the database) is replayed first.
    const r = await restoreDatabase(config, file);
    expect(r).toMatchObject({ erasures: 1, reshredded: 1 });
    rt = await open();
    try {
      expect(await lookup(rt, tenant.id, 'gone@example.test')).toBeNull();
      expect(await lookup(rt, tenant.id, 'kept@example.test')).toBe(kept.subject.id);
      const key = await rt.db.raw.query<{ wrapped: unknown }>(
        'select wrapped from subject_keys where tenant_id = $1 and subject_id = $2',
        [tenant.id, gone.subject.id],
      );
      expect(key.rows).toEqual([{ wrapped: null }]);
      expect((await rt.services.dataMap.erasure.log()).map((e) => e.subjectId)).toEqual([gone.subject.id]);
    } finally {
      await rt.close();
    }
  });

  it('checks 48, 53: a tenant deleted after the backup is deleted again by the restore, and the log keeps only its id', async () => {
    const f = await fresh;
    const config = configOf(f);
    let rt = await openRuntime(config, { logger: quiet });
    const { tenant: stays } = await rt.services.tenants.create({ name: 'Stays Org' }, 'test');
    const { tenant: leaves } = await rt.services.tenants.create({ name: 'Leaves Org' }, 'test');
    const person = await rt.services.subjects.create(
      leaves.id,
      [{ kind: 'email', value: 'offboarded@example.test' }],
      'test',
    );
    // An earlier erasure in the leaving tenant: its line in the log must not outlive the tenant.
    await rt.services.dataMap.erasure.eraseLawfulData(leaves.id, person.subject.id, { requestId: null });
    const file = join(f.dir, 'tenants.backup');
    await backupDatabase(rt, file);
    await rt.services.tenantLifecycle.deleteTenant(leaves.id, leaves.slug, 'test');
    await rt.close();
    const log = readFileSync(join(f.dir, 'erasure-log.jsonl'), 'utf8');
    expect(log).toContain(`"kind":"tenant","tenantId":"${leaves.id}"`);
    expect(log).not.toContain(person.subject.id);

    const r = await restoreDatabase(config, file);
    expect(r.reshredded).toBeGreaterThanOrEqual(1);
    rt = await openRuntime(config, { logger: quiet });
    try {
      const left = await rt.db.raw.query<{ id: string }>('select id from tenants order by id');
      expect(left.rows.map((x) => x.id)).toContain(stays.id);
      expect(left.rows.map((x) => x.id)).not.toContain(leaves.id);
      const subjects = await rt.db.raw.query('select 1 from subjects where tenant_id = $1', [leaves.id]);
      expect(subjects.rows).toHaveLength(0);
    } finally {
      await rt.close();
    }
  });

  it('check 48: the file copy of the log is written before the commit, so it is never behind the database', async () => {
    const f = await fresh;
    const config = configOf(f);
    const rt = await openRuntime(config, { logger: quiet });
    try {
      const { tenant } = await rt.services.tenants.create({ name: 'Ahead Org' }, 'test');
      const p = await rt.services.subjects.create(tenant.id, [{ kind: 'email', value: 'ahead@example.test' }], 'test');
      const path = join(f.dir, 'ahead-log.jsonl');
      const deps = {
        db: rt.db,
        vault: rt.services.vault,
        audit: rt.services.audit,
        clock: rt.clock,
        objections: createObjectionsRepo(),
        logFile: erasureLogFile(path),
      };
      // The last step before the commit fails: the transaction rolls back, the line is already in the file.
      const failing = createErasureService({
        ...deps,
        webhooks: {
          emit: async () => {
            throw new Error('the database went away before the commit');
          },
        },
      });
      await expect(failing.eraseLawfulData(tenant.id, p.subject.id, { requestId: null })).rejects.toThrow(/went away/);
      expect(erasureLogFile(path).read()).toMatchObject([{ tenantId: tenant.id, subjectId: p.subject.id }]);
      expect((await rt.services.dataMap.erasure.log()).map((e) => e.subjectId)).not.toContain(p.subject.id);
      // The job's retry completes the erasure; the database and the file then agree (the file may say it twice).
      const working = createErasureService({ ...deps, webhooks: rt.services.webhooks });
      await working.eraseLawfulData(tenant.id, p.subject.id, { requestId: null });
      expect((await rt.services.dataMap.erasure.log()).map((e) => e.subjectId)).toContain(p.subject.id);
      expect(
        new Set(
          erasureLogFile(path)
            .read()
            .map((e) => e.tenantId + (e as { subjectId: string }).subjectId),
        ).size,
      ).toBe(1);
    } finally {
      await rt.close();
    }
  });
});
