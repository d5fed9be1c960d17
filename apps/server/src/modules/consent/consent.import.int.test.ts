import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consentReady, grantBody } from '../../../test/consent-fixtures.ts';
import { createHarness, type Harness } from '../../../test/harness.ts';
import { serverCommandRunner } from '../../cli/main.ts';
import { fixedClock } from '../../lib/clock.ts';
import { parseConsentsCsv } from './consent.import.ts';
import { minusPeriod } from './consent.retention.ts';

const clock = fixedClock('2026-03-01T10:00:00Z');
let h: Harness;
let admin: string;
let tenant: { id: string; slug: string };
let notice: Awaited<ReturnType<typeof consentReady>>;
const dir = mkdtempSync(join(tmpdir(), 'lawful-import-'));
const run = (argv: string[]) => serverCommandRunner(h.rt)(argv, dir);
const csv = (name: string, text: string) => {
  writeFileSync(join(dir, name), text);
  return name;
};
const count = async () =>
  Number((await h.rt.db.raw.query<{ n: number }>('select count(*)::int as n from consent_records')).rows[0]!.n);

beforeAll(async () => {
  h = await createHarness({ clock });
  const t = await h.newTenant('Acme');
  admin = t.admin;
  tenant = t.tenant;
  notice = await consentReady(h, admin);
});
afterAll(() => h.close());

