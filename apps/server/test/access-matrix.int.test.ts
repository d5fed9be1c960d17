import { randomUUID } from 'node:crypto';
import { Role, UserRole } from '@lawful/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guardedRoutes } from '../src/http/route.ts';
import { ensureBannerBuilt, siteBody } from '../src/modules/banner/banner.fixtures.ts';
import { sampleBreach } from '../src/modules/breaches/breaches.fixtures.ts';
import { exportFixture } from '../src/modules/datamap/datamap.fixtures.ts';
import { samplePurpose } from '../src/modules/purposes/purposes.fixtures.ts';
import { consentReady } from './consent-fixtures.ts';
import { createHarness, type Harness } from './harness.ts';

/**
 * Every guarded route × (no key, revoked key, each role, another tenant's ids), generated from the route list:
 * a route added tomorrow is covered the day it is added. A new path parameter needs a factory below, or this fails.
 */
type Tenant = { id: string; admin: string };
const testWebhook = { url: 'https://93.184.215.14/hook', description: '', eventTypes: [], enabled: true };
const consentReadyOnce = new Map<string, Promise<unknown>>();
const webhooksOf = new Map<string, string[]>();
const freshWebhook = async (h: Harness, t: Tenant) => {
  const ids = webhooksOf.get(t.id) ?? [];
  if (ids.length >= 40) await h.rt.services.webhooks.remove(t.id, ids.shift()!, 'test').catch(() => {});
  const id = (await h.rt.services.webhooks.create(t.id, { ...testWebhook }, 'test')).id;
  webhooksOf.set(t.id, [...ids, id]);
  return id;
};
const factories: Record<string, (h: Harness, t: Tenant, ids?: Map<string, string>) => Promise<string>> = {
  siteId: async (h, t) => {
    ensureBannerBuilt();
    if (!consentReadyOnce.has(t.id)) consentReadyOnce.set(t.id, consentReady(h, t.admin));
    await consentReadyOnce.get(t.id);
    const r = await h.request('POST', '/v1/sites', { key: t.admin, body: siteBody(['https://a.test']) });
    return r.body.id as string;
  },
  keyId: async (h, t) => (await h.newKey(t.id, 'read_only')).id,
  // A data map connection: a fresh name per call, so a write never changes another case's fixture.
  name: async (h, t) => {
    const name = `c-${randomUUID().slice(0, 8)}`;
    await h.rt.services.dataMap.store.setConnection(
      t.id,
      name,
      { engine: 'postgres', url: 'postgres://u@db.invalid/x' },
      'test',
    );
    return name;
  },
  exportId: async (h, t) => exportFixture(h, t.id),
  userId: async (h, t) =>
    (
      await h.rt.services.users.create(
        t.id,
        { email: `${randomUUID()}@example.org`, password: 'a long enough passphrase', role: 'agent', totp: false },
        'test',
      )
    ).id,
  // Keys are names, not ids: each cell gets a notice whose key no other tenant has.
  noticeKey: async (h, t) => {
    if (!consentReadyOnce.has(t.id)) consentReadyOnce.set(t.id, consentReady(h, t.admin));
    await consentReadyOnce.get(t.id);
    const draft = { texts: { en: { title: 't', markdown: 'm' } }, purposes: ['marketing-email'] };
    const key = `n-${randomUUID().slice(0, 8)}`;
    await h.rt.services.notices.create(t.id, { key, name: key, draft }, 'test');
    return key;
  },
  // A fresh draft each time: publishing or editing it in one cell must not change the next cell's fixture.
  noticeVersionId: async (h, t) => {
    if (!consentReadyOnce.has(t.id)) consentReadyOnce.set(t.id, consentReady(h, t.admin));
    await consentReadyOnce.get(t.id);
    const draft = { texts: { en: { title: 't', markdown: 'm' } }, purposes: ['marketing-email'] };
    return (await h.rt.services.notices.addVersion(t.id, 'signup', draft, 'test')).id;
  },
  purposeKey: async (h, t) =>
    (await h.rt.services.purposes.create(t.id, samplePurpose(`p-${randomUUID().slice(0, 8)}`), 'test')).key,
  subjectId: async (h, t) =>
    (await h.rt.services.subjects.create(t.id, [{ kind: 'user_id', value: randomUUID() }], 'test')).subject.id,
  objectionId: async (h, t) => {
    const p = await h.rt.services.purposes.create(t.id, samplePurpose(`p-${randomUUID().slice(0, 8)}`), 'test');
    const subject = { identity: { kind: 'user_id' as const, value: randomUUID() } };
    return (await h.rt.services.objections.object(t.id, { subject, purpose: p.key, channel: 'api' }, 'test')).id;
  },
  restrictionId: async (h, t) => {
    const subject = { identity: { kind: 'user_id' as const, value: randomUUID() } };
    await h.rt.services.subjects.create(t.id, [subject.identity], 'test');
    return (await h.rt.services.objections.restrict(t.id, { subject, ground: 'accuracy_contested' }, 'test')).id;
  },
  // Verified by the caller, so it is in progress and takes manual tasks (no worker runs in this file).
  requestId: async (h, t) =>
    (
      await h.rt.services.requestsModule.requests.create(
        t.id,
        {
          types: ['objection'],
          identities: [{ type: 'customer_id', value: randomUUID() }],
          channel: 'api',
          identityVerified: true,
          locale: 'en',
        },
        'test',
      )
    ).request.id,
  taskId: async (h, t, ids) => {
    const requestId = ids?.get('requestId');
    if (!requestId) throw new Error(':taskId needs :requestId filled first');
    const task = await h.rt.services.requestsModule.tasks.addManualTask(
      t.id,
      requestId,
      { name: 'paper files', checklist: ['shred'] },
      'test',
    );
    return task.id;
  },
  breachId: async (h, t) =>
    (
      await h.rt.services.breachesModule.breaches.create(
        t.id,
        sampleBreach({ awareAt: new Date().toISOString() }),
        'test',
      )
    ).id,
  // A public address literal: accepted without DNS, never contacted (no delivery worker runs in this file).
  // A tenant may hold 50 endpoints and the matrix asks for hundreds of cells: a fresh endpoint per cell, the oldest
  // removed (deleting one in a cell is itself a route under test; its 404 afterwards is an admitted answer).
  webhookId: async (h, t) => freshWebhook(h, t),
  deliveryId: async (h, t) => {
    await freshWebhook(h, t);
    await h.rt.services.webhooks.prepare();
    const ids = await h.rt.db.tenant(t.id, (tx) =>
      h.rt.services.webhooks.emit(tx, t.id, {
        type: 'subject.erased',
        data: { subjectId: 'sub_01JDQ2M3ZV9G7X6S5R4Q3P2N1M', requestId: null, at: '2026-11-29T10:00:00.000Z' },
      }),
    );
    return ids[0]!;
  },
};

