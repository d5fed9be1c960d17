import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from './harness.ts';

/** Plants a unique email, IP, phone and key in every place a request can carry them; none may reach a log line. */
describe('log canary (check 60)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(() => h.close());

  it('no personal data, key or token appears in any log line', async () => {
    const email = `canary.${Date.now()}@example-canary.test`;
    const ip = '203.0.113.77';
    const phone = '+33 6 12 34 56 78';
    const { admin } = await h.newTenant();
    const paths = [
      `/v1/keys?email=${encodeURIComponent(email)}`,
      `/v1/nothing/${encodeURIComponent(email)}`,
      `/v1/tenant?api_key=${admin}`,
    ];
    for (const p of paths) await h.request('GET', p, { key: admin, headers: { 'x-forwarded-for': ip } });
    await h.request('POST', '/v1/keys', { key: admin, body: { name: `${email} ${phone} ${ip}`, role: 'agent' } });
    await h.request('POST', '/v1/keys', { key: admin, body: { name: email, role: 'nope', extra: phone } });
    await h.request('GET', '/v1/keys', { key: `lf_sk_${'Z'.repeat(43)}` });
    // Errors inside the logger path itself must be scrubbed too.
    h.rt.logger.error({ err: new Error(`failed for ${email} from ${ip}`) }, `boom ${email}`);
    h.rt.logger.info({ user: { email, ip, phone }, token: admin }, 'structured');

    const all = h.logs.join('');
    expect(h.logs.length).toBeGreaterThan(5);
    for (const canary of [email, ip, phone, admin, admin.slice(6)]) expect(all).not.toContain(canary);
    expect(all).toContain('[email]');
  });
});