describe('lawful import consents (checks 9, 15)', () => {
  it('imports rows with method import and the original evidence', async () => {
    const file = csv(
      'ok.csv',
      [
        'email,purpose,granted,recorded_at,method,evidence_reference',
        'ann@example.com,marketing-email,true,2019-05-01T09:00:00Z,form_checkbox,crm:4411',
        'ann@example.com,product-analytics,false,2019-05-01T09:00:00Z,form_checkbox,crm:4411',
        'Ben@Example.com,marketing-email,yes,2020-01-02T10:00:00+01:00,signed_form,paper:88',
      ].join('\n'),
    );
    const r = await run(['import', 'consents', file, '--tenant', tenant.slug, '--notice-version', notice.versionId]);
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('Imported 3 consent record(s)');
    const sub = await h.request('POST', '/v1/subjects:lookup', {
      key: admin,
      body: { identity: { kind: 'email', value: 'ann@example.com' } },
    });
    const id = sub.body.id as string;
    const hist = await h.rt.db.tenant(tenant.id, (tx) => h.rt.services.consent.history(tx, tenant.id, id));
    expect(hist.map((x) => [x.purpose, x.decision, x.method])).toEqual([
      ['marketing-email', 'grant', 'import'],
      ['product-analytics', 'refuse', 'import'],
    ]);
    const raw = await h.rt.db.raw.query<{ evidence: Record<string, unknown>; affirmative_action: { kind: string } }>(
      `select evidence, affirmative_action from consent_records where subject_id = $1 order by id`,
      [id],
    );
    expect(raw.rows[0]!.evidence).toMatchObject({
      originalRecordedAt: '2019-05-01T09:00:00Z',
      originalMethod: 'form_checkbox',
      reference: 'crm:4411',
    });
    expect(raw.rows[0]!.affirmative_action.kind).toBe('imported_evidence');
  });

  it('every bad row is reported with its line number, and nothing is written', async () => {
    const before = await count();
    const file = csv(
      'bad.csv',
      [
        'email,purpose,granted,recorded_at,method',
        'ok@example.com,marketing-email,true,2019-05-01T09:00:00Z,form_checkbox',
        'not-an-email,marketing-email,true,2019-05-01T09:00:00Z,form_checkbox',
        'c@example.com,marketing-email,maybe,2019-05-01T09:00:00Z,form_checkbox',
        'd@example.com,marketing-email,true,yesterday,form_checkbox',
        'e@example.com,marketing-email,true,2019-05-01T09:00:00Z,gpc',
      ].join('\n'),
    );
    const r = await run(['import', 'consents', file, '--tenant', tenant.slug, '--notice-version', notice.versionId]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('line 3, email');
    expect(r.stderr).toContain('line 4, granted');
    expect(r.stderr).toContain('line 5, recorded_at');
    expect(r.stderr).toContain('line 6, method');
    expect(r.stderr).toContain('nothing imported');
    expect(await count()).toBe(before);
  });

  it('rows that do not fit the notice (unknown purpose, not on consent) stop the whole import', async () => {
    const before = await count();
    const file = csv(
      'notice.csv',
      [
        'email,purpose,granted,recorded_at',
        'f@example.com,marketing-email,true,2019-05-01T09:00:00Z',
        'g@example.com,billing,true,2019-05-01T09:00:00Z',
        'h@example.com,nope,true,2019-05-01T09:00:00Z',
      ].join('\n'),
    );
    const r = await run(['import', 'consents', file, '--tenant', tenant.slug, '--notice-version', notice.versionId]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('line 3, purpose');
    expect(r.stderr).toContain('line 4, purpose');
    expect(await count()).toBe(before);
  });

  it('check 15: a person who objected to direct marketing is never re-subscribed by an import', async () => {
    await h.rt.services.objections.object(
      tenant.id,
      {
        subject: { identity: { kind: 'email', value: 'stop@example.com' } },
        purpose: 'marketing-email',
        channel: 'email',
      },
      'test',
    );
    const file = csv(
      'suppressed.csv',
      ['email,purpose,granted,recorded_at', 'stop@example.com,marketing-email,true,2019-05-01T09:00:00Z'].join('\n'),
    );
    const before = await count();
    const r = await run(['import', 'consents', file, '--tenant', tenant.slug, '--notice-version', notice.versionId]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('1 row(s) not imported: the person objected to direct marketing');
    expect(await count()).toBe(before);
  });

  it('a later decision of the person wins over an old list', async () => {
    await h.request('POST', '/v1/consents', {
      key: admin,
      body: grantBody(notice, 'now@example.com', [{ purpose: 'marketing-email', granted: false }]),
    });
    const file = csv(
      'later.csv',
      ['email,purpose,granted,recorded_at', 'now@example.com,marketing-email,true,2019-05-01T09:00:00Z'].join('\n'),
    );
    const r = await run([
      'import',
      'consents',
      file,
      '--tenant',
      tenant.slug,
      '--notice-version',
      notice.versionId,
      '--json',
    ]);
    expect(JSON.parse(r.stdout)).toMatchObject({ imported: 0, skipped: 1 });
  });

  it('the parser never throws and reports lines for arbitrary input', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (body) => {
        const r = parseConsentsCsv(`email,purpose,granted,recorded_at\n${body}`);
        for (const e of r.errors) expect(e.line).toBeGreaterThanOrEqual(1);
        expect(r.rows.length === 0 || r.errors.length === 0).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});

describe('proof retention purge (check 10)', () => {
  it('deletes the records of people with no consent in force after the retention, audited; dry-run deletes nothing', async () => {
    const t = await h.newTenant('Purge Co');
    const n = await consentReady(h, t.admin);
    const post = (email: string, granted: boolean) =>
      h.request('POST', '/v1/consents', {
        key: t.admin,
        body: grantBody(n, email, [{ purpose: 'marketing-email', granted }]),
      });
    const gone = (await post('old@example.com', true)).body.records[0].subjectId as string;
    await post('old@example.com', false);
    const kept = (await post('live@example.com', true)).body.records[0].subjectId as string;
    clock.advance(5 * 366 * 86_400_000);
    try {
      const recent = (await post('recent@example.com', false)).body.records[0].subjectId as string;
      const dry = await run(['consent', 'purge', '--dry-run', '--tenant', t.tenant.slug, '--json']);
      expect(JSON.parse(dry.stdout).tenants[0]).toMatchObject({ subjects: [gone], records: 2 });
      const rows = async (s: string) =>
        (await h.rt.db.raw.query('select 1 from consent_records where subject_id = $1', [s])).rows.length;
      expect(await rows(gone)).toBe(2);
      // The daily job runs the same purge.
      await h.rt.services.consentRetention.purge({ dryRun: false, tenantId: t.tenant.id });
      expect(await rows(gone)).toBe(0);
      expect(await rows(kept)).toBe(1);
      expect(await rows(recent)).toBe(1);
      const st = await h.rt.db.raw.query('select 1 from consent_state where subject_id = $1', [gone]);
      expect(st.rows.length).toBe(0);
      await h.rt.services.auditSealer.flush();
      const audit = await h.rt.db.raw.query<{ action: string; subject_id: string }>(
        `select action, subject_id from audit_entries where tenant_id = $1 and action = 'consent.purge'`,
        [t.tenant.id],
      );
      expect(audit.rows).toEqual([{ action: 'consent.purge', subject_id: gone }]);
      const verify = await h.request('GET', '/v1/audit/verify', { key: t.admin });
      expect(verify.body.ok).toBe(true);
    } finally {
      clock.advance(-5 * 366 * 86_400_000);
    }
  });

  it('minusPeriod is calendar-aware', () => {
    expect(minusPeriod(new Date('2030-03-01T00:00:00Z'), 'P5Y').toISOString()).toBe('2025-03-01T00:00:00.000Z');
    expect(minusPeriod(new Date('2030-03-31T00:00:00Z'), 'P1M2D').toISOString()).toBe('2030-02-26T00:00:00.000Z');
    expect(minusPeriod(new Date('2030-03-15T00:00:00Z'), 'P2W').toISOString()).toBe('2030-03-01T00:00:00.000Z');
  });
});
