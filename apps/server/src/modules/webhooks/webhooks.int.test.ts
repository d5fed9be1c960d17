import type { WebhookEvent } from '@lawful/contract';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../../../test/harness.ts';
import { registerWorkers } from '../../main.ts';
import { type Receiver, startReceiver } from './webhooks.test-receiver.ts';

const waitFor = async (what: string, cond: () => boolean | Promise<boolean>, ms = 15_000) => {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const SUB = 'sub_01JDQ2M3ZV9G7X6S5R4Q3P2N1M';
const withdrawn = (): WebhookEvent => ({
  type: 'consent.withdrawn',
  data: {
    subjectId: SUB,
    purposeId: 'pur_01JDQ2M3ZV9G7X6S5R4Q3P2N1M',
    purposeKey: 'newsletter',
    consentId: 'cns_01JDQ2M3ZV9G7X6S5R4Q3P2N1M',
    at: '2026-11-29T10:00:00.000Z',
  },
});

describe('webhooks (Art. 7(3), 17(2), 19: recipients learn of withdrawals, erasures, rectifications)', () => {
  let h: Harness;
  let rx: Receiver;
  let admin: string;
  let tenantId: string;
  const secrets: string[] = [];

  const createHook = async (path: string, extra: Record<string, unknown> = {}) => {
    const r = await h.request('POST', '/v1/webhooks', { key: admin, body: { url: rx.url(path), ...extra } });
    expect(r.status, r.text).toBe(201);
    secrets.push(r.body.secret);
    return r.body as { id: string; secret: string };
  };
  const emit = (event: WebhookEvent = withdrawn()) =>
    h.rt.db.tenant(tenantId, (tx) => h.rt.services.webhooks.emit(tx, tenantId, event));
  const deliveriesOf = async (webhookId: string) => {
    const r = await h.request('GET', `/v1/webhooks/${webhookId}/deliveries`, { key: admin });
    expect(r.status).toBe(200);
    return r.body.items as Array<{
      id: string;
      status: string;
      attempts: number;
      attemptLog: Array<{
        attempt: number;
        trigger: string;
        outcome: string;
        statusCode: number | null;
        errorClass: string | null;
      }>;
    }>;
  };
  const verify = (secret: string, r: { headers: Record<string, unknown>; body: string }) =>
    new Webhook(secret).verify(r.body, r.headers as Record<string, string>);

  beforeAll(async () => {
    rx = await startReceiver();
    h = await createHarness({
      env: {
        LAWFUL_ALLOW_INSECURE_WEBHOOKS: '127.0.0.1',
        LAWFUL_WEBHOOK_RETRY_DELAYS: '0.1,0.1',
        LAWFUL_WEBHOOK_TIMEOUT_MS: '700',
      },
    });
    await registerWorkers(h.rt);
    const t = await h.newTenant();
    admin = t.admin;
    tenantId = t.tenant.id;
  });
  afterAll(async () => {
    await h?.close();
    await rx?.close();
  });

  it('creates an endpoint with a whsec_ secret shown once and stored only sealed', async () => {
    const hook = await createHook('/crud', { description: 'CRM', eventTypes: ['subject.erased'] });
    expect(hook.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const row = await h.rt.db.raw.query<{ s: Buffer | Uint8Array }>(
      'select secret_sealed as s from webhooks where id = $1',
      [hook.id],
    );
    const stored = Buffer.from(row.rows[0]!.s);
    expect(stored.includes(Buffer.from(hook.secret))).toBe(false);
    expect(stored.includes(Buffer.from(hook.secret.slice(6), 'base64'))).toBe(false);
    for (const path of ['/v1/webhooks', `/v1/webhooks/${hook.id}`]) {
      const r = await h.request('GET', path, { key: admin });
      expect(r.status).toBe(200);
      expect(r.text).not.toContain(hook.secret.slice(6, 20));
      expect(r.text).not.toContain('secret"');
    }
    const patched = await h.request('PATCH', `/v1/webhooks/${hook.id}`, {
      key: admin,
      body: { description: 'CRM sync', eventTypes: ['subject.erased', 'subject.rectified'] },
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({
      description: 'CRM sync',
      eventTypes: ['subject.erased', 'subject.rectified'],
    });
    const bad = await h.request('PATCH', `/v1/webhooks/${hook.id}`, {
      key: admin,
      body: { eventTypes: ['consent.maybe'] },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.field).toBe('eventTypes.0');
    const extra = await h.request('POST', '/v1/webhooks', { key: admin, body: { url: rx.url('/x'), tenantId } });
    expect(extra.status).toBe(400);
    expect(extra.body.error.field).toBe('tenantId');
  });

  it('an emit in a transaction that rolls back delivers nothing', async () => {
    const hook = await createHook('/rollback');
    await expect(
      h.rt.db.tenant(tenantId, async (tx) => {
        expect(await h.rt.services.webhooks.emit(tx, tenantId, withdrawn())).toHaveLength(1);
        throw new Error('the caller’s change failed');
      }),
    ).rejects.toThrow('the caller’s change failed');
    await sleep(1500); // longer than a worker poll
    expect(rx.at('/rollback')).toHaveLength(0);
    expect(await deliveriesOf(hook.id)).toHaveLength(0);
  });

  it('a committed emit is delivered once, signed per Standard Webhooks, ids only; the type filter applies', async () => {
    const hook = await createHook('/once');
    const ids = await emit();
    const mine = (await deliveriesOf(hook.id)).map((d) => d.id);
    expect(mine).toHaveLength(1);
    expect(ids).toContain(mine[0]);
    await waitFor('delivery', () => rx.at('/once').length === 1);
    await sleep(1200); // a second delivery would show up by now
    const [got] = rx.at('/once');
    expect(rx.at('/once')).toHaveLength(1);
    expect(got!.headers['webhook-id']).toBe(mine[0]);
    expect(verify(hook.secret, got!)).toMatchObject({ type: 'consent.withdrawn', data: { subjectId: SUB } });
    expect(() => verify(secrets[0]!, got!)).toThrow(); // another endpoint's secret does not verify
    expect(JSON.parse(got!.body)).toEqual({
      type: 'consent.withdrawn',
      timestamp: expect.any(String),
      data: withdrawn().data,
    });
    expect(rx.at('/crud')).toHaveLength(0); // subscribed to erasure and rectification only
    await waitFor('success recorded', async () => (await deliveriesOf(hook.id))[0]!.status === 'succeeded');
    const [d] = await deliveriesOf(hook.id);
    expect(d!.attemptLog).toEqual([
      expect.objectContaining({ attempt: 1, trigger: 'auto', outcome: 'success', statusCode: 200 }),
    ]);
  });

  it('500, 500, then 200: three attempts recorded with the same webhook-id, final success', async () => {
    rx.script('/flaky', [500, 500]);
    const hook = await createHook('/flaky', { eventTypes: ['subject.erased'] });
    await emit({ type: 'subject.erased', data: { subjectId: SUB, requestId: null, at: '2026-11-29T10:00:00.000Z' } });
    await waitFor('three attempts', async () => (await deliveriesOf(hook.id))[0]?.status === 'succeeded');
    const [d] = await deliveriesOf(hook.id);
    expect(d!.attempts).toBe(3);
    expect(d!.attemptLog.map((a) => [a.attempt, a.outcome, a.statusCode, a.errorClass])).toEqual([
      [1, 'failure', 500, 'http_status'],
      [2, 'failure', 500, 'http_status'],
      [3, 'success', 200, null],
    ]);
    const hits = rx.at('/flaky');
    expect(hits).toHaveLength(3);
    expect(new Set(hits.map((r) => r.headers['webhook-id']))).toEqual(new Set([d!.id]));
    for (const r of hits) expect(verify(hook.secret, r)).toMatchObject({ type: 'subject.erased' });
    // The receiver's error body (which could carry personal data) is not kept anywhere.
    const logged = await h.rt.db.raw.query('select * from webhook_attempts where delivery_id = $1', [d!.id]);
    expect(JSON.stringify(logged.rows)).not.toContain('a@b.example');
  });

  it('times out a receiver that hangs, does not follow redirects, and gives up after the schedule', async () => {
    rx.script('/slow', ['hang', 302, 503]);
    const hook = await createHook('/slow');
    await emit();
    await waitFor('failed for good', async () => (await deliveriesOf(hook.id))[0]?.status === 'failed');
    const [d] = await deliveriesOf(hook.id);
    expect(d!.attemptLog.map((a) => [a.outcome, a.statusCode, a.errorClass])).toEqual([
      ['failure', null, 'timeout'],
      ['failure', 302, 'redirect'],
      ['failure', 503, 'http_status'],
    ]);
    expect(rx.at('/redirected')).toHaveLength(0);
  });

  it('a re-run of a finished or concurrent delivery job never records an attempt twice', async () => {
    const hook = await createHook('/dup');
    await emit();
    const mine = (await deliveriesOf(hook.id))[0]!.id;
    const job = { tenantId, deliveryId: mine, attempt: 1, trigger: 'auto' as const };
    // Two extra runs of the same job race the worker's own run.
    await Promise.all([h.rt.services.webhooks.deliver(job), h.rt.services.webhooks.deliver(job)]);
    await waitFor('success', async () => (await deliveriesOf(hook.id))[0]?.status === 'succeeded');
    await h.rt.services.webhooks.deliver(job); // a crashed worker's job, re-run after success
    await sleep(1200);
    const [d] = await deliveriesOf(hook.id);
    expect(d!.attemptLog).toHaveLength(1);
    expect(d!.attempts).toBe(1);
    const hits = rx.at('/dup');
    expect(hits.length).toBeGreaterThanOrEqual(1);
    expect(hits.length).toBeLessThanOrEqual(3); // the receiver dedupes these by webhook-id
    expect(new Set(hits.map((r) => r.headers['webhook-id']))).toEqual(new Set([mine]));
  });

  it('replays a delivery with the same body and webhook-id, refuses while pending', async () => {
    const hook = await createHook('/replay');
    await emit();
    await waitFor('first delivery', async () => (await deliveriesOf(hook.id))[0]?.status === 'succeeded');
    const [d] = await deliveriesOf(hook.id);
    const r = await h.request('POST', `/v1/webhooks/deliveries/${d!.id}/replay`, { key: admin });
    expect(r.status, r.text).toBe(202);
    expect(r.body.status).toBe('pending');
    const again = await h.request('POST', `/v1/webhooks/deliveries/${d!.id}/replay`, { key: admin });
    expect(again.status).toBe(409);
    await waitFor('replay', () => rx.at('/replay').length === 2);
    const [first, second] = rx.at('/replay');
    expect(second!.headers['webhook-id']).toBe(first!.headers['webhook-id']);
    expect(second!.body).toBe(first!.body);
    expect(verify(hook.secret, second!)).toBeTruthy();
    await waitFor('replay recorded', async () => (await deliveriesOf(hook.id))[0]?.status === 'succeeded');
    expect((await deliveriesOf(hook.id))[0]!.attemptLog.map((a) => a.trigger)).toEqual(['auto', 'replay']);
  });

  it('rotating the secret makes the old one fail verification at once', async () => {
    const hook = await createHook('/rotate');
    const r = await h.request('POST', `/v1/webhooks/${hook.id}/rotate-secret`, { key: admin });
    expect(r.status).toBe(200);
    secrets.push(r.body.secret);
    expect(r.body.secret).not.toBe(hook.secret);
    expect(r.body.secretRotatedAt).not.toBeNull();
    await emit();
    await waitFor('delivery', () => rx.at('/rotate').length === 1);
    const [got] = rx.at('/rotate');
    expect(() => verify(hook.secret, got!)).toThrow();
    expect(verify(r.body.secret, got!)).toMatchObject({ type: 'consent.withdrawn' });
  });

  it('deleting an endpoint keeps its log, wipes its secret and hides it', async () => {
    const hook = await createHook('/gone');
    expect((await h.request('DELETE', `/v1/webhooks/${hook.id}`, { key: admin })).status).toBe(204);
    expect((await h.request('GET', `/v1/webhooks/${hook.id}`, { key: admin })).status).toBe(404);
    expect(
      (await h.request('GET', '/v1/webhooks', { key: admin })).body.items.map((w: { id: string }) => w.id),
    ).not.toContain(hook.id);
    const row = await h.rt.db.raw.query<{ s: unknown }>('select secret_sealed as s from webhooks where id = $1', [
      hook.id,
    ]);
    expect(row.rows[0]!.s).toBeNull();
    await emit();
    const after = await h.rt.db.raw.query<{ n: string }>(
      'select count(*)::text as n from webhook_deliveries where webhook_id = $1',
      [hook.id],
    );
    expect(after.rows[0]!.n).toBe('0');
  });

  it('check 54: another tenant’s webhook and delivery ids answer 404', async () => {
    const hook = await createHook('/private');
    await emit();
    const [d] = await deliveriesOf(hook.id);
    const other = await h.newTenant('Other');
    for (const [method, path] of [
      ['GET', `/v1/webhooks/${hook.id}`],
      ['PATCH', `/v1/webhooks/${hook.id}`],
      ['DELETE', `/v1/webhooks/${hook.id}`],
      ['POST', `/v1/webhooks/${hook.id}/rotate-secret`],
      ['GET', `/v1/webhooks/${hook.id}/deliveries`],
      ['POST', `/v1/webhooks/deliveries/${d!.id}/replay`],
    ] as const) {
      const r = await h.request(method, path, {
        key: other.admin,
        ...(method === 'PATCH' ? { body: { enabled: false } } : {}),
      });
      expect(r.status, `${method} ${path}`).toBe(404);
    }
    expect((await h.request('GET', '/v1/webhooks', { key: other.admin })).body.items).toEqual([]);
    expect((await h.request('GET', `/v1/webhooks/${hook.id}`, { key: admin })).body.enabled).toBe(true);
  });

  it('check 60: no signing secret appears in the logs', () => {
    expect(secrets.length).toBeGreaterThan(5);
    const logs = h.logs.join('\n');
    for (const s of secrets) {
      expect(logs).not.toContain(s);
      expect(logs).not.toContain(s.slice(6, 26));
    }
  });
});

describe('webhook URLs without the development option (SSRF guard)', () => {
  let h: Harness;
  let admin: string;
  beforeAll(async () => {
    h = await createHarness();
    admin = (await h.newTenant()).admin;
  });
  afterAll(() => h?.close());

  it('refuses loopback, private, link-local, mapped and plain-http URLs with 400 naming url', async () => {
    for (const url of [
      'http://127.0.0.1:8080/hook',
      'https://127.0.0.1/hook',
      'https://localhost/hook',
      'https://10.1.2.3/hook',
      'https://172.16.0.1/hook',
      'https://192.168.1.10/hook',
      'https://169.254.169.254/latest/meta-data',
      'https://100.64.0.1/hook',
      'https://[::1]/hook',
      'https://[fe80::1]/hook',
      'https://[fd00::1]/hook',
      'https://[::ffff:127.0.0.1]/hook',
      'https://0x7f.1/hook',
      'https://0.0.0.0/hook',
      'http://93.184.215.14/hook',
      'https://user:pass@93.184.215.14/hook',
    ]) {
      const r = await h.request('POST', '/v1/webhooks', { key: admin, body: { url } });
      expect(r.status, url).toBe(400);
      expect(r.body.error.field, url).toBe('url');
    }
    const ok = await h.request('POST', '/v1/webhooks', { key: admin, body: { url: 'https://93.184.215.14/hook' } });
    expect(ok.status).toBe(201);
    const moved = await h.request('PATCH', `/v1/webhooks/${ok.body.id}`, {
      key: admin,
      body: { url: 'https://192.168.0.1/hook' },
    });
    expect(moved.status).toBe(400);
    expect(moved.body.error.field).toBe('url');
    const count = await h.rt.db.raw.query<{ n: string }>('select count(*)::text as n from webhooks');
    expect(count.rows[0]!.n).toBe('1');
  });
});
