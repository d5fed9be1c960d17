import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consentReady, grantBody } from '../../../test/consent-fixtures.ts';
import { createHarness, type Harness } from '../../../test/harness.ts';
import { fixedClock } from '../../lib/clock.ts';
import { weekWindow } from './overview.service.ts';

const clock = fixedClock('2026-11-04T10:00:00.000Z'); // a Wednesday

describe('consent overview (counts only)', () => {
  let h: Harness;
  let admin: string;
  let notice: { versionId: string; hash: string };

  beforeAll(async () => {
    h = await createHarness({ clock });
    const t = await h.newTenant();
    admin = t.admin;
    notice = await consentReady(h, admin);
  });
  afterAll(() => h.close());

  const decide = async (email: string, purpose: string, granted: boolean) => {
    const r = await h.request('POST', '/v1/consents', {
      key: admin,
      body: grantBody(notice, email, [{ purpose, granted }]),
    });
    expect(r.status, r.text).toBe(201);
  };
  const withdraw = async (email: string, purpose: string) => {
    const r = await h.request('POST', '/v1/consents', {
      key: admin,
      body: grantBody(notice, email, [{ purpose, granted: false }]),
    });
    expect(r.status, r.text).toBe(201);
  };

  it('weekWindow cuts Monday-first weeks in the given zone, across a daylight-saving change', () => {
    const utc = weekWindow(new Date('2026-11-04T10:00:00Z'), 'UTC', 2);
    expect(utc.from.toISOString()).toBe('2026-10-26T00:00:00.000Z');
    expect(utc.weekEnd.toISOString()).toBe('2026-11-09T00:00:00.000Z');
    expect(utc.labels).toEqual(['2026-10-26', '2026-11-02']);
    expect(weekWindow(new Date('2026-11-08T23:59:59Z'), 'UTC', 1).labels).toEqual(['2026-11-02']);
    // Paris left summer time on 25 Oct: the week before starts at 22:00 UTC, the week after at 23:00 UTC.
    const paris = weekWindow(new Date('2026-11-01T23:30:00Z'), 'Europe/Paris', 3);
    expect(paris.labels).toEqual(['2026-10-19', '2026-10-26', '2026-11-02']);
    expect(paris.from.toISOString()).toBe('2026-10-18T22:00:00.000Z');
    expect(paris.weekEnd.toISOString()).toBe('2026-11-08T23:00:00.000Z');
  });

  it('counts decisions per week, every week present, and the state per purpose', async () => {
    await decide('a@example.org', 'marketing-email', true);
    await decide('b@example.org', 'marketing-email', false);
    clock.advance(7 * 86_400_000);
    await decide('c@example.org', 'marketing-email', true);
    await withdraw('a@example.org', 'marketing-email');
    await decide('c@example.org', 'product-analytics', true);

    const r = await h.request('GET', '/v1/overview/consent?weeks=4', { key: admin });
    expect(r.status, r.text).toBe(200);
    expect(r.body.purposes).toBe(3);
    expect(r.body.timeZone).toBe('UTC');
    expect(r.body.weeks).toEqual([
      { week: '2026-10-19', grant: 0, refuse: 0, withdraw: 0 },
      { week: '2026-10-26', grant: 0, refuse: 0, withdraw: 0 },
      { week: '2026-11-02', grant: 1, refuse: 1, withdraw: 0 },
      { week: '2026-11-09', grant: 2, refuse: 0, withdraw: 1 },
    ]);
    const m = r.body.byPurpose.find((p: { purpose: string }) => p.purpose === 'marketing-email');
    expect(m).toEqual({ purpose: 'marketing-email', granted: 1, refused: 1, withdrawn: 1, pending: 0 });

    const one = await h.request('GET', '/v1/overview/consent?weeks=1&purpose=product-analytics', { key: admin });
    expect(one.body.weeks).toEqual([{ week: '2026-11-09', grant: 1, refuse: 0, withdraw: 0 }]);
    expect(JSON.stringify(r.body)).not.toContain('example.org');
  });

  it('rejects bad input naming the field', async () => {
    const r = await h.request('GET', '/v1/overview/consent?weeks=0', { key: admin });
    expect(r.status).toBe(400);
    expect(r.body.error.field).toBe('weeks');
    expect((await h.request('GET', '/v1/overview/consent?nope=1', { key: admin })).status).toBe(400);
  });
});
