import { readFileSync } from 'node:fs';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { defaultBannerTexts } from '../../contract/src/banner.ts';
import { baseConfig, button, dialog, KEY, newContext, page, setup, storage, waitForRecords } from './harness.ts';

let env: Awaited<ReturnType<typeof setup>>;
beforeAll(async () => {
  env = await setup();
});
afterAll(async () => env?.close());
// A failed test must not leave a page behind that keeps retrying into the next test's records.
const open: BrowserContext[] = [];
afterEach(async () => {
  for (const c of open.splice(0)) await c.close().catch(() => undefined);
});

type W = {
  Lawful: {
    consent: Record<string, boolean>;
    pending: boolean;
    acceptAll(): void;
    rejectAll(): void;
    on(e: 'change', f: (c: object) => void): void;
  };
  dataLayer: IArguments[];
  __tracked?: number;
  __mkt?: number;
};

const reset = () => {
  env.api.received.length = 0;
  env.api.state.down = false;
  env.site.hits.length = 0;
  env.site.site.html = page();
  env.site.site.csp = undefined;
  env.site.site.config = baseConfig(env.api.endpoint, env.site.origin);
};
const visit = async (opts: Parameters<typeof newContext>[1] = {}, init?: string) => {
  reset();
  const { ctx, blocked } = await newContext(env.browser, opts);
  open.push(ctx);
  if (init) await ctx.addInitScript(init);
  const p = await ctx.newPage();
  return { ctx, p, blocked };
};
const tracked = (p: Page) => p.evaluate(() => (window as unknown as W).__tracked ?? 0);
const deviceCookie = (p: Page) =>
  p.evaluate(
    () =>
      JSON.parse(
        decodeURIComponent(
          document.cookie
            .split('; ')
            .find((c) => c.startsWith('lawful_consent='))
            ?.slice(15) ?? '{}',
        ),
      ) as { d?: string; p?: unknown[] },
  );