// Hundreds of cells over every route: generous time on a loaded machine.
describe('access matrix over every route (checks 54, 56, 57)', { timeout: 600_000 }, () => {
  let h: Harness;
  let a: Tenant;
  let b: Tenant;
  let revoked: string;
  const keysByRole = new Map<string, string>();
  const idsOfB = new Map<string, string>();

  beforeAll(async () => {
    h = await createHarness();
    const ta = await h.newTenant('A');
    const tb = await h.newTenant('B');
    a = { id: ta.tenant.id, admin: ta.admin };
    b = { id: tb.tenant.id, admin: tb.admin };
    for (const role of Role.options) keysByRole.set(role, (await h.newKey(a.id, role)).secret);
    const r = await h.newKey(a.id, 'admin');
    await h.rt.services.keys.revoke(a.id, r.id, 'test');
    revoked = r.secret;
    // Make sure every route is registered before listing them.
    expect(guardedRoutes.length).toBeGreaterThan(5);
  });
  afterAll(() => h.close());

  const params = (path: string) => [...path.matchAll(/\/:(\w+)/g)].map((m) => m[1]!);

  const fill = async (path: string, t: Tenant, cache?: Map<string, string>) => {
    let out = path;
    const filled = new Map<string, string>();
    for (const p of params(path)) {
      const make = factories[p];
      if (!make)
        throw new Error(`no factory for path parameter :${p} (route ${path}); add one to access-matrix.int.test.ts`);
      const id = cache?.get(p) ?? (await make(h, t, filled));
      cache?.set(p, id);
      filled.set(p, id);
      out = out.replace(`:${p}`, id);
    }
    return out;
  };

  const call = async (method: string, path: string, key?: string) =>
    h.request(method.toUpperCase(), path, { key, ...(['post', 'put', 'patch'].includes(method) ? { body: {} } : {}) });

  it('covers every registered route', () => {
    for (const r of guardedRoutes)
      for (const p of params(r.path)) expect(factories[p], `${r.method} ${r.path}`).toBeDefined();
  });

  it('no key and a revoked key → 401 on every route', async () => {
    for (const r of guardedRoutes) {
      const path = await fill(r.path, a);
      expect((await call(r.method, path)).status, `${r.method} ${r.path} without key`).toBe(401);
      expect((await call(r.method, path, revoked)).status, `${r.method} ${r.path} revoked`).toBe(401);
    }
  });

  it('each role gets 403 exactly where the route does not admit it', async () => {
    for (const r of guardedRoutes) {
      for (const role of Role.options) {
        // A destructive call with an admitted role would change the fixture: fresh ids per call.
        const path = await fill(r.path, a);
        const res = await call(r.method, path, keysByRole.get(role));
        if (r.roles.includes(role)) expect([401, 403], `${r.method} ${r.path} as ${role}`).not.toContain(res.status);
        else expect(res.status, `${r.method} ${r.path} as ${role}`).toBe(403);
      }
    }
  });

  it('check 56: console sessions have their role’s rights, as keys do', { timeout: 300_000 }, async () => {
    const slugA = (await h.rt.services.tenants.resolve(a.id)).slug;
    const sessions = new Map<string, Record<string, string>>();
    for (const role of UserRole.options) {
      const email = `${role}.${randomUUID()}@example.org`;
      const password = 'a long enough passphrase';
      await h.rt.services.users.create(a.id, { email, password, role, totp: false }, 'test');
      const s = await h.rt.services.users.signIn({ tenant: slugA, email, password });
      sessions.set(role, { cookie: `__Host-lawful_session=${s.token}`, 'x-csrf-token': s.session.csrfToken });
    }
    for (const r of guardedRoutes) {
      for (const role of UserRole.options) {
        const path = await fill(r.path, a);
        const body = ['post', 'put', 'patch'].includes(r.method) ? { body: {} } : {};
        const res = await h.request(r.method.toUpperCase(), path, { headers: sessions.get(role), ...body });
        // Routes for integrations' keys only (identifiers without a stated reason) refuse every session.
        if (r.roles.includes(role) && !r.keysOnly)
          expect([401, 403], `${r.method} ${r.path} as ${role} session`).not.toContain(res.status);
        else expect(res.status, `${r.method} ${r.path} as ${role} session`).toBe(403);
      }
    }
  });

  it('check 54: tenant A’s admin key on tenant B’s ids → 404, and B’s object is unchanged', async () => {
    for (const r of guardedRoutes) {
      if (params(r.path).length === 0) continue;
      const path = await fill(r.path, b, idsOfB);
      const res = await call(r.method, path, a.admin);
      expect(res.status, `${r.method} ${r.path}`).toBe(404);
      expect(res.body.error.code).toBe('NOT_FOUND');
    }
    // B's key is still active after A tried to revoke it.
    const keysOfB = await h.rt.services.keys.list(b.id);
    expect(keysOfB.find((k) => k.id === idsOfB.get('keyId'))?.revokedAt).toBeNull();
  });
});
