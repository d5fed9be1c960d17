import { SetSubprocessors } from '@lawful/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consentReady } from '../../../test/consent-fixtures.ts';
import { createHarness, type Harness } from '../../../test/harness.ts';
import { fixedClock } from '../../lib/clock.ts';

const DAY = 86_400_000;
const clock = fixedClock('2026-06-01T10:00:00Z');
let h: Harness;
let a: { id: string; admin: string; slug: string };

const hosting = {
  name: 'Hetzner Online GmbH',
  country: 'DE',
  purpose: 'Hosting of the database & servers <primary>',
  safeguards: ['none_needed_eea'],
};
const mail = {
  name: 'Postmark (ActiveCampaign LLC)',
  country: 'US',
  purpose: 'Transactional e-mail',
  safeguards: ['adequacy_decision', 'standard_contractual_clauses'],
  details: 'EU-US Data Privacy Framework; SCC module 3 as fallback',
};

beforeAll(async () => {
  h = await createHarness({ clock });
  const t = await h.newTenant('Acme');
  a = { id: t.tenant.id, admin: t.admin, slug: t.tenant.slug };
});
afterAll(() => h.close());

describe('sub-processors (check 53, Art. 28(2), (4))', () => {
  it('check 53: the first list takes effect at once and is published at the tenant’s stable URL (HTML and JSON)', async () => {
    const r = await h.rt.services.subprocessors.set(SetSubprocessors.parse({ subprocessors: [hosting] }), 'operator');
    expect(r.version.effectiveAt).toBe(clock.now().toISOString());
    const j = await h.request('GET', `/subprocessors/${a.slug}.json`);
    expect(j.status, j.text).toBe(200);
    expect(j.body.organisation).toBe('Acme');
    expect(j.body.current.subprocessors).toEqual([{ ...hosting, details: '' }]);
    expect(j.body.upcoming).toEqual([]);
    const page = await h.request('GET', `/subprocessors/${a.slug}`);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.text).toContain('Hetzner Online GmbH');
    expect(page.text).toContain('&amp; servers &lt;primary&gt;');
    expect(page.text).not.toContain('<primary>');
  });

  it('check 53: an unknown organisation is a 404, the same for every unknown name', async () => {
    for (const slug of ['no-such-org', 'NOT_A_SLUG', 'x'.repeat(80)]) {
      const r = await h.request('GET', `/subprocessors/${slug}.json`);
      expect(r.status, slug).toBe(404);
      // The page a person follows answers with a page, not a JSON error body.
      const p = await h.request('GET', `/subprocessors/${slug}`);
      expect(p.status, slug).toBe(404);
      expect(p.headers.get('content-type'), slug).toMatch(/^text\/html/);
      expect(p.text, slug).toContain('Page not found');
    }
  });

  it('check 53: a change takes effect no sooner than the notice period, and is announced to every tenant by webhook and audit', async () => {
    const hook = await h.rt.services.webhooks.create(
      a.id,
      { url: 'https://93.184.215.14/hook', description: '', eventTypes: ['subprocessors.changed'], enabled: true },
      'test',
    );
    const tooSoon = new Date(clock.now().getTime() + 10 * DAY).toISOString();
    await expect(
      h.rt.services.subprocessors.set(
        SetSubprocessors.parse({ subprocessors: [hosting, mail], effectiveAt: tooSoon }),
        'operator',
      ),
    ).rejects.toMatchObject({ code: 'RULE_VIOLATION', field: 'effectiveAt' });

    const r = await h.rt.services.subprocessors.set(
      SetSubprocessors.parse({ subprocessors: [hosting, mail] }),
      'operator',
    );
    expect(r.version.effectiveAt).toBe(new Date(clock.now().getTime() + 30 * DAY).toISOString());
    expect(r).toMatchObject({ added: [mail.name], removed: [], changed: [] });

    const view = (await h.request('GET', `/subprocessors/${a.slug}.json`)).body;
    expect(view.current.subprocessors.map((s: { name: string }) => s.name)).toEqual([hosting.name]);
    expect(view.upcoming).toHaveLength(1);
    expect(view.upcoming[0].subprocessors.map((s: { name: string }) => s.name)).toEqual([hosting.name, mail.name]);

    const deliveries = await h.request('GET', `/v1/webhooks/${hook.id}/deliveries`, { key: a.admin });
    expect(deliveries.body.items).toHaveLength(1);
    expect(deliveries.body.items[0].payload.data).toMatchObject({
      added: [mail.name],
      effectiveAt: r.version.effectiveAt,
    });
    const audit = await h.request('GET', '/v1/audit?limit=100', { key: a.admin });
    expect((audit.body.items as { action: string }[]).some((e) => e.action === 'subprocessors.changed')).toBe(true);

    // Once the date comes, the new list is the one in effect.
    clock.advance(30 * DAY);
    try {
      const later = (await h.request('GET', `/subprocessors/${a.slug}.json`)).body;
      expect(later.current.subprocessors).toHaveLength(2);
      expect(later.upcoming).toEqual([]);
    } finally {
      clock.advance(-30 * DAY);
    }
  });

  it('check 53: the ROPA export lists the sub-processors in effect and announced', async () => {
    await consentReady(h, a.admin);
    const r = await h.request('GET', '/v1/ropa?format=json', { key: a.admin });
    expect(r.status, r.text).toBe(200);
    expect(r.body.subprocessors.current.subprocessors[0].name).toBe(hosting.name);
    expect(r.body.subprocessors.upcoming[0].subprocessors).toHaveLength(2);
    const reader = (await h.newKey(a.id, 'read_only')).secret;
    const api = await h.request('GET', '/v1/subprocessors', { key: reader });
    expect(api.status).toBe(200);
    expect(api.body.current.id).toBe(r.body.subprocessors.current.id);
  });
});
