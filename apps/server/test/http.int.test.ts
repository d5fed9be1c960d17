import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guardedRoutes } from '../src/http/route.ts';
import { createHarness, type Harness } from './harness.ts';

describe('HTTP basics', () => {
  let h: Harness;
  let admin: string;
  beforeAll(async () => {
    h = await createHarness();
    admin = (await h.newTenant()).admin;
  });
  afterAll(() => h.close());

  it('serves liveness, readiness, the OpenAPI document and the API reference', async () => {
    expect((await h.request('GET', '/healthz')).status).toBe(200);
    const ready = await h.request('GET', '/readyz');
    expect(ready.body).toEqual({ status: 'ok', checks: { database: 'ok' } });
    const doc = await h.request('GET', '/openapi.json');
    expect(doc.body.openapi).toBe('3.1.0');
    for (const r of guardedRoutes) {
      const p = r.path.replace(/\/:(\w+)/g, '/{$1}');
      expect(doc.body.paths[p]?.[r.method], `${r.method} ${p} documented`).toBeDefined();
    }
    const docs = await h.request('GET', '/docs');
    expect(docs.status).toBe(200);
    expect(docs.text).toContain('/docs/scalar.js');
    expect(docs.text).not.toMatch(/cdn\.jsdelivr|unpkg/);
  });

  it('sets security headers', async () => {
    const r = await h.request('GET', '/healthz');
    expect(r.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(r.headers.get('x-content-type-options')).toBe('nosniff');
    expect(r.headers.get('x-request-id')).toMatch(/^rid_/);
  });

  it('check 59: a body that is not JSON, or not declared JSON, is a 400 naming the body', async () => {
    const notJson = await h.request('POST', '/v1/keys', {
      key: admin,
      raw: '{"name":',
      headers: { 'content-type': 'application/json' },
    });
    expect(notJson.status).toBe(400);
    expect(notJson.body.error.code).toBe('VALIDATION_FAILED');
    const form = await h.request('POST', '/v1/keys', {
      key: admin,
      raw: 'name=x&role=admin',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(form.status).toBe(400);
  });

  it('check 59: sizes are capped (413) and nothing is written', async () => {
    const before = await h.rt.services.keys.list((await h.request('GET', '/v1/tenant', { key: admin })).body.id);
    const r = await h.request('POST', '/v1/keys', { key: admin, body: { name: 'x'.repeat(2_000_000), role: 'agent' } });
    expect(r.status).toBe(413);
    expect(r.body.error.code).toBe('PAYLOAD_TOO_LARGE');
    const after = await h.rt.services.keys.list((await h.request('GET', '/v1/tenant', { key: admin })).body.id);
    expect(after.length).toBe(before.length);
  });

  it('unknown routes are 404 in the error shape', async () => {
    const r = await h.request('GET', '/v1/nothing-here', { key: admin });
    expect(r.status).toBe(404);
    expect(r.body.error.code).toBe('NOT_FOUND');
  });

  it('check 59 (property): any JSON body to POST /v1/keys is a 201 or a 4xx naming a field — never a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.jsonValue(),
          fc.record({ name: fc.string(), role: fc.constantFrom('admin', 'agent', 'x', '') }, { requiredKeys: [] }),
          fc.dictionary(fc.string(), fc.jsonValue()),
        ),
        async (body) => {
          const r = await h.request('POST', '/v1/keys', { key: admin, body });
          expect(r.status === 201 || (r.status >= 400 && r.status < 500)).toBe(true);
          if (r.status !== 201) {
            expect(r.body.error.code).toBe('VALIDATION_FAILED');
            expect(typeof r.body.error.field).toBe('string');
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});