describe('consent records, fail closed, GPC, Consent Mode (checks 29–31)', () => {
  it('check 31: every choice is POSTed with the key in Authorization (never the URL), device id, notice, banner version and bundle hash', async () => {
    const { ctx, p } = await visit();
    await p.goto(env.site.origin);
    await button(p, 'Accept all').click();
    await waitForRecords(env.api, 1);
    const [r] = env.api.received;
    const manifest = JSON.parse(readFileSync(new URL('../dist/manifest.json', import.meta.url), 'utf8'));
    expect(r?.authorization).toBe(`Bearer ${KEY}`);
    expect(r?.contentType).toBe('application/json');
    expect(r?.url).toBe('/v1/consent/banner');
    expect(r?.record.publishableKey).toBeUndefined();
    expect(r?.record).toMatchObject({
      siteId: 'sit_01JDQ2M3ZV9G7X6S5R4Q3P2N1M',
      noticeVersionId: 'ntv_01JDQ2M3ZV9G7X6S5R4Q3P2N1M',
      noticeHash: 'a'.repeat(64),
      bannerVersion: '0.1.0',
      bundleHash: manifest.files['banner.js'].integrity,
      locale: 'en',
      jurisdiction: 'eu',
      gpc: false,
      pageUrl: `${env.site.origin}/`,
      action: { kind: 'accept_all', layer: 'first', label: 'Accept all' },
      decisions: [
        { category: 'analytics', granted: true, method: 'banner' },
        { category: 'marketing', granted: true, method: 'banner' },
      ],
    });
    const cookie = await deviceCookie(p);
    expect(r?.record.deviceId).toBe(cookie.d);
    expect((await ctx.cookies()).find((c) => c.name === 'lawful_consent')?.domain).toBe('127.0.0.1');
    await ctx.close();
  });

  it('check 30: with the consent API down the banner fails closed, keeps the choice pending and retries', async () => {
    const { ctx, p } = await visit();
    env.api.state.down = true;
    await p.goto(env.site.origin);
    await button(p, 'Accept all').click();
    await p.waitForTimeout(700);
    expect(await tracked(p)).toBe(0);
    expect(
      await p.evaluate(() => [(window as unknown as W).Lawful.pending, (window as unknown as W).Lawful.consent]),
    ).toEqual([true, { analytics: false, marketing: false }]);
    await p.reload(); // still down: the pending choice is retried on load and nothing runs
    await p.waitForTimeout(500);
    expect(await tracked(p)).toBe(0);
    expect(await dialog(p).isVisible()).toBe(false);
    expect(env.site.hits).not.toContain('/tracker.js');
    env.api.state.down = false; // the API comes back: the in-page retry (2 s backoff) delivers and unlocks
    await p.waitForFunction(() => (window as unknown as W).__tracked === 1, undefined, { timeout: 8000 });
    expect(env.api.received).toHaveLength(1);
    expect((await deviceCookie(p)).p).toEqual([]);
    await ctx.close();
  });

  it('check 29: GPC denies the GPC categories with method gpc, is never consent, its absence later is no opt-in, EEA still sees the banner', async () => {
    const gpc = `if (location.search.includes('gpc=1')) Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', { get: () => true });`;
    const { ctx, p } = await visit({}, gpc);
    await p.goto(`${env.site.origin}/?gpc=1`);
    await dialog(p).waitFor({ state: 'visible' });
    await waitForRecords(env.api, 1);
    expect(env.api.received[0]?.record).toMatchObject({
      gpc: true,
      action: { kind: 'gpc', layer: 'signal' },
      decisions: [{ category: 'marketing', granted: false, method: 'gpc' }],
    });
    expect(
      await dialog(p)
        .getByText(/Global Privacy Control/)
        .first()
        .isVisible(),
    ).toBe(true);
    await button(p, 'Accept all').click();
    await waitForRecords(env.api, 2);
    expect(env.api.received[1]?.record.decisions).toEqual([
      { category: 'analytics', granted: true, method: 'banner' },
      { category: 'marketing', granted: false, method: 'gpc' },
    ]);
    await p.waitForFunction(() => (window as unknown as W).__tracked === 1);
    expect(await p.evaluate(() => (window as unknown as W).__mkt)).toBeUndefined();
    // Next visit without the signal: marketing stays off; nothing is switched on by the signal going away.
    await p.goto(env.site.origin);
    await p.waitForFunction(() => (window as unknown as W).__tracked === 1);
    expect(await p.evaluate(() => (window as unknown as W).Lawful.consent)).toEqual({
      analytics: true,
      marketing: false,
    });
    expect(env.api.received).toHaveLength(2);
    await ctx.close();
  });

  it('Google Consent Mode v2: defaults are denied before any gated tag runs, and updated on choice', async () => {
    const { ctx, p } = await visit();
    env.site.site.html = page().replace(
      '/tracker.js"></script>',
      '/tracker.js"></script><script type="text/plain" data-category="analytics">window.__dlAtRun=JSON.stringify(Array.from(dataLayer,a=>Array.from(a)));</script>',
    );
    await p.goto(env.site.origin);
    const dl = () =>
      p.evaluate(() => JSON.stringify(Array.from((window as unknown as W).dataLayer, (a) => Array.from(a))));
    const first = JSON.parse(await dl());
    expect(first[0]).toEqual([
      'consent',
      'default',
      expect.objectContaining({
        ad_storage: 'denied',
        analytics_storage: 'denied',
        ad_user_data: 'denied',
        ad_personalization: 'denied',
        wait_for_update: 500,
      }),
    ]);
    expect(first).toHaveLength(1);
    await dialog(p).getByRole('button', { name: 'Choose' }).click();
    await dialog(p).getByRole('switch', { name: 'Analytics' }).check();
    await button(p, 'Save my choices').click();
    await p.waitForFunction(() => 'dlAtRun' in window || '__dlAtRun' in window);
    const atRun = JSON.parse(await p.evaluate(() => (window as unknown as { __dlAtRun: string }).__dlAtRun));
    expect(atRun[0][1]).toBe('default');
    expect(atRun[1]).toEqual([
      'consent',
      'update',
      expect.objectContaining({
        analytics_storage: 'granted',
        ad_storage: 'denied',
        ad_user_data: 'denied',
        ad_personalization: 'denied',
      }),
    ]);
    await ctx.close();
  });

  it('JS API: Lawful.consent, Lawful.on("change"), Lawful.acceptAll(), Lawful.rejectAll()', async () => {
    const { ctx, p } = await visit();
    await p.goto(env.site.origin);
    await dialog(p).waitFor({ state: 'visible' });
    const seen = await p.evaluate(async () => {
      const L = (window as unknown as W).Lawful;
      const changes: object[] = [];
      L.on('change', (c) => changes.push(c));
      const before = L.consent;
      L.acceptAll();
      await new Promise((r) => setTimeout(r, 800));
      return { before, changes, after: L.consent };
    });
    expect(seen).toEqual({
      before: { analytics: false, marketing: false },
      changes: [{ analytics: true, marketing: true }],
      after: { analytics: true, marketing: true },
    });
    expect(env.api.received[0]?.record.action).toEqual({
      kind: 'accept_all',
      layer: 'api',
      label: 'Lawful.acceptAll()',
    });
    const reload = p.waitForEvent('load');
    await p.evaluate(() => (window as unknown as W).Lawful.rejectAll());
    await reload; // withdrawing what already ran reloads the page so it stops
    await waitForRecords(env.api, 2);
    expect(env.api.received[1]?.record.decisions.every((d) => !d.granted)).toBe(true);
    expect((await storage(p)).cookies).toMatch(/^lawful_consent=[^;]+$/);
    await ctx.close();
  });
});

