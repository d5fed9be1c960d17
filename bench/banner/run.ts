/**
 * Cookie banner benchmark: Lawful vs vanilla-cookieconsent vs Orejime, measured in one run, same Chromium, same page
 * (two optional categories, one gated tracker), files from node_modules.
 *
 *   node --import tsx bench/banner/run.ts [iterations=7]
 *
 * Prints bytes (JS+CSS gzip), time from navigation start to the banner being visible (desktop; and mobile: 4× CPU
 * slowdown + slow-4G network via CDP) and Total Blocking Time (sum of long-task time over 50 ms), medians.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { Browser } from 'playwright-core';
import { renderBannerScript } from '../../packages/banner/src/serve.ts';
import { defaultBannerTexts, defaultCategoryTexts } from '../../packages/contract/src/banner.ts';
import { launchChromium } from '../../test/support/chromium.ts';

const print = (...parts: unknown[]) => process.stdout.write(`${parts.join(' ')}\n`);

const iterations = Number(process.argv[2] ?? 7);
const root = fileURLToPath(new URL('../..', import.meta.url));
const require = createRequire(`${root}packages/banner/package.json`);
const file = (id: string) => readFileSync(require.resolve(id), 'utf8');

execFileSync(process.execPath, ['build.mjs'], { cwd: `${root}packages/banner`, stdio: 'ignore' });
const lawfulBundle = readFileSync(`${root}packages/banner/dist/banner.js`, 'utf8');
const assets: Record<string, string> = {
  '/cc.js': file('vanilla-cookieconsent/dist/cookieconsent.umd.js'),
  '/cc.css': file('vanilla-cookieconsent/dist/cookieconsent.css'),
  '/orejime.js': file('orejime/dist/orejime-standard-en.js'),
  '/orejime.css': file('orejime/dist/orejime-standard.css'),
  '/tracker.js': 'window.__tracked=1;',
};
const gz = (s: string) => gzipSync(s, { level: 9 }).length;

const t = defaultBannerTexts.en;
const content = '<main><h1>Shop</h1><p>Some article text.</p></main>';
const tracker = (attr: string) =>
  `<script type="text/plain" ${attr} data-src="/tracker.js" src-x="/tracker.js"></script>`;

const pages = (origin: string): Record<string, { html: string; visible: string; bytes: number }> => {
  const lawful = renderBannerScript(lawfulBundle, {
    siteId: 'sit_01JDQ2M3ZV9G7X6S5R4Q3P2N1M',
    notice: { versionId: 'ntv_01JDQ2M3ZV9G7X6S5R4Q3P2N1M', hash: 'a'.repeat(64) },
    bannerVersion: '0.1.0',
    categories: [
      { key: 'necessary', basis: 'exempt', ...defaultCategoryTexts.necessary },
      { key: 'analytics', basis: 'consent', ...defaultCategoryTexts.analytics },
      { key: 'marketing', basis: 'consent', ...defaultCategoryTexts.marketing },
    ],
    texts: { en: t },
    consent: { endpoint: `${origin}/consent`, publishableKey: 'pk_bench_0123456789abcdef' },
  });
  assets['/lawful.js'] = lawful.body;
  const ccConfig = {
    // Its default hides the banner when navigator.webdriver is set, which automation always sets.
    hideFromBots: false,
    categories: { necessary: { enabled: true, readOnly: true }, analytics: {}, marketing: {} },
    language: {
      default: 'en',
      translations: {
        en: {
          consentModal: {
            title: t.title,
            description: t.description,
            acceptAllBtn: t.acceptAll,
            acceptNecessaryBtn: t.rejectAll,
            showPreferencesBtn: t.choose,
          },
          preferencesModal: {
            title: t.choicesTitle,
            acceptAllBtn: t.acceptAll,
            acceptNecessaryBtn: t.rejectAll,
            savePreferencesBtn: t.save,
            sections: ['necessary', 'analytics', 'marketing'].map((k) => ({
              title: defaultCategoryTexts[k as 'analytics'].label.en,
              description: defaultCategoryTexts[k as 'analytics'].description.en,
              linkedCategory: k,
            })),
          },
        },
      },
    },
  };
  const orejimeConfig = {
    privacyPolicyUrl: '/privacy',
    purposes: ['analytics', 'marketing'].map((k) => ({
      id: k,
      title: defaultCategoryTexts[k as 'analytics'].label.en,
      description: defaultCategoryTexts[k as 'analytics'].description.en,
      cookies: [],
    })),
  };
  return {
    Lawful: {
      html: `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>b</title><script src="/lawful.js"></script>${tracker('data-category="analytics"')}</head><body>${content}</body></html>`,
      visible: `document.querySelector('#lawful-banner')?.shadowRoot?.querySelector('[role=dialog]:not([hidden])')`,
      bytes: gz(lawfulBundle),
    },
    'vanilla-cookieconsent': {
      html: `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>b</title><link rel="stylesheet" href="/cc.css"><script src="/cc.js"></script>${tracker('data-category="analytics"')}</head><body>${content}<script>CookieConsent.run(${JSON.stringify(ccConfig)});</script></body></html>`,
      visible: `document.querySelector('#cc-main .cm')`,
      bytes: gz(assets['/cc.js'] ?? '') + gz(assets['/cc.css'] ?? ''),
    },
    Orejime: {
      html: `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>b</title><link rel="stylesheet" href="/orejime.css"><script>window.orejimeConfig=${JSON.stringify(orejimeConfig)};</script><script src="/orejime.js"></script><template data-purpose="analytics"><script src="/tracker.js"></script></template></head><body>${content}</body></html>`,
      visible: `document.querySelector('.orejime-Banner')`,
      bytes: gz(assets['/orejime.js'] ?? '') + gz(assets['/orejime.css'] ?? ''),
    },
  };
};

const server = createServer((req, res) => {
  const path = new URL(req.url ?? '/', 'http://x').pathname;
  const body = path.startsWith('/page/') ? current[decodeURIComponent(path.slice(6))]?.html : assets[path];
  if (body === undefined) return res.writeHead(path === '/consent' ? 204 : 404).end();
  const type = path.endsWith('.css') ? 'text/css' : path.endsWith('.js') ? 'text/javascript' : 'text/html';
  // Served gzipped, as any real site would, so the slow-4G profile pays for compressed bytes.
  res.writeHead(200, { 'content-type': type, 'content-encoding': 'gzip', 'cache-control': 'no-store' });
  res.end(gzipSync(body));
});
await new Promise<void>((r) => server.listen(Number(process.env.BENCH_PORT ?? 0), '127.0.0.1', r));
const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
const current = pages(origin);

interface Sample {
  visibleMs: number;
  tbtMs: number;
}

const measure = async (browser: Browser, name: string, mobile: boolean): Promise<Sample> => {
  const ctx = await browser.newContext(
    mobile
      ? { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 }
      : { viewport: { width: 1366, height: 768 } },
  );
  await ctx.route('**/*', (r) => (new URL(r.request().url()).hostname === '127.0.0.1' ? r.continue() : r.abort()));
  const visible = current[name]?.visible ?? 'null';
  await ctx.addInitScript(`
    window.__lt = [];
    try { new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__lt.push([e.startTime, e.duration]); }).observe({ type: 'longtask', buffered: true }); } catch {}
    const poll = () => {
      const el = ${visible};
      if (el && el.getBoundingClientRect().height > 0 && getComputedStyle(el).visibility !== 'hidden' && getComputedStyle(el).opacity !== '0') window.__visible = performance.now();
      else requestAnimationFrame(poll);
    };
    requestAnimationFrame(poll);`);
  const page = await ctx.newPage();
  const cdp = await ctx.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  if (mobile) {
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
    // Lighthouse's "slow 4G": 150 ms RTT, 1.6 Mbit/s down, 750 kbit/s up.
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 150,
      downloadThroughput: (1.6 * 1024 * 1024) / 8,
      uploadThroughput: (750 * 1024) / 8,
    });
  }
  await page.goto(`${origin}/page/${encodeURIComponent(name)}`);
  await page.waitForFunction(() => (window as { __visible?: number }).__visible !== undefined, undefined, {
    timeout: 30_000,
  });
  await page.waitForTimeout(500);
  const r = await page.evaluate(() => {
    const w = window as unknown as { __visible: number; __lt: [number, number][] };
    return { visibleMs: w.__visible, tbtMs: w.__lt.reduce((s, [, d]) => s + Math.max(0, d - 50), 0) };
  });
  await ctx.close();
  return r;
};

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] ?? 0) : ((s[m - 1] ?? 0) + (s[m] ?? 0)) / 2;
};

