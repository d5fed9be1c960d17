import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium } from '../../../test/support/chromium.ts';
import {
  type BannerConfigInput,
  BannerConsentRecord,
  defaultBannerTexts,
  defaultCategoryTexts,
} from '../../contract/src/banner.ts';
import { renderBannerScript } from '../src/serve.ts';

const pkg = fileURLToPath(new URL('..', import.meta.url));

/** Builds once per test file so tests always run the bundle a site would get. */
export const bundle = (): { banner: string; tcf: string } => {
  if (!process.env.LAWFUL_BANNER_BUILT) {
    execFileSync(process.execPath, ['build.mjs'], { cwd: pkg, stdio: 'pipe' });
    process.env.LAWFUL_BANNER_BUILT = '1';
  }
  if (!existsSync(`${pkg}dist/banner.js`)) throw new Error('banner build produced no dist/banner.js');
  return { banner: readFileSync(`${pkg}dist/banner.js`, 'utf8'), tcf: readFileSync(`${pkg}dist/tcf.js`, 'utf8') };
};

const listen = async (s: Server): Promise<string> => {
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
};

const body = (req: IncomingMessage): Promise<string> =>
  new Promise((r) => {
    let b = '';
    req.on('data', (c: Buffer) => {
      b += c.toString();
    });
    req.on('end', () => r(b));
  });

export interface Received {
  record: BannerConsentRecord;
  authorization: string | undefined;
  contentType: string | undefined;
  url: string;
}

/**
 * Stands in for the Lawful API until the server route exists: it speaks the contract (CORS preflight, Bearer key,
 * BannerConsentRecord, 201 with an ack) and remembers what it got. `down` makes it answer 503, like an outage.
 */
export const startApi = async () => {
  const received: Received[] = [];
  const state = { down: false };
  const server = createServer(async (req, res) => {
    res.setHeader('access-control-allow-origin', req.headers.origin ?? '*');
    res.setHeader('vary', 'origin');
    if (req.method === 'OPTIONS') {
      res.writeHead(204, {
        'access-control-allow-methods': 'POST',
        'access-control-allow-headers': 'authorization, content-type',
        'access-control-max-age': '600',
      });
      return res.end();
    }
    const text = await body(req);
    if (state.down) return res.writeHead(503).end();
    const record = BannerConsentRecord.parse(JSON.parse(text));
    const authorization = req.headers.authorization ?? (record.publishableKey && `Bearer ${record.publishableKey}`);
    if (authorization !== `Bearer ${KEY}`) return res.writeHead(401).end();
    received.push({
      record,
      authorization: req.headers.authorization,
      contentType: req.headers['content-type'],
      url: req.url ?? '',
    });
    res.writeHead(201, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({ id: 'cns_01JDQ2M3ZV9G7X6S5R4Q3P2N1M', idempotencyKey: record.idempotencyKey, duplicate: false }),
    );
  });
  const origin = await listen(server);
  return { origin, endpoint: `${origin}/v1/consent/banner`, received, state, close: () => server.close() };
};

export const KEY = 'pk_test_0123456789abcdef';

export const baseConfig = (endpoint: string, origin: string): Omit<BannerConfigInput, 'servicesHash'> => ({
  siteId: 'sit_01JDQ2M3ZV9G7X6S5R4Q3P2N1M',
  notice: {
    versionId: 'ntv_01JDQ2M3ZV9G7X6S5R4Q3P2N1M',
    hash: 'a'.repeat(64),
    url: `${origin}/privacy`,
  },
  bannerVersion: '0.1.0',
  categories: [
    { key: 'necessary', basis: 'exempt', ...defaultCategoryTexts.necessary, services: [] },
    {
      key: 'analytics',
      basis: 'consent',
      ...defaultCategoryTexts.analytics,
      services: [
        {
          id: 'ga',
          name: 'Google Analytics',
          vendor: 'Google Ireland Ltd',
          country: 'IE',
          privacyPolicyUrl: 'https://policies.google.com/privacy',
          cookies: [
            {
              name: '_ga',
              durationSeconds: 400 * 86400,
              thirdParty: false,
              purpose: { en: 'Tells visitors apart' },
              vendor: 'Google',
            },
            {
              name: '^_ga_',
              pattern: true,
              durationSeconds: 400 * 86400,
              thirdParty: false,
              purpose: { en: 'Keeps session state' },
              vendor: 'Google',
            },
          ],
        },
      ],
    },
    {
      key: 'marketing',
      basis: 'consent',
      ...defaultCategoryTexts.marketing,
      services: [
        {
          id: 'video',
          name: 'VideoHost player',
          vendor: 'VideoHost Inc.',
          country: 'US',
          privacyPolicyUrl: 'https://videohost.example/privacy',
          cookies: [
            {
              name: 'vh_id',
              domain: 'videohost.example',
              durationSeconds: 180 * 86400,
              thirdParty: true,
              purpose: { en: 'Ad profile' },
              vendor: 'VideoHost Inc.',
            },
            {
              name: '_mkt',
              durationSeconds: 0,
              thirdParty: false,
              purpose: { en: 'Campaign' },
              vendor: 'VideoHost Inc.',
            },
          ],
        },
      ],
    },
  ],
  texts: defaultBannerTexts,
  consent: { endpoint, publishableKey: KEY },
});