describe('re-prompt, locale, layout, CSP, iframes', () => {
  const months = (n: number, days = 0) => {
    const d = new Date('2026-01-31T12:00:00Z');
    d.setUTCMonth(d.getUTCMonth() + n);
    return new Date(d.getTime() + days * 86400_000);
  };
  const shown = async (ctx: BrowserContext, at: Date) => {
    await ctx.clock.setSystemTime(at);
    const p = await ctx.newPage();
    await p.goto(env.site.origin);
    await p.waitForFunction(() => 'Lawful' in window);
    await p.waitForTimeout(100);
    const v = await dialog(p).isVisible();
    await p.close();
    return v;
  };

  it('re-prompts 6 months after a refusal and 12 after a grant, never before', async () => {
    for (const [choice, period] of [
      ['Reject all', 6],
      ['Accept all', 12],
    ] as const) {
      const { ctx } = await visit();
      await ctx.clock.install({ time: months(0) });
      const p = await ctx.newPage();
      await p.goto(env.site.origin);
      await button(p, choice).click();
      await waitForRecords(env.api, 1);
      await p.close();
      expect(await shown(ctx, months(period, -2)), `${choice}: not before ${period} months`).toBe(false);
      expect(await shown(ctx, months(period, 1)), `${choice}: after ${period} months`).toBe(true);
      await ctx.close();
    }
  }, 60_000);

  it('re-prompts when the notice version or the service list changes', async () => {
    const { ctx, p } = await visit();
    await p.goto(env.site.origin);
    await button(p, 'Reject all').click();
    await waitForRecords(env.api, 1);
    expect(await shown(ctx, new Date())).toBe(false);
    env.site.site.config.categories[1]?.services?.[0]?.cookies?.push({
      name: '_gid',
      durationSeconds: 86400,
      thirdParty: false,
      purpose: { en: 'x' },
      vendor: 'Google',
    });
    expect(await shown(ctx, new Date()), 'service list changed').toBe(true);
    env.site.site.config = baseConfig(env.api.endpoint, env.site.origin);
    expect(await shown(ctx, new Date())).toBe(false);
    env.site.site.config.notice.versionId = 'ntv_01JDQ2M3ZV9G7X6S5R4Q3P2N1N';
    expect(await shown(ctx, new Date()), 'notice version changed').toBe(true);
    await ctx.close();
  });

  it('localisation: <html lang> first, then navigator.languages, in all six languages', async () => {
    const { ctx, p } = await visit({ locale: 'fr-FR' });
    for (const lang of ['en', 'de', 'fr', 'es', 'it', 'nl'] as const) {
      env.site.site.html = page({ lang: `${lang}-XX` });
      await p.goto(env.site.origin);
      expect(await dialog(p).locator('h2').textContent()).toBe(defaultBannerTexts[lang].title);
      expect(await button(p, defaultBannerTexts[lang].rejectAll).count()).toBe(1);
    }
    env.site.site.html = page({ lang: 'ja' });
    await p.goto(env.site.origin);
    expect(await dialog(p).locator('h2').textContent()).toBe(defaultBannerTexts.fr.title);
    await ctx.close();
  });

  // CLS as Core Web Vitals defines it: shifts within 500 ms of a click (hadRecentInput), such as the dialog growing
  // into its second layer after "Choose", are expected by the person and not counted.
  it('no layout shift (CLS 0) while the banner, its layers and the embed placeholder appear', async () => {
    const { ctx, p } = await visit(
      {},
      `window.__cls=0;new PerformanceObserver(l=>{for(const e of l.getEntries())if(!e.hadRecentInput)window.__cls+=e.value}).observe({type:'layout-shift',buffered:true});`,
    );
    await p.goto(env.site.origin);
    await dialog(p).waitFor({ state: 'visible' });
    await button(p, 'Choose').click();
    await button(p, 'Save my choices').click();
    await p.waitForTimeout(300);
    expect(await p.evaluate(() => (window as unknown as { __cls: number }).__cls)).toBe(0);
    expect(await dialog(p).evaluate((d) => getComputedStyle(d).position)).toBe('fixed');
    await ctx.close();
  });

  it('strict CSP with a nonce (script-src and style-src, no unsafe-inline, no eval): shows, styles, and runs gated scripts', async () => {
    const { ctx, p } = await visit(
      {},
      `window.__csp=[];document.addEventListener('securitypolicyviolation',e=>window.__csp.push(e.violatedDirective+' '+e.blockedURI))`,
    );
    const nonce = 'r4nd0mN0nce';
    env.site.site.html = page({ nonce, extraHead: '' }).replace('<div style="height:3000px"></div>', '');
    env.site.site.csp = `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'nonce-${nonce}'; connect-src ${env.api.origin}; frame-src 'self'; img-src 'self'`;
    await p.goto(env.site.origin);
    await dialog(p).waitFor({ state: 'visible' });
    expect(await dialog(p).evaluate((d) => getComputedStyle(d).position)).toBe('fixed');
    await button(p, 'Accept all').click();
    await p.waitForFunction(() => (window as unknown as W).__tracked === 1 && (window as unknown as W).__mkt === 1);
    await waitForRecords(env.api, 1);
    expect(await p.evaluate(() => (window as unknown as { __csp: string[] }).__csp)).toEqual([]);
    await ctx.close();
  });

  it('iframes are gated with a placeholder that explains and lets the person allow that one embed', async () => {
    const { ctx, p } = await visit();
    await p.goto(env.site.origin);
    await button(p, 'Reject all').click();
    const ph = p.locator('[data-lawful-ph]');
    await expect(ph.locator('p').innerText()).resolves.toContain(
      'This content from VideoHost Inc. is blocked because it uses Marketing cookies',
    );
    expect(await p.locator('iframe').getAttribute('src')).toBeNull();
    expect(env.site.hits).not.toContain('/embed');
    await ph.getByRole('button', { name: 'Allow this content' }).click();
    await p.waitForFunction(() => document.querySelector('iframe')?.getAttribute('src') === '/embed');
    await waitForRecords(env.api, 2);
    expect(env.api.received[1]?.record).toMatchObject({
      action: { kind: 'allow_embed', layer: 'placeholder' },
      decisions: [{ category: 'marketing', service: 'video', granted: true, method: 'banner' }],
    });
    expect(
      await p.evaluate(() => [(window as unknown as W).Lawful.consent.marketing, (window as unknown as W).__mkt]),
    ).toEqual([false, undefined]);
    expect(await ph.count()).toBe(0);
    await ctx.close();
  });
});
