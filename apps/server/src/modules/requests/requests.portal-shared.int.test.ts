import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../../../test/harness.ts';
import { buildApp } from '../../main.ts';

/**
 * Two server processes behind one address (two apps over one runtime here) count a person's portal attempts
 * together when REDIS_URL is set: the budget is per address, not per process.
 */
describe('request portal limits shared through Redis (check 58)', () => {
  let h: Harness;
  let slug: string;
  beforeAll(async () => {
    h = await createHarness({
      env: { REDIS_URL: 'redis://127.0.0.1:6379', LAWFUL_PUBLIC_URL: 'http://127.0.0.1:3000' },
    });
    slug = (await h.newTenant('Shared Limits')).tenant.slug;
  });
  // The counters are keyed by the tenant id, unique to this run, and expire with their 10-minute window; other test
  // runs may be using the same Redis at this moment, so nothing is deleted by pattern.
  afterAll(() => h?.close());

  it('check 58: alternate requests to two processes still hit the one per-address budget (10 per 10 minutes)', async () => {
    const apps = [h.app, buildApp(h.rt)];
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) {
      const app = apps[i % 2]!;
      const page = await app.request(`/r/${slug}`);
      const cookie = page.headers.get('set-cookie')?.match(/lawful_csrf=([^;]+)/)?.[1] ?? '';
      const csrf = (await page.text()).match(/name="csrf" value="([^"]+)"/)?.[1] ?? '';
      const body = new URLSearchParams({ csrf, types: 'objection', email: `p${i}@example.com` });
      const res = await app.request(`/r/${slug}`, {
        method: 'POST',
        body: body.toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `lawful_csrf=${cookie}` },
      });
      statuses.push(res.status);
    }
    // Each process alone saw six attempts, under its budget: only a shared count refuses the 11th.
    expect(statuses.slice(0, 10).every((s) => s !== 429)).toBe(true);
    expect(statuses.slice(10)).toEqual([429, 429]);
  });
});
