import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../../../test/harness.ts';
import { configureDemoTenant, type DemoPlatform, seedDemoPlatform, startDemoPlatform } from './demo.setup.ts';

type Json = Record<string, unknown>;

describe('lawful demo: a portfolio platform on PGlite over the wire, its data map, a working tenant (checks 39, 43, 45, 46)', () => {
  let h: Harness;
  let platform: DemoPlatform;
  let dir: string;
  let admin: string;
  let tenantId: string;
  let people: { id: number; email: string; phone: string }[] = [];
  let reqs: { access: string; erasure: string };

  const runTasks = async (id: string) => {
    const m = h.rt.services.requestsModule;
    await m.tasks.fanout({ tenantId, requestId: id });
    const tasks = (await h.request('GET', `/v1/requests/${id}`, { key: admin })).body.tasks as Json[];
    const sys = tasks.filter((t) => t.kind === 'system');
    for (const t of [...sys.filter((x) => x.targetId !== 'lawful'), ...sys.filter((x) => x.targetId === 'lawful')])
      await m.tasks.runTask({ tenantId, requestId: id, taskId: t.id as string });
    return (await h.request('GET', `/v1/requests/${id}`, { key: admin })).body as Json;
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lawful-demo-'));
    platform = await startDemoPlatform(
      { dataDir: dir, port: 20_000 + Math.floor(Math.random() * 20_000) },
      async (db) => {
        people = (await seedDemoPlatform(db, 12)).people;
      },
    );
    h = await createHarness();
    const t = await h.newTenant('Folio');
    tenantId = t.tenant.id;
    admin = t.admin;
    reqs = await configureDemoTenant(
      (method, path, body) => h.request(method, path, { key: admin, body }),
      platform,
      people,
    );
  });
  afterAll(async () => {
    await h?.close();
    await platform?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the demo data map checks clean against the live platform database', async () => {
    const check = await h.request('POST', '/v1/datamap/check', { key: admin });
    expect(check.status, check.text).toBe(200);
    expect(check.body.issues.filter((i: Json) => i.severity === 'error')).toEqual([]);
    expect(check.body.ok).toBe(true);
  });

  it('the access request finds the person in every table and redacts the visitors who wrote to them', async () => {
    const r = await runTasks(reqs.access);
    const platformTask = (r.tasks as Json[]).find((t) => t.targetId === 'platform')!;
    expect(platformTask.state, String(platformTask.note)).toBe('done');
    expect(platformTask.recordsAffected).toBeGreaterThan(20);
    const [pkg] = (await h.request('GET', `/v1/exports?requestId=${reqs.access}`, { key: admin })).body.data as Json[];
    const rows = (pkg!.summary as { collections: { collection: string; rows: number }[] }).collections;
    expect(Object.fromEntries(rows.map((c) => [c.collection, c.rows]))).toMatchObject({
      users: 1,
      profiles: 1,
      portfolios: 2,
      form_submissions: 6,
      email_events: 12,
      call_records: 2,
      support_tickets: 1,
    });
    const link = await h.request('POST', `/v1/exports/${pkg!.id}/link`, { key: admin });
    const url = new URL(link.body.url as string);
    const zip = unzipSync(new Uint8Array(await (await h.app.request(`${url.pathname}${url.search}`)).arrayBuffer()));
    const data = JSON.parse(new TextDecoder().decode(zip['data.json']!)) as { collections: Json[] };
    const submissions = data.collections.find((c) => c.collection === 'form_submissions')!.rows as Json[];
    expect(
      submissions.every((r) => r.sender_email === '[redacted: other person]' && typeof r.message === 'string'),
    ).toBe(true);
  });

  it('the erasure request, once approved, deletes the person, keeps calls pseudonymised under Art. 17(3)(e), and verifies clean', async () => {
    const ok = await h.request('POST', `/v1/requests/${reqs.erasure}/approve`, { key: admin, body: {} });
    expect(ok.status, ok.text).toBe(200);
    const r = await runTasks(reqs.erasure);
    const platformTask = (r.tasks as Json[]).find((t) => t.targetId === 'platform')!;
    expect(platformTask.state, String(platformTask.note)).toBe('done');
    expect(platformTask.note).toMatch(
      /verification clean; kept under call_records rows \(Art\. 17\(3\)\(e\), 6 months\)/,
    );
    expect(r.state).toBe('completed');
    const c = new pg.Client({ connectionString: platform.url });
    await c.connect();
    try {
      const person = people[1]!;
      expect((await c.query('select count(*)::int as n from users where id = $1', [person.id])).rows[0].n).toBe(0);
      expect(
        (await c.query('select count(*)::int as n from email_events where user_id = $1', [person.id])).rows[0].n,
      ).toBe(0);
      const calls = await c.query(
        "select phone_number, notes, user_id from call_records where phone_number like 'psd_%'",
      );
      expect(calls.rows.length).toBe(2);
      expect(calls.rows.every((x) => x.notes === null && x.user_id === null)).toBe(true);
      // Everyone else is still there.
      expect((await c.query('select count(*)::int as n from users')).rows[0].n).toBe(people.length - 1);
    } finally {
      await c.end();
    }
  });
});
