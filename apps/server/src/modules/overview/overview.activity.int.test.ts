import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consentReady } from '../../../test/consent-fixtures.ts';
import { createHarness, type Harness } from '../../../test/harness.ts';
import { fixedClock } from '../../lib/clock.ts';
import { bannerRecord, ensureBannerBuilt, siteBody } from '../banner/banner.fixtures.ts';

const ORIGIN = 'https://shop.acme.test';
const clock = fixedClock('2026-10-14T09:00:00.000Z');

/** Requests and banner choices seeded across weeks with a fixed clock; weeks are cut in the tenant zone (Paris). */
describe('overview: requests by deadline and per week, banner outcomes per week', () => {
  let h: Harness;
  let admin: string;
  let reader: string;
  let other: string;
  const ids: Record<string, string> = {};
  const due: Record<string, string> = {};

  const create = async (name: string, at: string) => {
    clock.set(at);
    const r = await h.request('POST', '/v1/requests', {
      key: admin,
      body: {
        types: ['access'],
        identities: [{ type: 'email', value: `${name}@example.org` }],
        identityVerified: true,
      },
    });
    expect(r.status, r.text).toBe(201);
    ids[name] = r.body.id;
    due[name] = r.body.dueAt;
  };
  const reject = async (name: string, at: string) => {
    clock.set(at);
    const r = await h.request('POST', `/v1/requests/${ids[name]}/reject`, {
      key: admin,
      body: { grounds: ['manifestly_excessive'], explanation: 'The twelfth identical request this month' },
    });
    expect(r.status, r.text).toBe(200);
  };

  beforeAll(async () => {
    ensureBannerBuilt();
    h = await createHarness({ clock });
    const t = await h.newTenant();
    admin = t.admin;
    reader = (await h.newKey(t.tenant.id, 'read_only')).secret;
    other = (await h.newTenant('Other Org')).admin;
    const tz = await h.request('PATCH', '/v1/tenant', { key: admin, body: { timezone: 'Europe/Paris' } });
    expect(tz.status, tz.text).toBe(200);

    await create('r1', '2026-10-14T09:00:00.000Z'); // week of 12 Oct
    await create('r5', '2026-10-19T10:00:00.000Z'); // week of 19 Oct
    await create('r2', '2026-10-20T09:00:00.000Z');
    await create('r3', '2026-10-20T09:30:00.000Z');
    await reject('r3', '2026-10-21T09:00:00.000Z');
    // Sunday 23:30 UTC is Monday 00:30 in Paris: the week of 2 Nov there, of 26 Oct in UTC.
    await create('r4', '2026-11-01T23:30:00.000Z');
    await reject('r2', '2026-11-03T10:00:00.000Z');
    clock.set('2026-11-18T10:00:00.000Z'); // a Wednesday
  });
  afterAll(() => h.close());

  it('counts open requests as overdue, due this week (in the tenant zone) and later, and lists the soonest', async () => {
    // The one-month deadlines these tests lean on (Paris end of day).
    expect(due).toMatchObject({
      r1: '2026-11-14T22:59:59.999Z',
      r5: '2026-11-19T22:59:59.999Z',
      r4: '2026-12-02T22:59:59.999Z',
    });
    const r = await h.request('GET', '/v1/overview/requests?weeks=6', { key: reader });
    expect(r.status, r.text).toBe(200);
    expect(r.body.timeZone).toBe('Europe/Paris');
    expect(r.body.open).toEqual({
      overdue: 1,
      thisWeek: 1,
      later: 1,
      soonest: [
        { id: ids.r1, types: ['access'], state: expect.any(String), dueAt: due.r1, due: 'overdue' },
        { id: ids.r5, types: ['access'], state: expect.any(String), dueAt: due.r5, due: 'this_week' },
        { id: ids.r4, types: ['access'], state: expect.any(String), dueAt: due.r4, due: 'later' },
      ],
    });
    expect(r.body.weeks).toEqual([
      { week: '2026-10-12', received: 1, closed: 0 },
      { week: '2026-10-19', received: 3, closed: 1 },
      { week: '2026-10-26', received: 0, closed: 0 },
      { week: '2026-11-02', received: 1, closed: 1 },
      { week: '2026-11-09', received: 0, closed: 0 },
      { week: '2026-11-16', received: 0, closed: 0 },
    ]);
    expect(r.text).not.toContain('example.org');
  });

  it('the week boundary follows the tenant zone: in UTC the Sunday-night request falls a week earlier', async () => {
    await h.request('PATCH', '/v1/tenant', { key: admin, body: { timezone: 'UTC' } });
    const r = await h.request('GET', '/v1/overview/requests?weeks=4', { key: admin });
    await h.request('PATCH', '/v1/tenant', { key: admin, body: { timezone: 'Europe/Paris' } });
    expect(r.body.timeZone).toBe('UTC');
    expect(r.body.weeks).toEqual([
      { week: '2026-10-26', received: 1, closed: 0 },
      { week: '2026-11-02', received: 0, closed: 1 },
      { week: '2026-11-09', received: 0, closed: 0 },
      { week: '2026-11-16', received: 0, closed: 0 },
    ]);
  });

  it('another tenant sees none of it (RLS)', async () => {
    const r = await h.request('GET', '/v1/overview/requests?weeks=6', { key: other });
    expect(r.body.open).toEqual({ overdue: 0, thisWeek: 0, later: 0, soonest: [] });
    expect(r.body.weeks.every((w: { received: number; closed: number }) => !w.received && !w.closed)).toBe(true);
  });

  it('counts banner choices per week by the control used; a sendBeacon copy counts once', async () => {
    clock.set('2026-10-20T08:00:00.000Z');
    const notice = await consentReady(h, admin);
    const s = await h.request('POST', '/v1/sites', { key: admin, body: siteBody([ORIGIN]) });
    expect(s.status, s.text).toBe(201);
    const site = s.body;
    const post = async (at: string, kind: string, decisions: { category: string; granted: boolean }[], o = {}) => {
      clock.set(at);
      const rec = bannerRecord(
        site,
        notice,
        decisions.map((d) => ({ ...d, method: kind === 'gpc' ? ('gpc' as const) : ('banner' as const) })),
        {
          action: { kind, layer: kind === 'gpc' ? 'signal' : 'first', label: kind } as never,
          gpc: kind === 'gpc',
          ...o,
        },
      );
      const r = await h.request('POST', '/v1/consent/banner', {
        key: site.publishableKey,
        body: rec,
        headers: { origin: ORIGIN },
      });
      expect(r.status, r.text).toBe(201);
      return rec;
    };
    const all = (granted: boolean) => [
      { category: 'analytics', granted },
      { category: 'marketing', granted },
    ];
    await post('2026-10-28T12:00:00.000Z', 'accept_all', all(true));
    await post('2026-10-28T12:05:00.000Z', 'accept_all', all(true));
    await post('2026-10-29T12:00:00.000Z', 'reject_all', all(false));
    await post('2026-11-04T12:00:00.000Z', 'save_choices', [
      { category: 'analytics', granted: true },
      { category: 'marketing', granted: false },
    ]);
    await post('2026-11-05T12:00:00.000Z', 'close', all(false));
    const gpc = await post('2026-11-06T12:00:00.000Z', 'gpc', [{ category: 'marketing', granted: false }]);
    const copy = await h.request('POST', '/v1/consent/banner', {
      key: site.publishableKey,
      body: gpc,
      headers: { origin: ORIGIN },
    });
    expect(copy.body.duplicate).toBe(true);
    await post('2026-11-08T23:30:00.000Z', 'accept_all', all(true)); // Monday 00:30 in Paris
    clock.set('2026-11-11T10:00:00.000Z');

    const r = await h.request('GET', '/v1/overview/banner?weeks=3', { key: reader });
    expect(r.status, r.text).toBe(200);
    const z = { acceptAll: 0, rejectAll: 0, close: 0, custom: 0, allowEmbed: 0, gpc: 0 };
    expect(r.body).toEqual({
      timeZone: 'Europe/Paris',
      weeks: [
        { ...z, week: '2026-10-26', acceptAll: 2, rejectAll: 1 },
        { ...z, week: '2026-11-02', custom: 1, close: 1, gpc: 1 },
        { ...z, week: '2026-11-09', acceptAll: 1 },
      ],
    });
    const one = await h.request('GET', '/v1/overview/banner?weeks=1', { key: admin });
    expect(one.body.weeks).toEqual([{ ...z, week: '2026-11-09', acceptAll: 1 }]);
    const none = await h.request('GET', '/v1/overview/banner?weeks=3', { key: other });
    expect(none.body.weeks.map((w: { acceptAll: number }) => w.acceptAll)).toEqual([0, 0, 0]);
  });

  it('rejects bad input with a 400 naming the field; weeks is 1 to 52', async () => {
    for (const path of ['/v1/overview/requests', '/v1/overview/banner', '/v1/overview/consent']) {
      for (const bad of ['0', '53', 'many', '2.5']) {
        const r = await h.request('GET', `${path}?weeks=${bad}`, { key: admin });
        expect(r.status, `${path} weeks=${bad}`).toBe(400);
        expect(r.body.error.field).toBe('weeks');
      }
      expect((await h.request('GET', `${path}?weeks=52`, { key: admin })).body.weeks).toHaveLength(52);
      const extra = await h.request('GET', `${path}?since=2026-01-01`, { key: admin });
      expect(extra.status).toBe(400);
      expect(extra.text).toContain('since');
      expect((await h.request('GET', path)).status).toBe(401);
    }
  });
});
