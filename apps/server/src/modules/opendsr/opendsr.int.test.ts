import { randomUUID, X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../../../test/harness.ts';
import { registerRequestWorkers } from '../requests/requests.module.ts';
import { type Receiver, startReceiver } from '../webhooks/webhooks.test-receiver.ts';
import { verifyBody, verifySignedMessage } from './opendsr.crypto.ts';

/** OpenDSR 2.0 processor endpoints; status callbacks checked by a real receiver on 127.0.0.1 against our certificate. */
describe('OpenDSR processor endpoints', () => {
  let h: Harness;
  let admin: string;
  let tenantId: string;
  let receiver: Receiver;
  let cert: X509Certificate;

  beforeAll(async () => {
    h = await createHarness({
      env: { LAWFUL_OPENDSR_ALLOW_LOOPBACK_CALLBACKS: 'on', LAWFUL_PUBLIC_URL: 'http://localhost:3000' },
    });
    const t = await h.newTenant('Processor');
    admin = t.admin;
    tenantId = t.tenant.id;
    receiver = await startReceiver();
    await registerRequestWorkers(h.rt.jobs, h.rt.services.requestsModule);
    cert = new X509Certificate((await h.request('GET', '/opendsr/v1/certificate.pem')).text);
  });
  afterAll(async () => {
    await receiver.close();
    await h.close();
  });

  const submission = (over: Record<string, unknown> = {}) => ({
    regulation: 'gdpr',
    subject_request_id: randomUUID(),
    subject_request_type: 'access',
    submitted_time: '2025-01-31T10:00:00Z',
    subject_identities: [
      { identity_type: 'email', identity_value: `${randomUUID()}@example.com`, identity_format: 'raw' },
    ],
    api_version: '2.0',
    status_callback_urls: [receiver.url('/opendsr/callback')],
    ...over,
  });
  const signedOk = (res: { text: string; headers: Headers }) =>
    verifySignedMessage(res.text, res.headers, {
      certificateFor: (d) => (d === 'localhost' ? cert : undefined),
      at: new Date(),
      allowSelfSigned: true,
    });

  it('discovery is signed and names what is supported', async () => {
    const r = await h.request('GET', '/opendsr/v1/discovery');
    expect(r.status).toBe(200);
    expect(r.body.supported_subject_request_types).toEqual(['access', 'portability', 'erasure']);
    expect(signedOk(r).version).toBe('v2');
  });

  it('accepts a request (201, signed), reports its status, and calls back with a verifiable signature', async () => {
    const s = submission();
    const r = await h.request('POST', '/opendsr/v1/requests', { key: admin, body: s });
    expect(r.status).toBe(201);
    signedOk(r);
    expect(r.body.subject_request_id).toBe(s.subject_request_id);
    expect(JSON.parse(Buffer.from(r.body.encoded_request, 'base64').toString()).subject_request_id).toBe(
      s.subject_request_id,
    );
    expect(verifyBody(r.body.encoded_request, r.body.processor_signature, cert)).toBe(true);
    const st = await h.request('GET', `/opendsr/v1/requests/${s.subject_request_id}`, { key: admin });
    expect(st.status).toBe(200);
    expect(st.body.request_status).toBe('in_progress');
    for (let i = 0; i < 100 && receiver.at('/opendsr/callback').length === 0; i++)
      await new Promise((x) => setTimeout(x, 200));
    const cb = receiver.at('/opendsr/callback')[0]!;
    const headers = new Headers(Object.entries(cb.headers).map(([k, v]) => [k, String(v)]) as [string, string][]);
    expect(signedOk({ text: cb.body, headers }).processorDomain).toBeDefined();
    expect(JSON.parse(cb.body).request_status).toBe('in_progress');
    // Cancellation only while pending.
    const del = await h.request('DELETE', `/opendsr/v1/requests/${s.subject_request_id}`, { key: admin });
    expect(del.status).toBe(409);
    expect(del.body.error.code).toBe(409);
  });

  it('erasure waits for approval (pending) and can be cancelled then: 202', async () => {
    const s = submission({ subject_request_type: 'erasure', status_callback_urls: [] });
    expect((await h.request('POST', '/opendsr/v1/requests', { key: admin, body: s })).status).toBe(201);
    const del = await h.request('DELETE', `/opendsr/v1/requests/${s.subject_request_id}`, { key: admin });
    expect(del.status).toBe(202);
    const st = await h.request('GET', `/opendsr/v1/requests/${s.subject_request_id}`, { key: admin });
    expect(st.body.request_status).toBe('cancelled');
  });

  it('an internal failure answers 500 in the spec error shape, and its cause reaches the log', async () => {
    const s = submission({ status_callback_urls: [] });
    // The requests table gone for a moment: the database refuses the write.
    await h.rt.db.raw.exec('alter table requests rename to requests_away');
    try {
      const r = await h.request('POST', '/opendsr/v1/requests', { key: admin, body: s });
      expect(r.status).toBe(500);
      expect(r.body.error.code).toBe(500);
    } finally {
      await h.rt.db.raw.exec('alter table requests_away rename to requests');
    }
    const line = h.logs.find((l) => l.includes('OpenDSR request failed'));
    expect(line).toContain('Failed query');
  });

  it('bad input and bad callback URLs → the spec error shape, naming the field; nothing is stored', async () => {
    for (const [over, field] of [
      [{ subject_request_id: randomUUID().toUpperCase() }, 'subject_request_id'],
      [{ subject_request_type: 'rectification' }, 'subject_request_type'],
      [{ submitted_time: 'yesterday' }, 'submitted_time'],
      [{ status_callback_urls: ['https://10.0.0.1/cb'] }, 'status_callback_urls'],
      [{ status_callback_urls: ['http://example.com/cb'] }, 'status_callback_urls'],
    ] as const) {
      const s = submission(over);
      const r = await h.request('POST', '/opendsr/v1/requests', { key: admin, body: s });
      expect(r.status, field).toBe(400);
      expect(r.body.error.code).toBe(400);
      expect(r.body.error.errors[0].message).toContain(field);
      const st = await h.request('GET', `/opendsr/v1/requests/${s.subject_request_id}`, { key: admin });
      expect(st.status).toBe(404);
    }
  });

  it('needs a STAFF key of the right tenant; v1 compat path answers with X-OpenGDPR headers', async () => {
    const s = submission({ status_callback_urls: [] });
    expect((await h.request('POST', '/opendsr/v1/requests', { body: s })).status).toBe(401);
    const reader = (await h.newKey(tenantId, 'read_only')).secret;
    expect((await h.request('POST', '/opendsr/v1/requests', { key: reader, body: s })).status).toBe(403);
    const v1 = await h.request('POST', '/opendsr/v1/opengdpr_requests', { key: admin, body: s });
    expect(v1.status).toBe(201);
    expect(v1.headers.get('X-OpenGDPR-Signature')).toBeTruthy();
    expect(v1.headers.get('X-OpenDSR-Signature')).toBeNull();
    const other = (await h.newTenant('Other')).admin;
    expect((await h.request('GET', `/opendsr/v1/requests/${s.subject_request_id}`, { key: other })).status).toBe(404);
  });
});