export type Cfg = ReturnType<typeof baseConfig>;

/** A page with one gated external tracker, one gated inline script, one gated iframe, and real content (a form). */
export const page = (o: { lang?: string; nonce?: string; extraHead?: string } = {}): string => {
  const n = o.nonce ? ` nonce="${o.nonce}"` : '';
  return `<!doctype html><html lang="${o.lang ?? 'en'}"><head><meta charset="utf-8"><title>Shop</title>
<script${n} src="/banner.js"></script>${o.extraHead ?? ''}
<script${n} type="text/plain" data-category="analytics" data-src="/tracker.js"></script>
<script${n} type="text/plain" data-category="marketing">document.cookie='_mkt=1; path=/';window.__mkt=1;</script>
<script${n} type="text/plain" data-category="marketing" data-src="https://tracker.example/pixel.js"></script>
</head><body><main><h1>Shop</h1><p>Content that must stay usable.</p>
<button id="own" type="button">Page button</button><input id="q" aria-label="Search">
<iframe title="Video" data-category="marketing" data-service="video" data-src="/embed" width="320" height="180"></iframe>
<div style="height:3000px"></div><a href="#" data-lawful-open>Cookie settings</a></main></body></html>`;
};

const TRACKER = `document.cookie='_ga=GA1.1.1; path=/';document.cookie='_ga_X=GS1; path=/';localStorage.setItem('tracker','1');window.__tracked=(window.__tracked||0)+1;`;

/** The site: serves the page, the rendered banner script (config inlined) and a first-party tracker. */
export const startSite = async (apiEndpoint: () => string) => {
  const { banner, tcf } = bundle();
  const hits: string[] = [];
  const site = {
    config: undefined as unknown as Cfg,
    html: page(),
    csp: undefined as string | undefined,
    gvl: '{}',
  };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    hits.push(url.pathname);
    const send = (type: string, text: string, headers: Record<string, string> = {}) => {
      res.writeHead(200, { 'content-type': type, ...headers });
      res.end(text);
    };
    if (url.pathname === '/banner.js') return send('text/javascript', renderBannerScript(banner, site.config).body);
    if (url.pathname === '/tracker.js') return send('text/javascript', TRACKER);
    if (url.pathname === '/tcf.js') return send('text/javascript', tcf, { 'access-control-allow-origin': '*' });
    if (url.pathname === '/gvl.json') return send('application/json', site.gvl, { 'access-control-allow-origin': '*' });
    if (url.pathname === '/embed') return send('text/html', '<!doctype html><title>embed</title><p>video</p>');
    if (url.pathname === '/')
      return send('text/html', site.html, site.csp ? { 'content-security-policy': site.csp } : {});
    res.writeHead(404).end();
  });
  const origin = await listen(server);
  site.config = baseConfig(apiEndpoint(), origin);
  return { origin, hits, site, close: () => server.close() };
};

/** A context that can only talk to 127.0.0.1; everything else is refused and remembered. */
export const newContext = async (
  browser: Browser,
  opts: Parameters<Browser['newContext']>[0] = {},
): Promise<{ ctx: BrowserContext; blocked: string[] }> => {
  const ctx = await browser.newContext(opts);
  const blocked: string[] = [];
  await ctx.route('**/*', (route) => {
    const u = new URL(route.request().url());
    if (u.hostname === '127.0.0.1') return route.continue();
    blocked.push(u.href);
    return route.abort('blockedbyclient');
  });
  return { ctx, blocked };
};

export const setup = async () => {
  let api: Awaited<ReturnType<typeof startApi>> | undefined;
  api = await startApi();
  const site = await startSite(() => api?.endpoint ?? '');
  const browser = await launchChromium();
  return {
    api,
    site,
    browser,
    close: async () => {
      await browser.close();
      site.close();
      api?.close();
    },
  };
};

/** The banner's dialog inside its shadow root (Playwright's CSS engine pierces open shadow roots). */
export const dialog = (p: Page) => p.locator('#lawful-banner [role="dialog"]');
export const button = (p: Page, name: string) => dialog(p).getByRole('button', { name, exact: true });

/** Cookies, localStorage and IndexedDB databases the page can see. */
export const storage = async (p: Page) =>
  p.evaluate(async () => ({
    cookies: document.cookie,
    local: Object.keys(localStorage),
    idb: (await indexedDB.databases()).map((d) => d.name),
  }));

/** Waits until the stand-in API has received `n` records. */
export const waitForRecords = async (api: { received: Received[] }, n: number, ms = 5000): Promise<void> => {
  const end = Date.now() + ms;
  while (api.received.length < n) {
    if (Date.now() > end) throw new Error(`expected ${n} consent records, got ${api.received.length}`);
    await new Promise((r) => setTimeout(r, 25));
  }
};