const browser = await launchChromium();
const names = Object.keys(current);
const results: Record<string, Record<'desktop' | 'mobile', Sample[]>> = {};
for (const n of names) results[n] = { desktop: [], mobile: [] };
// Interleaved, one warm-up round discarded, so machine noise hits every banner alike.
for (let i = -1; i < iterations; i++) {
  for (const profile of ['desktop', 'mobile'] as const) {
    for (const n of names) {
      const s = await measure(browser, n, profile === 'mobile');
      if (i >= 0) results[n]?.[profile].push(s);
    }
  }
}
await browser.close();
server.close();

const rows = names.map((n) => {
  const r = results[n] as Record<'desktop' | 'mobile', Sample[]>;
  return {
    name: n,
    bytes: current[n]?.bytes ?? 0,
    desktop: median(r.desktop.map((s) => s.visibleMs)),
    mobile: median(r.mobile.map((s) => s.visibleMs)),
    tbtDesktop: median(r.desktop.map((s) => s.tbtMs)),
    tbtMobile: median(r.mobile.map((s) => s.tbtMs)),
  };
});
const base = rows[0] as (typeof rows)[number];
const ratio = (a: number, b: number) => (b > 0 ? `${(a / b).toFixed(1)}×` : a > 0 ? '∞' : '=');
print(
  `Cookie banner benchmark — Chromium ${browser.version()}, ${iterations} iterations (medians), node ${process.version}`,
);
print('| banner | JS+CSS gzip | visible, desktop | visible, mobile (4× CPU, slow 4G) | TBT desktop | TBT mobile |');
print('|---|---:|---:|---:|---:|---:|');
for (const r of rows) {
  const vs = r === base ? '' : ` (${ratio(r.bytes, base.bytes)})`;
  print(
    `| ${r.name} | ${(r.bytes / 1024).toFixed(1)} KB${vs} | ${r.desktop.toFixed(0)} ms${r === base ? '' : ` (${ratio(r.desktop, base.desktop)})`} | ${r.mobile.toFixed(0)} ms${r === base ? '' : ` (${ratio(r.mobile, base.mobile)})`} | ${r.tbtDesktop.toFixed(0)} ms | ${r.tbtMobile.toFixed(0)} ms |`,
  );
}
print(
  `Ratios in parentheses: peer ÷ Lawful. Lawful's inlined config adds ${gz(assets['/lawful.js'] ?? '') - base.bytes} B gzip for this site.`,
);
