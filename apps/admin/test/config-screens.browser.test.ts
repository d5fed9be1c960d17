import { mkdirSync } from 'node:fs';
import pg from 'pg';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../../../test/support/chromium.ts';
import type { TempDatabase } from '../../../test/support/databases.ts';
import { ensureBannerBuilt } from '../../server/src/modules/banner/banner.fixtures.ts';
import { startReceiver } from '../../server/src/modules/webhooks/webhooks.test-receiver.ts';
import { controllerRecord, grantBody, purposeBody } from '../../server/test/consent-fixtures.ts';
import { createShopDatabase } from '../../server/test/fixtures/shop-database.ts';
import { axe, go, PASSWORD, SHOTS, signInAs, tooWide } from './console-kit.ts';
import { type ConsoleServer, startConsoleServer } from './console-server.ts';

const SCREENS = ['Notices', 'Cookie banner', 'Data map', 'Webhooks'];

let server: ConsoleServer;
let browser: Browser;
let shop: TempDatabase;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
const tenants = { acme: { slug: '', key: '' }, newco: { slug: '', key: '' } };
let notice: { versionId: string; hash: string };

const api = async (t: keyof typeof tenants, method: string, path: string, body?: unknown) => {
  const res = await server.app.request(path, {
    method,
    headers: { authorization: `Bearer ${tenants[t].key}`, 'content-type': 'application/json' },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const json = (await res.json()) as Record<string, unknown> & { id?: string };
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
};

/** Acme: controller, purposes, a published notice. Newco: purposes but no controller record yet. */
const seed = async () => {
  for (const [t, name] of [
    ['acme', 'Acme Portfolio'],
    ['newco', 'Newco'],
  ] as const) {
    const r = await server.rt.services.tenants.create({ name, slug: t }, 'test');
    tenants[t] = { slug: r.tenant.slug, key: r.adminKey.secret };
    for (const p of ['marketing-email', 'product-analytics']) await api(t, 'POST', '/v1/purposes', purposeBody(p));
    for (const [email, role] of [
      [`dpo@${t}.example`, 'admin'],
      [`reader@${t}.example`, 'read_only'],
    ] as const) {
      await server.rt.services.users.create(r.tenant.id, { email, password: PASSWORD, role, totp: false }, 'test');
    }
  }
  await api('acme', 'PUT', '/v1/ropa/controller', controllerRecord);
  const n = await api('acme', 'POST', '/v1/notices', {
    key: 'cookies',
    name: 'Cookies',
    draft: {
      texts: { en: { title: 'Cookies on Acme', markdown: 'We use cookies **only** with your consent.' } },
      purposes: ['marketing-email', 'product-analytics'],
    },
  });
  const pub = (await api('acme', 'POST', `/v1/notice-versions/${n.id}/publish`)) as {
    id: string;
    rendered: { en: { sha256: string } };
  };
  notice = { versionId: pub.id, hash: pub.rendered.en.sha256 };
};

const signIn = async (ctx: BrowserContext, t: keyof typeof tenants, who = 'dpo') => {
  // Fail on the step that waits, well inside the test's own time limit.
  ctx.setDefaultTimeout(15_000);
  return signInAs(ctx, server.url, { slug: tenants[t].slug, email: `${who}@${t}.example` });
};

beforeAll(async () => {
  ensureBannerBuilt();
  [receiver, shop] = await Promise.all([startReceiver(), createShopDatabase()]);
  server = await startConsoleServer({
    workers: true,
    env: { LAWFUL_ALLOW_INSECURE_WEBHOOKS: '127.0.0.1', LAWFUL_WEBHOOK_RETRY_DELAYS: '0.2' },
  });
  browser = await launchChromium();
  await seed();
  mkdirSync(SHOTS, { recursive: true });
}, 240_000);
afterAll(async () => {
  await browser?.close();
  await server?.close();
  await receiver?.close();
  await shop?.drop();
});

describe('admin console in Chromium: notices, cookie banner, data map, webhooks', () => {
  it('notices, check 8: a notice is written with a live preview, refused without a controller, published, versioned and diffed', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const p = await signIn(ctx, 'newco');
    await go(p, 'Notices');
    const form = p.getByRole('form', { name: 'New notice' });
    await form.getByLabel('Key').fill('newsletter');
    await form.getByLabel('Name').fill('Newsletter sign-up');
    await form.getByLabel('Purpose marketing-email').check();
    await form.getByLabel('Title').fill('Our newsletter');
    await form.getByLabel('Text (Markdown)').fill('We send news **once a month**.');
    await form.getByRole('button', { name: 'Create draft' }).click();
    await p.getByRole('heading', { name: 'Draft version 1 of newsletter' }).waitFor();

    // The preview follows the text as it is typed; raw HTML is shown as text, as the server renders it.
    const text = p.getByLabel('Text in Markdown (en)');
    await text.fill('We send news **once a month**.\n\nUnsubscribe in one click.\n\n<img src=x onerror=alert(1)>');
    const preview = p.getByRole('region', { name: 'Preview' });
    await expect(preview.locator('.prose strong').textContent()).resolves.toBe('once a month');
    expect(await preview.locator('.prose img').count()).toBe(0);
    await expect(preview.locator('.prose').textContent()).resolves.toContain('<img src=x onerror=alert(1)>');
    await expect(preview.textContent()).resolves.toMatch(/Purpose marketing-email: data used \(user\.contact\.email\)/);
    await text.fill('We send news **once a month**.\n\nUnsubscribe in one click.');

    await p.getByRole('button', { name: 'Publish' }).click();
    const alert = p.getByRole('alert');
    await expect(alert.textContent()).resolves.toMatch(/controller is missing.*must name the controller/);
    await p.screenshot({ path: `${SHOTS}notices-refused.png` });

    await api('newco', 'PUT', '/v1/ropa/controller', controllerRecord);
    await p.getByRole('button', { name: 'Publish' }).click();
    await p.getByText('Version 1 of newsletter published.').waitFor();
    const versions = p.getByRole('region', { name: 'Notice versions' });
    await expect(versions.locator('tbody tr').first().textContent()).resolves.toMatch(/en: [0-9a-f]{64}/);

    // A second version: one line changed, a locale added.
    await p.getByRole('heading', { name: 'New version (from version 1) of newsletter' }).waitFor();
    await p.getByLabel('Text in Markdown (en)').fill('We send news **twice a month**.\n\nUnsubscribe in one click.');
    await p.getByLabel('Add a locale').fill('fr');
    await p.getByRole('button', { name: 'Add locale' }).click();
    await p.getByLabel('Title (fr)').fill('Notre lettre');
    await p.getByRole('button', { name: 'Publish' }).click();
    await p.getByText('Version 2 of newsletter published.').waitFor();
    // The message shows as soon as the server answers; the version list reloads just after it.
    await versions.locator('tbody tr').nth(1).waitFor();
    expect(await versions.locator('tbody tr').count()).toBe(2);
    await expect(versions.locator('tbody tr').first().textContent()).resolves.toMatch(/fr: [0-9a-f]{64}/);

    const diff = p.getByRole('region', { name: 'Differences' });
    await expect(diff.locator('del').allTextContents()).resolves.toEqual(['- We send news **once a month**.']);
    await expect(diff.locator('ins').allTextContents()).resolves.toEqual(['+ We send news **twice a month**.']);
    await p.getByText('2 lines changed.').waitFor();
    await p.screenshot({ path: `${SHOTS}notices.png`, fullPage: true });

    const audit = (await api('newco', 'GET', '/v1/audit?action=notice.publish')) as { items: unknown[] };
    expect(audit.items).toHaveLength(2);
    await ctx.close();
  });

  it('cookie banner: a site with its services and texts, the real banner in the preview (nothing recorded), and both snippets', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    await ctx.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
    const p = await signIn(ctx, 'acme');
    await go(p, 'Cookie banner');
    const form = p.getByRole('form', { name: 'New site' });
    await form.getByLabel('Site name').fill('Acme shop');
    await form.getByLabel('Origins (one per line or comma)').fill('https://shop.acme.test');
    await form.getByRole('button', { name: 'Create site' }).click();
    await p.getByRole('heading', { name: 'Edit Acme shop' }).waitFor();

    const frame = p.frameLocator('iframe[title="Banner preview of Acme shop"]');
    // Strictly necessary storage only: nothing to ask, so the real script shows no banner.
    await frame.getByRole('heading', { name: 'Your website' }).waitFor();
    expect(await frame.getByRole('button', { name: 'Accept all' }).count()).toBe(0);

    // A consent category with a service and its cookie, and a title of the site's own.
    await p.getByLabel('New category').fill('analytics');
    await p.getByRole('button', { name: 'Add category' }).click();
    const svc = p.getByRole('form', { name: 'New service in analytics' });
    await svc.getByLabel('Service id').fill('matomo');
    await svc.getByLabel('Service name').fill('Matomo');
    await svc.getByLabel('Vendor').fill('InnoCraft');
    await svc.getByLabel('Cookie name').fill('_pk_id');
    await svc.getByLabel('Lifetime (days, 0 = session)').fill('395');
    await svc.getByLabel('What it is for').fill('Counting visits');
    await svc.getByRole('button', { name: 'Add service to analytics' }).click();
    await p.getByText('_pk_id · 395 days · first party · Counting visits').waitFor();
    await p.getByLabel('Title (en)').fill('Cookies at Acme');
    // The server's rules come back whole: the analytics category needs a consent purpose.
    await p.getByLabel('Recorded under purpose').selectOption('');
    await p.getByRole('button', { name: 'Save site' }).click();
    await expect(p.getByRole('alert').textContent()).resolves.toMatch(/purpose/);
    await p.getByLabel('Recorded under purpose').selectOption('product-analytics');
    await p.getByRole('button', { name: 'Save site' }).click();
    await p.getByText('Saved as version 2.').waitFor();

    await frame.getByText('Cookies at Acme').waitFor();
    await p.getByText('pinned tag', { exact: false }).first().waitFor();
    await p.screenshot({ path: `${SHOTS}cookie-banner.png`, fullPage: true });
    const before = JSON.stringify(await api('acme', 'GET', '/v1/overview/consent'));
    await frame.getByRole('button', { name: 'Accept all' }).click();
    await p.waitForTimeout(500);
    expect(JSON.stringify(await api('acme', 'GET', '/v1/overview/consent'))).toBe(before);

    const latest = await p.getByTestId('snippet-latest').textContent();
    const pinned = await p.getByTestId('snippet-pinned').textContent();
    expect(latest).toMatch(/^<script src="http:\/\/127\.0\.0\.1:\d+\/v1\/banner\/sit_[0-9A-Z]{26}\.js"><\/script>$/);
    expect(pinned).toMatch(/\/v1\/banner\/sit_\w+\/[\d.]+\/[0-9a-f]{32}\.js" integrity="sha384-[\w+/=]+" crossorigin/);
    await p.getByRole('button', { name: 'Copy pinned tag' }).click();
    await p.getByText('pinned tag copied.').waitFor();
    expect(await p.evaluate(() => navigator.clipboard.readText())).toBe(pinned);
    await ctx.close();
  });

  it('data map: discovery on a connection, its proposal stored and drawn, and the check finding a dropped column', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const p = await signIn(ctx, 'acme');
    await go(p, 'Data map');
    await p.getByText('No data map yet.').waitFor();
    const form = p.getByRole('form', { name: 'New connection' });
    await form.getByLabel('Connection name').fill('shop');
    await form.getByLabel('URL (read-only user)').fill(shop.url);
    await form.getByRole('button', { name: 'Save connection' }).click();
    await p.getByRole('button', { name: 'Run discovery on shop' }).click();
    const found = p.getByRole('region', { name: 'Detected on shop' });
    await found.getByText('customers.email').waitFor({ timeout: 30_000 });
    await expect(found.textContent()).resolves.toMatch(/user\.contact\.email \(identifies by email\)/);
    expect(await p.content()).not.toContain(shop.url);

    await p.getByRole('button', { name: 'Store this proposal as the data map' }).click();
    await p.getByText('Stored as version 1.').waitFor();
    const graph = p.getByTestId('graph-shop').first();
    await graph.waitFor();
    const nodes = await graph.locator('g > text:first-of-type').allTextContents();
    expect(nodes.sort()).toEqual(['customers', 'order_lines', 'orders']);
    expect(await graph.locator('path[marker-end]').count()).toBe(2);

    await p.getByRole('button', { name: 'Run the check' }).click();
    await p.getByText(/^The map matches the live systems/).waitFor({ timeout: 30_000 });
    const c = new pg.Client({ connectionString: shop.url });
    await c.connect();
    await c.query('ALTER TABLE customers DROP COLUMN phone');
    await c.end();
    await p.getByRole('button', { name: 'Run the check' }).click();
    await p.getByText(/^The map does not match the live systems/).waitFor({ timeout: 30_000 });
    await expect(p.getByRole('region', { name: 'Findings' }).textContent()).resolves.toMatch(/phone/);
    await p.screenshot({ path: `${SHOTS}data-map.png`, fullPage: true });
    await ctx.close();
  });

  it('webhooks: an endpoint’s secret is shown once, a failed delivery is retried, the secret rotated and the endpoint disabled', async () => {
    receiver.script('/hook', [500, 500]);
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const p = await signIn(ctx, 'acme');
    p.on('dialog', (d) => void d.accept());
    await go(p, 'Webhooks');
    const form = p.getByRole('form', { name: 'New endpoint' });
    await form.getByLabel('Endpoint URL (https)').fill(receiver.url('/hook'));
    await form.getByLabel('Description').fill('CRM');
    await form.getByLabel('consent.granted').check();
    await form.getByRole('button', { name: 'Create endpoint' }).click();
    const first = await p.locator('.secret').textContent();
    expect(first).toMatch(/^whsec_/);

    await api(
      'acme',
      'POST',
      '/v1/consents',
      grantBody(notice, 'ada@example.org', [{ purpose: 'marketing-email', granted: true }]),
    );
    await p.getByRole('button', { name: `Deliveries to ${receiver.url('/hook')}` }).click();
    const log = p.getByRole('region', { name: 'Delivery log' });
    const waitFor = async (re: RegExp) => {
      for (let i = 0; i < 40; i++) {
        await p.getByRole('button', { name: 'Refresh' }).click();
        await p.waitForTimeout(500);
        const t = await log.innerText().catch(() => '');
        if (re.test(t)) return t;
      }
      throw new Error(`the delivery log never showed ${re}`);
    };
    expect(await waitFor(/failed\s+2\s/)).toMatch(/failed \(HTTP 500/);
    await log.getByRole('button', { name: /^Retry dlv_/ }).click();
    await p.getByText(/queued again/).waitFor();
    expect(await waitFor(/succeeded\s+3\s/)).toMatch(/delivered \(HTTP 200, \d+ ms, replay\)/);
    const sent = receiver.at('/hook');
    expect(sent).toHaveLength(3);
    expect(new Set(sent.map((r) => r.headers['webhook-id'])).size).toBe(1);
    await p.screenshot({ path: `${SHOTS}webhooks.png`, fullPage: true });

    await p.getByRole('button', { name: `Rotate secret of ${receiver.url('/hook')}` }).click();
    await p.getByText('New signing secret', { exact: false }).waitFor();
    const second = await p.locator('.secret').textContent();
    expect(second).toMatch(/^whsec_/);
    expect(second).not.toBe(first);
    await p.getByRole('button', { name: `Disable ${receiver.url('/hook')}` }).click();
    await p.getByRole('region', { name: 'Webhook endpoints' }).getByText('disabled').waitFor();
    await p.reload();
    await go(p, 'Webhooks');
    expect(await p.locator('.secret').count()).toBe(0);
    await ctx.close();
  });

  it('a read-only user sees notices, sites and the map but no editing; webhooks are for admins and officers', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const p = await signIn(ctx, 'acme', 'reader');
    await go(p, 'Notices');
    await p.getByRole('rowheader', { name: 'cookies' }).waitFor();
    expect(await p.getByRole('form', { name: 'New notice' }).count()).toBe(0);
    await go(p, 'Cookie banner');
    await p.getByRole('button', { name: 'Open Acme shop' }).click();
    await p.frameLocator('iframe[title="Banner preview of Acme shop"]').getByText('Cookies at Acme').waitFor();
    expect(await p.getByRole('button', { name: 'Save site' }).count()).toBe(0);
    await go(p, 'Data map');
    await p.getByTestId('graph-shop').waitFor();
    expect(await p.getByRole('button', { name: 'Run the check' }).count()).toBe(0);
    await go(p, 'Webhooks');
    await p.getByText(/managed by admins and privacy officers/).waitFor();
    await ctx.close();
  });

  for (const w of [
    { width: 1280, height: 800 },
    { width: 390, height: 844 },
  ]) {
    it(`axe-core: no WCAG 2.1 A/AA violation and nothing wider than the screen at ${w.width} px`, async () => {
      const ctx = await browser.newContext({ viewport: w });
      const p = await signIn(ctx, 'acme');
      for (const screen of SCREENS) {
        await go(p, screen);
        // The panels people open: a notice with its editor and diff, a site with its preview, deliveries.
        if (screen === 'Notices') await p.getByRole('button', { name: 'Open cookies' }).click();
        if (screen === 'Cookie banner') {
          await p.getByRole('button', { name: 'Open Acme shop' }).click();
          await p.frameLocator('iframe[title="Banner preview of Acme shop"]').getByText('Cookies at Acme').waitFor();
        }
        if (screen === 'Data map') await p.getByTestId('graph-shop').waitFor();
        if (screen === 'Webhooks') {
          await p.getByRole('button', { name: /^Deliveries to / }).click();
          await p.getByRole('region', { name: 'Delivery log' }).waitFor();
        }
        await p.getByText(/^Loading/).waitFor({ state: 'detached' });
        expect(await axe(p), `${screen} at ${w.width}`).toEqual([]);
        expect(await tooWide(p), `${screen} at ${w.width}`).toEqual([]);
        if (w.width === 390 && screen === 'Cookie banner')
          await p.screenshot({ path: `${SHOTS}cookie-banner-phone.png` });
      }
      await ctx.close();
    });
  }
});
