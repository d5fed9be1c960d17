import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consentReady } from '../../../test/consent-fixtures.ts';
import { useChinook } from '../../../test/fixtures/chinook.suite.ts';
import { createHarness, type Harness } from '../../../test/harness.ts';
import { exportPackages } from '../../db/schema/index.ts';
import { createConnector } from '../connectors/connector.factory.ts';
import type { Connector } from '../connectors/connector.ts';
import { createSealing } from '../requests/requests.core.ts';
import { createRequestsRepo } from '../requests/requests.repo.ts';
import { createDataMapRepo } from './datamap.repo.ts';
import { createDataMapRunner } from './datamap.runner.ts';
import { createDataMapStore } from './datamap.store.ts';

const YAML = readFileSync(new URL('../../../test/fixtures/chinook.postgres.datamap.yaml', import.meta.url), 'utf8');

type Json = Record<string, unknown>;

describe('data map in the server: versions, connections, access and erasure through requests (checks 39–48, 66)', () => {
  const chinook = useChinook('postgres');
  let h: Harness;
  let tenantId: string;
  let admin: string;

  /** Creates a verified request through the API, approves it when needed, and runs its tasks as the worker would. */
  const runRequest = async (types: string[], email: string) => {
    const created = await h.request('POST', '/v1/requests', {
      key: admin,
      body: { types, identities: [{ type: 'email', value: email }], identityVerified: true },
    });
    expect(created.status, created.text).toBe(201);
    const id = created.body.id as string;
    if (created.body.state === 'awaiting_approval') {
      const ok = await h.request('POST', `/v1/requests/${id}/approve`, { key: admin, body: {} });
      expect(ok.status, ok.text).toBe(200);
    }
    const m = h.rt.services.requestsModule;
    await m.tasks.fanout({ tenantId, requestId: id });
    const tasks = (await h.request('GET', `/v1/requests/${id}`, { key: admin })).body.tasks as Json[];
    const system = tasks.filter((t) => t.kind === 'system');
    const ordered = [
      ...system.filter((t) => t.targetId !== 'lawful'),
      ...system.filter((t) => t.targetId === 'lawful'),
    ];
    for (const t of ordered) await m.tasks.runTask({ tenantId, requestId: id, taskId: t.id as string });
    const detail = (await h.request('GET', `/v1/requests/${id}`, { key: admin })).body as Json;
    return { id, tasks: detail.tasks as Json[], request: detail };
  };

  beforeAll(async () => {
    h = await createHarness();
    const t = await h.newTenant('Chinook Records');
    tenantId = t.tenant.id;
    admin = t.admin;
    await consentReady(h, admin);
  });
  afterAll(() => h?.close());

  it('PUT /v1/datamap takes YAML, versions it, keeps old versions readable, rejects a bad map whole', async () => {
    const put = await h.request('PUT', '/v1/datamap', {
      key: admin,
      raw: YAML,
      headers: { 'content-type': 'application/yaml' },
    });
    expect(put.status, put.text).toBe(201);
    expect(put.body).toMatchObject({ version: 1, created: true, map: { revision: 1 } });
    const same = await h.request('PUT', '/v1/datamap', { key: admin, body: put.body.map });
    expect(same.status).toBe(200);
    expect(same.body).toMatchObject({ version: 1, created: false });
    const v2 = await h.request('PUT', '/v1/datamap', { key: admin, body: { ...put.body.map, revision: 2 } });
    expect(v2.status).toBe(201);
    expect(v2.body.version).toBe(2);
    const bad = await h.request('PUT', '/v1/datamap', {
      key: admin,
      raw: YAML.replace('primaryKey: [customer_id]', 'primaryKey: []'),
      headers: { 'content-type': 'application/yaml' },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ code: 'VALIDATION_FAILED', field: 'systems.0.collections.0.primaryKey' });
    const versions = await h.request('GET', '/v1/datamap/versions', { key: admin });
    expect(versions.body.data.map((v: Json) => v.version)).toEqual([1, 2]);
    expect((await h.request('GET', '/v1/datamap?version=1', { key: admin })).body.map.revision).toBe(1);
    expect((await h.request('GET', '/v1/datamap', { key: admin })).body.map.revision).toBe(2);
    const schema = await h.request('GET', '/v1/datamap/schema.json', { key: admin });
    expect(schema.status).toBe(200);
    expect(JSON.stringify(schema.body)).toContain('primaryKey');
  });

  it('connections: the URL is sealed, never returned and never logged; check runs against the live system', async () => {
    const none = await h.request('PUT', '/v1/datamap/connections/chinook', { key: admin, body: {} });
    expect(none.status).toBe(404);
    const wrong = await h.request('PUT', '/v1/datamap/connections/chinook', {
      key: admin,
      body: { engine: 'postgres', url: 'mysql://x@127.0.0.1/db' },
    });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.field).toBe('url');
    const set = await h.request('PUT', '/v1/datamap/connections/chinook', {
      key: admin,
      body: { engine: 'postgres', url: chinook.db.url },
    });
    expect(set.status, set.text).toBe(200);
    expect(set.text).not.toContain(chinook.db.url);
    const list = await h.request('GET', '/v1/datamap/connections', { key: admin });
    expect(list.body.data).toEqual([expect.objectContaining({ name: 'chinook', engine: 'postgres' })]);
    expect(list.text).not.toContain(chinook.db.name);
    const check = await h.request('POST', '/v1/datamap/check', { key: admin });
    expect(check.status, check.text).toBe(200);
    expect(check.body).toMatchObject({ ok: true, version: 2, systems: [{ system: 'shop', status: 'checked' }] });
    expect(h.logs.join('')).not.toContain(chinook.db.name);
  });

  it('checks 39, 42, 43: a verified access request answers itself: a ZIP behind an expiring token link, holding exactly that customer', async () => {
    const { id, tasks, request } = await runRequest(['access'], 'LeoneKohler@surfeu.de');
    expect(tasks.filter((t) => t.kind === 'system').map((t) => [t.targetId, t.state])).toEqual([
      ['shop', 'done'],
      ['lawful', 'done'],
    ]);
    // Every task done and one package ready: the request completes by itself, and the completion e-mail job
    // carries the download link (sealed under the tenant's key, like everything else that reaches the queue).
    expect(request.state).toBe('completed');
    const exportsList = await h.request('GET', `/v1/exports?requestId=${id}`, { key: admin });
    const pkg = exportsList.body.data[0] as Json;
    expect(pkg).toMatchObject({ kind: 'access', state: 'ready' });
    const mails = await h.rt.db.raw.query<{ data: { downloadSealed?: string } }>(
      "select data from pgboss.job where name = 'request.notify' and data->>'requestId' = $1 and data->>'template' = 'completion'",
      [id],
    );
    expect(mails.rows).toHaveLength(1);
    const vault = h.rt.services.requestsModule.deps.vault;
    const opened = await h.rt.db.tenant(tenantId, (tx) =>
      vault.openForTenant(tx, tenantId, `download:${id}`, Buffer.from(mails.rows[0]!.data.downloadSealed!, 'base64')),
    );
    const sent = JSON.parse(opened!) as { url: string; expiresAt: string };
    expect(new Date(sent.expiresAt).getTime()).toBe(new Date(pkg.expiresAt as string).getTime());
    const url = new URL(sent.url);
    // The API key is not needed (nor used): the token is the credential.
    const res = await h.app.request(`${url.pathname}${url.search}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/zip');
    const zip = unzipSync(new Uint8Array(await res.arrayBuffer()));
    const data = JSON.parse(new TextDecoder().decode(zip['data.json']!)) as { collections: Json[] };
    const invoices = (await chinook.rows('invoice')).filter((r) => r.customer_id === 2);
    const byName: Record<string, Json[]> = Object.fromEntries(
      data.collections.map((c) => [String(c.collection), c.rows as Json[]]),
    );
    expect(Object.keys(byName).sort()).toEqual(['customer', 'invoice', 'invoice_line']);
    expect(byName.customer!.map((r) => r.customer_id)).toEqual([2]);
    expect(byName.customer![0]!.support_rep_id).toBe('[redacted: other person]');
    expect(new Set(byName.invoice!.map((r) => r.invoice_id))).toEqual(new Set(invoices.map((r) => r.invoice_id)));
    expect(byName.invoice!.every((r) => r.customer_id === 2)).toBe(true);
    const processing = JSON.parse(new TextDecoder().decode(zip['processing.json']!)) as Json;
    expect(JSON.stringify(processing)).toContain('Mailjet SAS');
    // A wrong or missing token is a plain 404, the same as an unknown package.
    const bad = await h.app.request(`${url.pathname}?token=lf_dl_${'x'.repeat(43)}`);
    expect(bad.status).toBe(404);
    // Staff can send a new link (the person lost the e-mail): the earlier one stops working.
    const link = await h.request('POST', `/v1/exports/${pkg.id}/link`, { key: admin });
    expect(link.status).toBe(200);
    expect((await h.app.request(`${url.pathname}${url.search}`)).status).toBe(404);
    const fresh = new URL(link.body.url as string);
    const again = await h.app.request(`${fresh.pathname}${fresh.search}`);
    expect(again.status).toBe(200);
    expect(unzipSync(new Uint8Array(await again.arrayBuffer()))['data.json']).toBeDefined();

    // Past its window the purge job deletes the file, its key and its link.
    const dir = join(h.rt.config.exports.dir, tenantId);
    expect(readdirSync(dir).some((f) => f.startsWith(pkg.id as string))).toBe(true);
    await h.rt.db.system
      .update(exportPackages)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(exportPackages.id, pkg.id as string));
    expect(await h.rt.services.dataMap.exports.purgeExpired()).toBe(1);
    expect(readdirSync(dir).some((f) => f.startsWith(pkg.id as string))).toBe(false);
    expect((await h.app.request(`${fresh.pathname}${fresh.search}`)).status).toBe(404);
    const after = await h.request('GET', `/v1/exports?requestId=${id}`, { key: admin });
    expect(after.body.data[0]).toMatchObject({ state: 'purged' });
  });

  it('check 49: rectification corrects the field in every mapped place and keeps old and new values sealed', async () => {
    const email = 'ftremblay@gmail.com';
    const created = await h.request('POST', '/v1/requests', {
      key: admin,
      body: { types: ['rectification'], identities: [{ type: 'email', value: email }], identityVerified: true },
    });
    expect(created.status, created.text).toBe(201);
    const id = created.body.id as string;
    const fix = await h.request('POST', '/v1/datamap/rectify', {
      key: admin,
      body: { requestId: id, changes: [{ target: { category: 'user.contact.address.city' }, value: 'Québec' }] },
    });
    expect(fix.status, fix.text).toBe(200);
    // The city is mapped on the customer and on each invoice's billing address: both are corrected.
    const changed = fix.body.systems[0].changed as { collection: string; column: string }[];
    expect(changed).toContainEqual({ collection: 'customer', column: 'city' });
    expect(new Set(changed.map((c) => `${c.collection}.${c.column}`))).toEqual(
      new Set(['customer.city', 'invoice.billing_city']),
    );
    expect(fix.text).not.toContain('Montréal');
    const customer = (await chinook.rows('customer')).find((r) => r.email === email)!;
    expect(customer.city).toBe('Québec');
    const stored = await h.rt.db.raw.query<{ v: string }>(
      "select encode(values_sealed, 'escape') as v from rectifications where request_id = $1",
      [id],
    );
    expect(stored.rows).toHaveLength(changed.length);
    expect(stored.rows[0]!.v).not.toContain('Montr');
    const m = h.rt.services.requestsModule;
    await m.tasks.fanout({ tenantId, requestId: id });
    const tasks = (await h.request('GET', `/v1/requests/${id}`, { key: admin })).body.tasks as Json[];
    for (const t of tasks.filter((x) => x.kind === 'system'))
      await m.tasks.runTask({ tenantId, requestId: id, taskId: t.id as string });
    const after = (await h.request('GET', `/v1/requests/${id}`, { key: admin })).body as Json;
    expect((after.tasks as Json[]).find((t) => t.targetId === 'shop')).toMatchObject({
      state: 'done',
      recordsAffected: changed.length,
    });
  });

  it('check 49: corrections given with the request are applied by its tasks, and the request completes by itself', async () => {
    const email = 'fharris@google.com';
    const bad = await h.request('POST', '/v1/requests', {
      key: admin,
      body: {
        types: ['erasure'],
        identities: [{ type: 'email', value: email }],
        corrections: [{ target: { category: 'user.contact.address.city' }, value: 'X' }],
      },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.field).toBe('corrections');
    const created = await h.request('POST', '/v1/requests', {
      key: admin,
      body: {
        types: ['rectification'],
        identities: [{ type: 'email', value: email }],
        identityVerified: true,
        corrections: [{ target: { category: 'user.contact.address.city' }, value: 'Palo Alto' }],
      },
    });
    expect(created.status, created.text).toBe(201);
    const id = created.body.id as string;
    expect(created.text).not.toContain('Palo Alto');
    const m = h.rt.services.requestsModule;
    await m.tasks.fanout({ tenantId, requestId: id });
    const tasks = (await h.request('GET', `/v1/requests/${id}`, { key: admin })).body.tasks as Json[];
    for (const t of tasks.filter((x) => x.kind === 'system'))
      await m.tasks.runTask({ tenantId, requestId: id, taskId: t.id as string });
    const customer = (await chinook.rows('customer')).find((r) => r.email === email)!;
    expect(customer.city).toBe('Palo Alto');
    const invoices = (await chinook.rows('invoice')).filter((r) => r.customer_id === customer.customer_id);
    expect(invoices.every((r) => r.billing_city === 'Palo Alto')).toBe(true);
    const after = (await h.request('GET', `/v1/requests/${id}`, { key: admin })).body as Json;
    // One value per row: the customer's city and each invoice's billing city.
    expect((after.tasks as Json[]).find((t) => t.targetId === 'shop')).toMatchObject({
      state: 'done',
      recordsAffected: 1 + invoices.length,
    });
    expect(after.state).toBe('completed');
    // A task run again (a retried job) applies nothing twice.
    const shop = (after.tasks as Json[]).find((t) => t.targetId === 'shop')!;
    await m.tasks.runTask({ tenantId, requestId: id, taskId: shop.id as string });
    const stored = await h.rt.db.raw.query('select 1 from rectifications where request_id = $1', [id]);
    expect(stored.rows).toHaveLength(1 + invoices.length);
  });

  it('checks 45, 46, 48: erasure anonymises the customer, keeps invoices masked under Art. 17(3)(b), leaves everyone else, and shreds Lawful’s copy', async () => {
    const before = {
      customer: await chinook.checksums('customer'),
      invoice: await chinook.checksums('invoice'),
      line: await chinook.checksums('invoice_line'),
    };
    const email = 'frantisekw@jetbrains.com';
    const [person] = (await chinook.rows('customer')).filter((r) => r.email === email);
    const { id, tasks, request } = await runRequest(['erasure'], email);
    const shop = tasks.find((t) => t.targetId === 'shop')!;
    expect(shop.state, String(shop.note)).toBe('done');
    expect(shop.note).toMatch(/verification clean/);
    expect(shop.note).toMatch(/Art\. 17\(3\)\(b\)/);
    expect(tasks.find((t) => t.targetId === 'lawful')).toMatchObject({ state: 'done' });
    expect(request.state).toBe('completed');

    const customers = await chinook.rows('customer');
    const erased = customers.find((r) => r.customer_id === 5)!;
    expect(erased.email).toBe('erased-5@invalid.example');
    expect(erased.first_name).toBe('Erased');
    const after = {
      customer: await chinook.checksums('customer'),
      invoice: await chinook.checksums('invoice'),
      line: await chinook.checksums('invoice_line'),
    };
    const theirs = (await chinook.rows('invoice')).filter((r) => r.customer_id === 5);
    expect(theirs.length).toBeGreaterThan(0);
    for (const inv of theirs) expect(inv.billing_address).toBe('[erased]');
    const others = <T>(m: Map<string, T>, skip: Set<string>) => [...m].filter(([k]) => !skip.has(k));
    expect(others(after.customer, new Set(['5']))).toEqual(others(before.customer, new Set(['5'])));
    const theirIds = new Set(theirs.map((r) => String(r.invoice_id)));
    expect(others(after.invoice, theirIds)).toEqual(others(before.invoice, theirIds));
    expect(after.line).toEqual(before.line);

    // Lawful's own copy: the subject's key is gone, identifiers removed, and nothing in the database names them.
    const subjectId = request.subjectId as string;
    const lookup = await h.request('POST', '/v1/subjects:lookup', {
      key: admin,
      body: { identity: { kind: 'email', value: email } },
    });
    expect(lookup.status).toBe(404);
    const needles = [email, String(person!.first_name), String(person!.last_name), String(person!.phone)];
    const dump = await fullTextOf(h);
    for (const n of needles) expect(dump.toLowerCase()).not.toContain(n.toLowerCase());
    expect(dump).toContain(subjectId); // the pseudonymous request and audit trail stay
    if (h.rt.db.kind === 'postgres') {
      const url = (h.rt.config.databaseUrl ?? '') as string;
      const pgDump = execFileSync('pg_dump', ['--data-only', url], { maxBuffer: 1 << 28 }).toString();
      for (const n of needles) expect(pgDump.toLowerCase()).not.toContain(n.toLowerCase());
    }
    const log = await h.rt.services.dataMap.erasure.log();
    expect(log).toContainEqual(expect.objectContaining({ tenantId, subjectId, requestId: id }));
  });

  it('check 66: an erasure killed mid-way and run again ends in the same state, and a further run changes nothing', async () => {
    const email = 'hholy@gmail.com';
    // The worker "dies" at the first write: the system's transaction rolls back and the task stays pending.
    let crash = true;
    const crashing = (c: Connector): Connector => ({
      ...c,
      begin: async (mode) => {
        const tx = await c.begin(mode);
        const die = async () => {
          if (crash) {
            crash = false;
            throw new Error('worker killed');
          }
        };
        return {
          ...tx,
          select: tx.select.bind(tx),
          update: async (...a) => {
            await die();
            return tx.update(...a);
          },
          updateRow: async (...a) => {
            await die();
            return tx.updateRow(...a);
          },
          delete: async (...a) => {
            await die();
            return tx.delete(...a);
          },
          deleteWhere: async (...a) => {
            await die();
            return tx.deleteWhere(...a);
          },
          commit: tx.commit.bind(tx),
          rollback: tx.rollback.bind(tx),
        };
      },
    });
    const s = h.rt.services;
    const repo = createDataMapRepo();
    const store = createDataMapStore({
      db: h.rt.db,
      repo,
      vault: s.vault,
      audit: s.audit,
      clock: h.rt.clock,
      connect: (cfg) => crashing(createConnector(cfg)),
    });
    const runner = createDataMapRunner({
      db: h.rt.db,
      store,
      repo,
      requestsRepo: createRequestsRepo(),
      sealing: createSealing(s.vault),
      exports: s.dataMap.exports,
      erasure: s.dataMap.erasure,
      vault: s.vault,
      audit: s.audit,
      webhooks: s.webhooks,
      clock: h.rt.clock,
      logger: h.rt.logger,
    }).runner;
    const request = {
      id: 'req_01JDQ2M3ZV9G7X6S5R4Q3P2N1M',
      types: ['erasure' as const],
      subjectId: null,
      identities: [{ type: 'email' as const, value: email }],
    };
    const first = await runner
      .run(tenantId, request, 'shop')
      .catch((e: Error) => ({ status: 'crashed', note: e.message }));
    // The kill surfaces as a thrown error (the job fails and is retried) or a failed outcome; never as done.
    expect(['failed', 'crashed']).toContain(first.status);
    const untouched = (await chinook.rows('customer')).find((r) => r.email === email);
    expect(untouched).toBeDefined();
    const resumed = await runner.run(tenantId, request, 'shop');
    expect(resumed.status, resumed.note).toBe('done');
    const end = {
      customer: await chinook.checksums('customer'),
      invoice: await chinook.checksums('invoice'),
      line: await chinook.checksums('invoice_line'),
    };
    const again = await runner.run(tenantId, request, 'shop');
    expect(again).toMatchObject({ status: 'done', recordsAffected: 0 });
    expect({
      customer: await chinook.checksums('customer'),
      invoice: await chinook.checksums('invoice'),
      line: await chinook.checksums('invoice_line'),
    }).toEqual(end);
  });

  it('Art. 5(1)(e): POST /v1/datamap/retention:run purges what is past retention (dry run first), audited in counts only', async () => {
    const bad = await h.request('POST', '/v1/datamap/retention:run', { key: admin, body: { dryRun: 'yes' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ code: 'VALIDATION_FAILED', field: 'dryRun' });
    const before = await chinook.rows('invoice');
    // The fixture keeps invoices 10 years; the server's clock says now, so nothing of Chinook (2021–2025) is due.
    const dry = await h.request('POST', '/v1/datamap/retention:run', { key: admin, body: { dryRun: true } });
    expect(dry.status, dry.text).toBe(200);
    expect(dry.body).toMatchObject({ dryRun: true, complete: true, version: 2 });
    const invoice = (dry.body.systems[0].collections as Json[]).find((c) => c.collection === 'invoice');
    expect(invoice).toMatchObject({ expired: 0, deleted: 0 });
    const run = await h.request('POST', '/v1/datamap/retention:run', { key: admin, body: {} });
    expect(run.status, run.text).toBe(200);
    expect(run.body.dryRun).toBe(false);
    expect(await chinook.rows('invoice')).toHaveLength(before.length);
    const audit = await h.request('GET', '/v1/audit?action=datamap.retention.purge', { key: admin });
    expect(audit.status, audit.text).toBe(200);
    const entry = (audit.body.items as Json[]).find((e) => e.action === 'datamap.retention.purge');
    expect(entry?.details).toMatchObject({ version: 2, complete: true, deleted: 0, anonymised: 0 });
  });
});

/** Every row of every table of Lawful's own database as text (tables in public and the job queue's schema). */
const fullTextOf = async (h: Harness) => {
  const tables = await h.rt.db.raw.query<{ s: string; t: string }>(
    "select table_schema as s, table_name as t from information_schema.tables where table_type = 'BASE TABLE' and table_schema not in ('pg_catalog', 'information_schema')",
  );
  let out = '';
  for (const { s, t } of tables.rows) {
    const r = await h.rt.db.raw.query<{ j: string }>(
      `select coalesce(string_agg(x::text, E'\\n'), '') as j from "${s}"."${t}" x`,
    );
    out += r.rows[0]?.j ?? '';
  }
  return out;
};
