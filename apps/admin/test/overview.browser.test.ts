import { mkdirSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../../../test/support/chromium.ts';
import { bannerRecord, ensureBannerBuilt, siteBody } from '../../server/src/modules/banner/banner.fixtures.ts';
import { controllerRecord, purposeBody } from '../../server/test/consent-fixtures.ts';
import { axe, PASSWORD, SHOTS, settled, signInAs } from './console-kit.ts';
import { type ConsoleServer, startConsoleServer } from './console-server.ts';

const ORIGIN = 'https://shop.acme.test';
const WIDTHS = [
  { name: 'desktop', width: 1280, height: 800 },
  { name: 'phone', width: 390, height: 844 },
] as const;

let server: ConsoleServer;
let browser: Browser;
let slug: string;
let adminKey: string;
const ids = { overdue: '', soon: '', closed: '' };

const call = async (method: string, path: string, body?: unknown, o: { key?: string; origin?: string } = {}) => {
  const res = await server.app.request(path, {
    method,
    headers: {
      authorization: `Bearer ${o.key ?? adminKey}`,
      'content-type': 'application/json',
      ...(o.origin ? { origin: o.origin } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const json = (await res.json()) as Record<string, unknown> & { id?: string };
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
};

/**
 * Three requests (one long overdue and received two weeks ago, one closed), consent from a form and from the banner,
 * four banner choices. Everything else happens now (the console runs on the real clock), so it lands in the last week.
 */
const seed = async () => {
  const t = await server.rt.services.tenants.create({ name: 'Acme Portfolio', slug: 'acme-overview' }, 'test');
  slug = t.tenant.slug;
  adminKey = t.adminKey.secret;
  await call('PUT', '/v1/ropa/controller', controllerRecord);
  for (const p of ['marketing-email', 'product-analytics']) await call('POST', '/v1/purposes', purposeBody(p));
  const notice = await call('POST', '/v1/notices', {
    key: 'signup',
    name: 'Sign-up form',
    draft: {
      texts: { en: { title: 'Your choices', markdown: 'We would like to **keep in touch**.' } },
      purposes: ['marketing-email', 'product-analytics'],
    },
  });
  const pub = (await call('POST', `/v1/notice-versions/${notice.id}/publish`)) as {
    id: string;
    rendered: { en: { sha256: string } };
  };
  const decide = (email: string, granted: boolean) =>
    call('POST', '/v1/consents', {
      subject: { identity: { kind: 'email', value: email } },
      noticeVersionId: pub.id,
      noticeHash: pub.rendered.en.sha256,
      locale: 'en',
      decisions: [{ purpose: 'marketing-email', granted }],
      method: 'form_checkbox',
      affirmativeAction: { kind: 'checkbox_ticked', label: 'Yes, send me news' },
      collectionPoint: { formId: 'signup', pageUrl: 'https://acme.test/signup' },
    });
  // marketing-email: 3 grants, 1 refusal, then p0 withdraws.
  for (let i = 0; i < 4; i++) await decide(`p${i}@example.org`, i !== 3);
  await decide('p0@example.org', false);

  // Banner: accept all ×2 and reject all (analytics), a GPC signal (marketing: a refusal).
  const site = (await call('POST', '/v1/sites', siteBody([ORIGIN]))) as unknown as {
    id: string;
    servicesHash: string;
    publishableKey: string;
  };
  const choose = (kind: 'accept_all' | 'reject_all' | 'gpc', category: string, granted: boolean) =>
    call(
      'POST',
      '/v1/consent/banner',
      bannerRecord(
        site,
        { versionId: pub.id, hash: pub.rendered.en.sha256 },
        [{ category, granted, method: kind === 'gpc' ? 'gpc' : 'banner' }],
        { action: { kind, layer: kind === 'gpc' ? 'signal' : 'first', label: kind }, gpc: kind === 'gpc' },
      ),
      { key: site.publishableKey, origin: ORIGIN },
    );
  await choose('accept_all', 'analytics', true);
  await choose('accept_all', 'analytics', true);
  await choose('reject_all', 'analytics', false);
  await choose('gpc', 'marketing', false);

  const request = async (types: string[], value: string) =>
    String(
      (await call('POST', '/v1/requests', { types, identities: [{ type: 'email', value }], identityVerified: true }))
        .id,
    );
  ids.overdue = await request(['erasure'], 'edsger@example.net');
  ids.soon = await request(['access'], 'ada@example.net');
  ids.closed = await request(['objection'], 'grace@example.net');
  await call('POST', `/v1/requests/${ids.closed}/reject`, {
    grounds: ['manifestly_excessive'],
    explanation: 'The twelfth identical request this month',
  });
  // Received two weeks ago, its deadline passed three days ago.
  await server.rt.db.tenant(t.tenant.id, (tx) =>
    tx.execute(
      `update requests set received_at = now() - interval '14 days', due_at = now() - interval '3 days' where id = '${ids.overdue}'`,
    ),
  );
  await server.rt.services.users.create(
    t.tenant.id,
    { email: 'reader@example.org', password: PASSWORD, role: 'read_only', totp: false },
    'test',
  );
};

const signIn = async (ctx: BrowserContext) => {
  const p = await signInAs(ctx, server.url, { slug, email: 'reader@example.org' });
  await settled(p);
  return p;
};

const lastRow = (p: Page, table: string) =>
  p.getByRole('region', { name: table, exact: true }).locator('tbody tr').last().innerText();

beforeAll(async () => {
  ensureBannerBuilt();
  server = await startConsoleServer();
  browser = await launchChromium();
  await seed();
  mkdirSync(SHOTS, { recursive: true });
}, 240_000);
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('admin console: the Overview (issue 9)', () => {
  it('shows deadlines with the overdue request in red and its link, the weekly charts and their numbers', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const p = await signIn(ctx); // a read-only user: the overview is for every role

    const cards = await p.getByRole('list', { name: 'Open requests by deadline' }).innerText();
    expect(cards).toMatch(/1\s*overdue[\s\S]*0\s*due this week[\s\S]*1\s*due later/);
    const nearest = p.getByRole('region', { name: 'Nearest deadlines' }).locator('tbody tr');
    expect(await nearest.count()).toBe(2);
    const late = nearest.first();
    expect(await late.innerText()).toContain(ids.overdue);
    expect(await late.innerText()).toMatch(/Erasure[\s\S]*Overdue[\s\S]*overdue by 3 days/);
    expect(await late.getAttribute('class')).toBe('late');
    // Red text on the tinted row, and still readable (AA is checked by axe below).
    const red = await late.getByText('overdue by 3 days').evaluate((e) => getComputedStyle(e).color);
    expect(red).toBe('rgb(180, 35, 24)');
    expect(await nearest.nth(1).innerText()).toContain(ids.soon);

    // Three charts: requests, consent shares, banner choices; each with its table.
    expect(await p.locator('figure.chart canvas').count()).toBe(3);
    for (const s of await p.getByText('Show the numbers').all()) await s.click();
    const requests = p.getByRole('region', { name: 'Requests per week', exact: true }).locator('tbody tr');
    expect(await requests.count()).toBe(12);
    expect(await requests.last().innerText()).toMatch(/\t2\t1$/);
    expect(await requests.nth(9).innerText()).toMatch(/\t1\t0$/);
    expect(await lastRow(p, 'Banner choices per week')).toMatch(/\t2\t1\t0\t0\t0\t1$/);
    // All purposes: 5 grants, 3 refusals, 1 withdrawal this week, as counts and shares.
    expect(await lastRow(p, 'Decisions per week')).toMatch(/\t9\t5 \(56%\)\t3 \(33%\)\t1 \(11%\)$/);
    await p.getByLabel('Purpose', { exact: true }).selectOption('marketing-email');
    await p.waitForFunction(() => document.querySelector('figure.chart [aria-label*="purpose marketing-email"]'));
    await expect.poll(() => lastRow(p, 'Decisions per week')).toMatch(/\t6\t3 \(50%\)\t2 \(33%\)\t1 \(17%\)$/);
    expect(await p.getByText(/organisation’s time zone \(UTC\)/).count()).toBe(1);
    // The picture for the docs shows the charts; the tables fold away again.
    for (const s of await p.getByText('Show the numbers').all()) await s.click();
    await p.screenshot({ path: `${SHOTS}overview.png`, fullPage: true });

    // The overdue request's link opens its page.
    await late.getByRole('link', { name: ids.overdue }).click();
    await p.locator('h2.page-title').waitFor();
    expect(p.url()).toContain(`#/requests/${ids.overdue}`);
    await ctx.close();
  });

  for (const w of WIDTHS) {
    it(`axe-core: no WCAG 2.1 A/AA violation and no sideways scroll at ${w.width} px`, async () => {
      const ctx = await browser.newContext({ viewport: { width: w.width, height: w.height } });
      const p = await signIn(ctx);
      if (w.name === 'phone') await p.screenshot({ path: `${SHOTS}overview-phone.png` });
      // With the tables open too: they are part of the screen.
      for (const s of await p.getByText('Show the numbers').all()) await s.click();
      expect(await axe(p)).toEqual([]);
      const wide = await p.evaluate(() =>
        Array.from(document.querySelectorAll('body *'))
          .filter((e) => !e.closest('.table-wrap, .nav ul') && e.getBoundingClientRect().right > window.innerWidth + 1)
          .map((e) => `${e.tagName.toLowerCase()}.${e.className}`),
      );
      expect(wide).toEqual([]);
      expect(await p.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
      await ctx.close();
    });
  }
});
