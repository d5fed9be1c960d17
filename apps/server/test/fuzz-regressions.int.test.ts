import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleBreach } from '../src/modules/breaches/breaches.fixtures.ts';
import { controllerRecord, purposeBody } from './consent-fixtures.ts';
import { changed, fingerprinter } from './fuzz-fixtures.ts';
import { createHarness, type Harness } from './harness.ts';

/**
 * What fuzz.int.test.ts found, pinned: each of these was a 500, an error without the field at fault, or a document
 * that contradicted the responses, before the fix named in its test.
 */
describe('fuzzing findings stay fixed (check 59)', () => {
  let h: Harness;
  let admin: string;
  let tenantId: string;
  let fp: Awaited<ReturnType<typeof fingerprinter>>;
  beforeAll(async () => {
    h = await createHarness();
    const t = await h.newTenant();
    admin = t.admin;
    tenantId = t.tenant.id;
    fp = await fingerprinter(h);
  });
  afterAll(() => h.close());

  const rejectedWithoutWrite = async (
    method: string,
    path: string,
    o: { body?: unknown; raw?: string; headers?: Record<string, string> },
    field: string,
  ) => {
    const before = await fp.take();
    const r = await h.request(method, path, { key: admin, ...o });
    expect(r.status, r.text).toBe(400);
    expect(r.body.error.code).toBe('VALIDATION_FAILED');
    expect(r.body.error.field, r.text).toBe(field);
    expect(changed(before, await fp.take())).toEqual([]);
  };

  it('a NUL or a lone surrogate in a JSON string is a 400 naming the field, not a 500 from PostgreSQL', async () => {
    const p = purposeBody('nul-probe');
    await rejectedWithoutWrite(
      'POST',
      '/v1/purposes',
      { body: { ...p, locales: { en: { name: 'a\u0000b', description: 'x' } } } },
      'locales.en.name',
    );
    await rejectedWithoutWrite(
      'POST',
      '/v1/purposes',
      { raw: JSON.stringify({ ...p, subjectCategories: ['\ud800'] }), headers: { 'content-type': 'application/json' } },
      'subjectCategories.0',
    );
    await rejectedWithoutWrite(
      'PUT',
      '/v1/ropa/controller',
      { body: { ...controllerRecord, controller: { ...controllerRecord.controller, address: 'x\udfff' } } },
      'controller.address',
    );
    // Well-formed pairs (astral characters) and other odd text remain accepted.
    const ok = await h.request('POST', '/v1/purposes', {
      key: admin,
      body: { ...p, key: 'astral', locales: { en: { name: '𝕳𝖊𝖑𝖑𝖔 \u202e', description: 'ﷺ' } } },
    });
    expect(ok.status, ok.text).toBe(201);
  });

  it('a malformed id in the path of an ownership-checked route is a 400 naming it, not a 500', async () => {
    const nul = '%00%2500%EF%BB%BF';
    for (const [method, path, body] of [
      ['POST', `/v1/subjects/${nul}/unsubscribe-link`, { purpose: 'x' }],
      ['POST', `/v1/subjects/${nul}/preference-links/revoke`, undefined],
      ['POST', `/v1/breaches/${nul}/notify-subjects`, undefined],
      ['PATCH', `/v1/breaches/${nul}`, { title: 'x' }],
    ] as const) {
      const r = await h.request(method, path, { key: admin, body });
      expect(r.status, `${method} ${path} ${r.text}`).toBe(400);
      expect(r.body.error.field).toMatch(/^(subjectId|breachId)$/);
    }
    // A well-formed id of nobody is still a 404 before the body is looked at.
    const breach = await h.rt.services.breachesModule.breaches.create(
      tenantId,
      sampleBreach({ awareAt: new Date().toISOString() }),
      'test',
    );
    expect((await h.request('PATCH', `/v1/breaches/${breach.id.slice(0, -1)}Z`, { key: admin, body: {} })).status).toBe(
      404,
    );
  });

  it('a body of the wrong media type names content-type; malformed JSON names the body', async () => {
    await rejectedWithoutWrite(
      'POST',
      '/v1/purposes',
      { raw: 'key=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } },
      'content-type',
    );
    await rejectedWithoutWrite(
      'POST',
      '/v1/purposes',
      { raw: '{"key":', headers: { 'content-type': 'application/json' } },
      '(body)',
    );
  });

  it('an unknown nested field is named by its whole path (mass assignment one level down)', async () => {
    await rejectedWithoutWrite(
      'PUT',
      '/v1/ropa/controller',
      { body: { ...controllerRecord, controller: { ...controllerRecord.controller, tenantId: 'tnt_x' } } },
      'controller.tenantId',
    );
    await rejectedWithoutWrite(
      'POST',
      '/v1/subjects',
      { body: { identities: [{ kind: 'user_id', value: randomUUID(), role: 'admin' }] } },
      'identities.0.role',
    );
  });

  it('a YAML data map that is not a mapping names the body', async () => {
    await rejectedWithoutWrite(
      'PUT',
      '/v1/datamap',
      { raw: 'just a string', headers: { 'content-type': 'application/yaml' } },
      '(body)',
    );
  });

  it('the OpenAPI document says null where responses send null (no allOf of a ref and null)', async () => {
    const doc = await h.request('GET', '/openapi.json');
    const text = JSON.stringify(doc.body);
    expect(text).not.toMatch(/"allOf":\[\{"\$ref":"[^"]+"\},\{"type":\[[^\]]*"null"\]\}\]/);
    const entry = doc.body.components.schemas.RequestTimelineEntry.properties.fromState;
    expect(entry.anyOf).toEqual([{ $ref: '#/components/schemas/RequestState' }, { type: 'null' }]);
  });
});
