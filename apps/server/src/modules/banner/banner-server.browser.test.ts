import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { button, dialog } from '../../../../../packages/banner/test/harness.ts';
import { launchChromium } from '../../../../../test/support/chromium.ts';
import { controllerRecord, purposeBody } from '../../../test/consent-fixtures.ts';
import { TEST_MASTER_KEY } from '../../../test/harness.ts';
import { loadConfig } from '../../config.ts';
import { openPglite } from '../../db/client.ts';
import { createLogger } from '../../lib/logger.ts';
import { buildApp, openRuntime, type Runtime } from '../../main.ts';
import { ensureBannerBuilt, siteBody } from './banner.fixtures.ts';

/**
 * End to end: a real Lawful server (node adapter, port 0, embedded database) serves the banner script to a page on a
 * second origin; the visitor's clicks land as consent records the decisions API answers from.
 */

const listen = (s: Server) =>
  new Promise<string>((r) =>
    s.listen(0, '127.0.0.1', () => r(`http://127.0.0.1:${(s.address() as AddressInfo).port}`)),
  );

type W = { Lawful: { consent: Record<string, boolean>; pending: boolean }; __tracked?: number };

describe('banner against a running Lawful server (checks 29–31 end to end)', () => {
  let dir: string;
  let rt: Runtime;
  let api: Server;
  let apiUrl: string;
  let page: Server;
  let pageUrl: string;
  let browser: Browser;
  let admin: string;
  let siteId: string;

  const call = async (method: string, path: string, body?: unknown) => {
    const r = await fetch(`${apiUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await r.text();
    expect(r.status, text).toBeLessThan(300);
    return text ? JSON.parse(text) : null;
  };
  const allowed = async (deviceId: string, purpose: string) =>
    (await call('POST', '/v1/decisions', { subject: { identity: { kind: 'device_id', value: deviceId } }, purpose }))
      .allowed as boolean;

  beforeAll(async () => {
    ensureBannerBuilt();
    dir = mkdtempSync(join(tmpdir(), 'lawful-banner-e2e-'));
    const config = loadConfig(
      { LAWFUL_MASTER_KEY: TEST_MASTER_KEY, LAWFUL_RATE_LIMIT: '100000', LOG_LEVEL: 'silent' },
      { data: dir },
    );
    rt = await openRuntime(config, {
      db: await openPglite(join(dir, 'pglite')),
      logger: createLogger({ level: 'silent' }),
    });
    const app = buildApp(rt);
    api = await new Promise((resolve) => {
      const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s as Server));
    });
    apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
    page = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(`<!doctype html><html lang="en"><head>
<script src="${apiUrl}/v1/banner/${siteId}.js" async></script>
<script type="text/plain" data-category="analytics">window.__tracked = (window.__tracked || 0) + 1;</script>
</head><body><main><h1>Shop</h1><p>Content works without consent.</p></main></body></html>`);
    });
    pageUrl = await listen(page);

    admin = (await rt.services.tenants.create({ name: 'E2E', slug: `e2e-${Date.now()}` }, 'test')).adminKey.secret;
    await call('PUT', '/v1/ropa/controller', controllerRecord);
    for (const p of ['marketing-email', 'product-analytics']) await call('POST', '/v1/purposes', purposeBody(p));
    const n = await call('POST', '/v1/notices', {
      key: 'signup',
      name: 'Cookies',
      draft: {
        texts: { en: { title: 'Cookies', markdown: 'What we store and why.' } },
        purposes: ['marketing-email', 'product-analytics'],
      },
    });
    await call('POST', `/v1/notice-versions/${n.id}/publish`);
    siteId = (await call('POST', '/v1/sites', siteBody([pageUrl]))).id;
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    page?.close();
    api?.closeAllConnections();
    await new Promise((r) => api?.close(r));
    await rt?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const device = async (ctx: Awaited<ReturnType<Browser['newContext']>>) => {
    const c = (await ctx.cookies(pageUrl)).find((x) => x.name === 'lawful_consent');
    return JSON.parse(decodeURIComponent(c?.value ?? '{}')) as { d?: string; p?: unknown[] };
  };

  it('Reject all, then Accept all: the records land in Lawful and decisions follow', async () => {
    const ctx = await browser.newContext();
    const p = await ctx.newPage();
    await p.goto(pageUrl);
    await button(p, 'Reject all').click();
    await p.waitForFunction(() => (window as unknown as W).Lawful && !(window as unknown as W).Lawful.pending);
    const d = await device(ctx);
    expect(d.d).toMatch(/^dev_/);
    expect(d.p).toEqual([]);
    expect(await allowed(d.d!, 'product-analytics')).toBe(false);
    expect(await allowed(d.d!, 'marketing-email')).toBe(false);
    expect(await p.evaluate(() => (window as unknown as W).__tracked ?? 0)).toBe(0);

    await p.evaluate(() => (window as unknown as { Lawful: { open(): void } }).Lawful.open());
    await button(p, 'Accept all').click();
    await p.waitForFunction(() => (window as unknown as W).__tracked === 1, undefined, { timeout: 10_000 });
    expect(await allowed(d.d!, 'product-analytics')).toBe(true);
    expect(await allowed(d.d!, 'marketing-email')).toBe(true);
    const rows = await rt.db.raw.query<{ method: string; collection_point: Record<string, string> }>(
      "select method, collection_point from consent_records where collection_point->>'formId' = $1",
      [siteId],
    );
    expect(rows.rows.length).toBe(4);
    expect(rows.rows[0]!.collection_point.bundleHash).toMatch(/^sha384-/);
    await ctx.close();
  });

  it('check 30: with the API down the banner fails closed (nothing optional runs)', async () => {
    const ctx = await browser.newContext();
    const p = await ctx.newPage();
    await p.goto(pageUrl);
    await dialog(p).waitFor({ state: 'visible' });
    api.closeAllConnections();
    await new Promise((r) => api.close(r));
    await button(p, 'Accept all').click();
    await p.waitForTimeout(1000);
    expect(
      await p.evaluate(() => [(window as unknown as W).Lawful.pending, (window as unknown as W).Lawful.consent]),
    ).toEqual([true, { analytics: false, marketing: false }]);
    expect(await p.evaluate(() => (window as unknown as W).__tracked ?? 0)).toBe(0);
    await ctx.close();
  });
});
