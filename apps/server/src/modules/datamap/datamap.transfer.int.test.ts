import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { unzipSync } from 'fflate';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consentReady } from '../../../test/consent-fixtures.ts';
import { useChinook } from '../../../test/fixtures/chinook.suite.ts';
import { createHarness, type Harness } from '../../../test/harness.ts';
import { transferMessageId } from './datamap.transfer.ts';

const YAML = readFileSync(new URL('../../../test/fixtures/chinook.postgres.datamap.yaml', import.meta.url), 'utf8');

// biome-ignore lint/suspicious/noExplicitAny: response bodies are walked freely; the assertions are the types.
type Json = Record<string, any>;

/**
 * A receiving controller on 127.0.0.1: it answers from a script of status codes (then 200), verifies every signature
 * with the secret staff gave it, and keeps one copy per `webhook-id`, as Standard Webhooks asks receivers to.
 */
const startReceiver = async () => {
  const calls: { headers: IncomingHttpHeaders; body: string; verified: boolean }[] = [];
  const kept = new Map<string, string>();
  const script: number[] = [];
  let secret = '';
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let verified = false;
      try {
        new Webhook(secret).verify(body, req.headers as Record<string, string>);
        verified = true;
      } catch {}
      calls.push({ headers: req.headers, body, verified });
      const status = verified ? (script.shift() ?? 200) : 401;
      if (status === 200) kept.set(String(req.headers['webhook-id']), body);
      res.statusCode = status;
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    calls,
    kept,
    fail: (...codes: number[]) => script.push(...codes),
    setSecret: (s: string) => {
      secret = s;
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
};

describe('check 44: direct transfer of the portable data to another controller (Art. 20(2))', () => {
  const chinook = useChinook('postgres');
  let h: Harness;
  let rx: Awaited<ReturnType<typeof startReceiver>>;
  let tenantId: string;
  let admin: string;
  let slug: string;

  beforeAll(async () => {
    // The development setting admits http://127.0.0.1; retries come at once so the test walks the whole schedule.
    h = await createHarness({
      env: { LAWFUL_ALLOW_INSECURE_WEBHOOKS: '127.0.0.1', LAWFUL_WEBHOOK_RETRY_DELAYS: '0,0' },
    });
    rx = await startReceiver();
    const t = await h.newTenant('Chinook Records');
    tenantId = t.tenant.id;
    slug = t.tenant.slug;
    admin = t.admin;
    await consentReady(h, admin);
    const put = await h.request('PUT', '/v1/datamap', {
      key: admin,
      raw: YAML,
      headers: { 'content-type': 'application/yaml' },
    });
    expect(put.status, put.text).toBe(201);
    const conn = await h.request('PUT', '/v1/datamap/connections/chinook', {
      key: admin,
      body: { engine: 'postgres', url: chinook.db.url },
    });
    expect(conn.status, conn.text).toBe(200);
    // Staff give the receiver its verification secret (out of band); a read-only key may not see it.
    const key = await h.request('GET', `/v1/exports/transfer-key?origin=${encodeURIComponent(rx.origin)}`, {
      key: admin,
    });
    expect(key.status, key.text).toBe(200);
    expect(key.body).toMatchObject({ origin: rx.origin, scheme: 'standard-webhooks-v1' });
    expect(key.body.secret).toMatch(/^whsec_/);
    rx.setSecret(key.body.secret);
    const reader = (await h.newKey(tenantId, 'read_only')).secret;
    expect((await h.request('GET', `/v1/exports/transfer-key?origin=${rx.origin}`, { key: reader })).status).toBe(403);
  });
  afterAll(async () => {
    await rx?.close();
    await h?.close();
  });

  const requestCount = async () =>
    Number((await h.rt.db.raw.query<{ n: string }>('select count(*) as n from requests')).rows[0]!.n);

  /** A verified portability request with a destination, run through its tasks as the worker would. */
  const portability = async (email: string, path: string) => {
    const created = await h.request('POST', '/v1/requests', {
      key: admin,
      body: {
        types: ['portability'],
        identities: [{ type: 'email', value: email }],
        identityVerified: true,
        transfer: { url: `${rx.origin}${path}` },
      },
    });
    expect(created.status, created.text).toBe(201);
    expect(created.text).not.toContain(path);
    const id = created.body.id as string;
    const m = h.rt.services.requestsModule;
    await m.tasks.fanout({ tenantId, requestId: id });
    const tasks = (await h.request('GET', `/v1/requests/${id}`, { key: admin })).body.tasks as Json[];
    const system = tasks.filter((t) => t.kind === 'system');
    for (const t of [
      ...system.filter((x) => x.targetId !== 'lawful'),
      ...system.filter((x) => x.targetId === 'lawful'),
    ])
      await m.tasks.runTask({ tenantId, requestId: id, taskId: t.id });
    return id;
  };

  const queued = async (requestId: string) =>
    (
      await h.rt.db.raw.query<{ data: { attempt: number } }>(
        "select data from pgboss.job where name = 'request.transfer' and data->>'requestId' = $1 order by created_on",
        [requestId],
      )
    ).rows.map((r) => r.data.attempt);

  const timeline = async (id: string) =>
    ((await h.request('GET', `/v1/requests/${id}`, { key: admin })).body.timeline as Json[]).filter((e) =>
      String(e.kind).startsWith('transfer'),
    );

  /** The package's own data.json, downloaded the way the person does. */
  const packageJson = async (id: string) => {
    const pkg = (await h.request('GET', `/v1/exports?requestId=${id}`, { key: admin })).body.data[0] as Json;
    expect(pkg).toMatchObject({ kind: 'portability', state: 'ready' });
    const link = await h.request('POST', `/v1/exports/${pkg.id}/link`, { key: admin });
    const url = new URL(link.body.url);
    const res = await h.app.request(`${url.pathname}${url.search}`);
    expect(res.status).toBe(200);
    return Buffer.from(unzipSync(new Uint8Array(await res.arrayBuffer()))['data.json']!).toString('utf8');
  };

  it('check 44: the receiver verifies the signature and gets exactly the portable data.json; the person still gets a link', async () => {
    const id = await portability('LeoneKohler@surfeu.de', '/import?account=a1');
    const detail = (await h.request('GET', `/v1/requests/${id}`, { key: admin })).body as Json;
    expect(detail.state).toBe('completed');
    // Art. 20(1) stays: the completion e-mail job carries the person's own download link.
    const mails = await h.rt.db.raw.query(
      "select 1 from pgboss.job where name = 'request.notify' and data->>'requestId' = $1 and data->>'template' = 'completion' and data ? 'downloadSealed'",
      [id],
    );
    expect(mails.rows).toHaveLength(1);
    expect(await queued(id)).toEqual([1]);
    await h.rt.services.dataMap.transfer.deliver({ tenantId, requestId: id, attempt: 1 });
    const calls = rx.calls.filter((c) => c.headers['webhook-id'] === transferMessageId(id));
    expect(calls).toHaveLength(1);
    expect(calls[0]!.verified).toBe(true);
    const sent = JSON.parse(calls[0]!.body) as Json;
    expect(calls[0]!.body).toBe(await packageJson(id));
    expect(sent.format).toBe('lawful-export/1');
    // Portable fields only: invoices (contract basis) with their observed fields; no derived data, no Lawful records.
    const collections = sent.collections as Json[];
    expect(collections.map((c) => c.collection)).toContain('invoice');
    for (const c of collections) expect(c.fields.every((f: Json) => f.portable !== 'derived')).toBe(true);
    expect(sent.lawfulRecords).toBeUndefined();
    expect(JSON.stringify(sent)).not.toContain('LeoneKohler@surfeu.de');
    // Each attempt on the timeline and in the audit log, without the destination.
    expect((await timeline(id)).map((e) => e.kind)).toEqual([
      'transfer_queued',
      'transfer_attempt',
      'transfer_delivered',
    ]);
    await h.rt.services.auditSealer.flush();
    const audit = await h.rt.db.raw.query<{ action: string; details: string }>(
      "select action, details::text as details from audit_entries where tenant_id = $1 and request_id = $2 and action like 'request.transfer%' order by seq",
      [tenantId, id],
    );
    expect(audit.rows.map((r) => r.action)).toEqual([
      'request.transfer_queued',
      'request.transfer_attempt',
      'request.transfer_delivered',
    ]);
    const everything = JSON.stringify({ t: await timeline(id), a: audit.rows, logs: h.logs.join('') });
    expect(everything).not.toContain('account=a1');
    expect(everything).not.toContain(rx.origin);
    // A job run again after success sends nothing.
    await h.rt.services.dataMap.transfer.deliver({ tenantId, requestId: id, attempt: 1 });
    expect(rx.calls.filter((c) => c.headers['webhook-id'] === transferMessageId(id))).toHaveLength(1);
  });

  it('check 44: a receiver failing twice then succeeding keeps one copy (same webhook-id), attempts on pg-boss', async () => {
    const id = await portability('ftremblay@gmail.com', '/flaky');
    rx.fail(503, 500);
    for (const attempt of [1, 2, 3]) {
      expect(await queued(id)).toHaveLength(attempt);
      await h.rt.services.dataMap.transfer.deliver({ tenantId, requestId: id, attempt });
      // A duplicate run of the same attempt (a crash before pg-boss heard back) neither sends nor records again.
      await h.rt.services.dataMap.transfer.deliver({ tenantId, requestId: id, attempt });
    }
    const calls = rx.calls.filter((c) => c.headers['webhook-id'] === transferMessageId(id));
    expect(calls).toHaveLength(3);
    expect(new Set(calls.map((c) => c.body)).size).toBe(1);
    expect(rx.kept.get(transferMessageId(id))).toBe(await packageJson(id));
    const events = await timeline(id);
    expect(events.map((e) => e.kind)).toEqual([
      'transfer_queued',
      'transfer_attempt',
      'transfer_attempt',
      'transfer_attempt',
      'transfer_delivered',
    ]);
    expect(
      events.filter((e) => e.kind === 'transfer_attempt').map((e) => [e.details.attempt, e.details.statusCode]),
    ).toEqual([
      [1, 503],
      [2, 500],
      [3, 200],
    ]);
    expect(await queued(id)).toEqual([1, 2, 3]);
  });

  it('check 44: after the last retry the transfer is failed on the timeline and staff are told; the request stays completed', async () => {
    const hook = await h.request('POST', '/v1/webhooks', {
      key: admin,
      body: { url: `${rx.origin}/staff`, eventTypes: ['request.transfer_failed'] },
    });
    expect(hook.status, hook.text).toBe(201);
    const id = await portability('fharris@google.com', '/down');
    rx.fail(500, 500, 500);
    for (const attempt of [1, 2, 3]) await h.rt.services.dataMap.transfer.deliver({ tenantId, requestId: id, attempt });
    expect(await queued(id)).toEqual([1, 2, 3]);
    const events = await timeline(id);
    expect(events.at(-1)).toMatchObject({ kind: 'transfer_failed', details: { attempts: 3, reason: 'http_status' } });
    const detail = (await h.request('GET', `/v1/requests/${id}`, { key: admin })).body as Json;
    expect(detail.state).toBe('completed');
    const staff = await h.rt.db.raw.query<{ payload: string }>(
      "select payload from webhook_deliveries where tenant_id = $1 and event_type = 'request.transfer_failed'",
      [tenantId],
    );
    expect(staff.rows).toHaveLength(1);
    expect(JSON.parse(staff.rows[0]!.payload).data).toMatchObject({ requestId: id, attempts: 3 });
  });

  it('check 44: bad destinations are a 400 naming transfer.url, and nothing is written', async () => {
    const before = await requestCount();
    for (const url of [
      'http://receiver.example/import',
      'https://10.1.2.3/import',
      'https://169.254.169.254/latest',
      'https://[::1]/import',
      'https://localhost/import',
      'not a url',
    ]) {
      const r = await h.request('POST', '/v1/requests', {
        key: admin,
        body: {
          types: ['portability'],
          identities: [{ type: 'email', value: 'someone@example.com' }],
          transfer: { url },
        },
      });
      expect(r.status, url).toBe(400);
      expect(r.body.error, url).toMatchObject({ code: 'VALIDATION_FAILED', field: 'transfer.url' });
      expect(r.text, url).not.toContain(url);
    }
    expect(await requestCount()).toBe(before);
  });

  it('check 44: a transfer belongs to portability: an access request naming one is refused', async () => {
    const before = await requestCount();
    const r = await h.request('POST', '/v1/requests', {
      key: admin,
      body: {
        types: ['access'],
        identities: [{ type: 'email', value: 'someone@example.com' }],
        transfer: { url: `${rx.origin}/import` },
      },
    });
    expect(r.status).toBe(400);
    expect(r.body.error.field).toBe('transfer');
    expect(await requestCount()).toBe(before);
  });

  it('check 44: the public portal takes the destination with a portability request, and refuses a bad one', async () => {
    const page = await h.request('GET', `/r/${slug}?lang=en`);
    expect(page.text).toContain('name="transfer"');
    const cookie = page.headers.get('set-cookie')?.match(/lawful_csrf=([^;]+)/)?.[1] ?? '';
    const csrf = page.text.match(/name="csrf" value="([^"]+)"/)?.[1] ?? '';
    const post = (fields: Record<string, string>) =>
      h.request('POST', `/r/${slug}`, {
        raw: new URLSearchParams({ csrf, lang: 'en', email: 'portal-person@example.com', ...fields }).toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `lawful_csrf=${cookie}` },
      });
    const before = await requestCount();
    for (const fields of [
      { types: 'portability', transfer: 'https://192.168.1.1/import' },
      { types: 'portability', transfer: 'http://receiver.example/import' },
      { types: 'access', transfer: `${rx.origin}/import` },
    ]) {
      const bad = await post(fields);
      expect(bad.status, fields.transfer).toBe(400);
      expect(bad.text).toContain('public https address');
      expect(bad.text).toContain('role="alert"');
    }
    expect(await requestCount()).toBe(before);
    const ok = await post({ types: 'portability', transfer: `${rx.origin}/portal-import` });
    expect(ok.status, ok.text).toBe(202);
    const [row] = (
      await h.rt.db.raw.query<{ id: string }>(
        "select id from requests where channel = 'portal' order by created_at desc limit 1",
      )
    ).rows;
    const events = (await h.request('GET', `/v1/requests/${row!.id}`, { key: admin })).body.timeline as Json[];
    expect(events.find((e) => e.kind === 'receive')?.details).toMatchObject({ types: ['portability'], transfer: true });
  });
});
