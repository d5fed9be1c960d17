import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../../../test/harness.ts';

describe('subjects', () => {
  let h: Harness;
  let admin: string;
  let tenantId: string;
  beforeAll(async () => {
    h = await createHarness();
    const t = await h.newTenant();
    admin = t.admin;
    tenantId = t.tenant.id;
  });
  afterAll(() => h.close());

  it('check 63: identifiers are stored as a keyed blind index and ciphertext, never in clear', async () => {
    const r = await h.request('POST', '/v1/subjects', {
      key: admin,
      body: {
        identities: [
          { kind: 'email', value: 'Ada@Example.com' },
          { kind: 'phone', value: '+44 20 7946 0000' },
        ],
      },
    });
    expect(r.status).toBe(201);
    expect(r.body.id).toMatch(/^sub_/);
    expect(r.body.identities.map((i: { value: string }) => i.value).sort()).toEqual([
      '+44 20 7946 0000',
      'Ada@Example.com',
    ]);
    const rows = await h.rt.db.raw.query<{ blind_index: string; value_enc: Uint8Array }>(
      'select blind_index, value_enc from subject_identifiers where subject_id = $1',
      [r.body.id],
    );
    expect(rows.rows).toHaveLength(2);
    for (const row of rows.rows) {
      expect(row.blind_index).not.toContain('Ada');
      expect(Buffer.from(row.value_enc).toString('latin1')).not.toContain('Example');
    }
  });

  it('the same identifier (normalised) resolves to the same subject and new ones are linked to it', async () => {
    const a = await h.request('POST', '/v1/subjects', {
      key: admin,
      body: { identities: [{ kind: 'email', value: 'grace@example.com' }] },
    });
    const b = await h.request('POST', '/v1/subjects', {
      key: admin,
      body: {
        identities: [
          { kind: 'email', value: ' GRACE@example.com ' },
          { kind: 'user_id', value: 'u-42' },
        ],
      },
    });
    expect(b.status).toBe(200);
    expect(b.body.id).toBe(a.body.id);
    expect(b.body.identities).toHaveLength(2);
  });

  it('identifiers of two different subjects are a 409 naming identities, nothing written', async () => {
    await h.request('POST', '/v1/subjects', { key: admin, body: { identities: [{ kind: 'user_id', value: 'one' }] } });
    await h.request('POST', '/v1/subjects', { key: admin, body: { identities: [{ kind: 'user_id', value: 'two' }] } });
    const r = await h.request('POST', '/v1/subjects', {
      key: admin,
      body: {
        identities: [
          { kind: 'user_id', value: 'one' },
          { kind: 'user_id', value: 'two' },
          { kind: 'device_id', value: 'd-1' },
        ],
      },
    });
    expect(r.status).toBe(409);
    expect(r.body.error.field).toBe('identities');
    const d = await h.request('POST', '/v1/subjects:lookup', {
      key: admin,
      body: { identity: { kind: 'device_id', value: 'd-1' } },
    });
    expect(d.status).toBe(404);
  });

  it('check 62: lookups take the identifier in the body and are audited as reads, hits and misses, without the value', async () => {
    const created = await h.request('POST', '/v1/subjects', {
      key: admin,
      body: { identities: [{ kind: 'email', value: 'lookup-me@example.com' }] },
    });
    const hit = await h.request('POST', '/v1/subjects:lookup', {
      key: admin,
      body: { identity: { kind: 'email', value: 'lookup-me@example.com' } },
    });
    expect(hit.status).toBe(200);
    expect(hit.body.id).toBe(created.body.id);
    const miss = await h.request('POST', '/v1/subjects:lookup', {
      key: admin,
      body: { identity: { kind: 'email', value: 'nobody@example.com' } },
    });
    expect(miss.status).toBe(404);
    expect(miss.body.error.field).toBe('identity');
    const read = await h.request('GET', `/v1/subjects/${created.body.id}`, { key: admin });
    expect(read.status).toBe(200);
    const audit = await h.rt.db.tenant(tenantId, (tx) => h.rt.services.audit.list(tx, tenantId, { limit: 500 }));
    const lookups = audit.filter((e) => e.action === 'subject.lookup');
    expect(lookups.map((e) => e.details.found)).toEqual(expect.arrayContaining([true, false]));
    expect(audit.some((e) => e.action === 'subject.read' && e.subjectId === created.body.id)).toBe(true);
    expect(JSON.stringify(audit)).not.toMatch(/@example\.com/);
  });

  it('check 59: a malformed identifier is a 400 naming the field', async () => {
    const r = await h.request('POST', '/v1/subjects', {
      key: admin,
      body: { identities: [{ kind: 'email', value: 'not-an-email' }] },
    });
    expect(r.status).toBe(400);
    expect(r.body.error.field).toBe('identities.0.value');
    const k = await h.request('POST', '/v1/subjects', {
      key: admin,
      body: { identities: [{ kind: 'ssn', value: '1' }] },
    });
    expect(k.body.error.field).toBe('identities.0.kind');
  });
});
