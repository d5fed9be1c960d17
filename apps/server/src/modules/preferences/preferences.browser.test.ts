import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../../../../../test/support/chromium.ts';
import { controllerRecord, purposeBody } from '../../../test/consent-fixtures.ts';
import { loadConfig } from '../../config.ts';
import { openPglite } from '../../db/client.ts';
import { createLogger } from '../../lib/logger.ts';
import { buildApp, openRuntime, type Runtime } from '../../main.ts';

const axePath = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const dir = mkdtempSync(join(tmpdir(), 'lawful-prefs-browser-'));
let rt: Runtime;
let server: ReturnType<typeof serve>;
let base: string;
let browser: Browser;
let admin: string;
let published: { id: string; rendered: Record<string, { sha256: string }> };

const api = async (method: string, path: string, body?: unknown) => {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = (await res.json()) as Record<string, never>;
  expect(res.status, JSON.stringify(json)).toBeLessThan(300);
  return json as Record<string, unknown> & { [k: string]: never };
};

/** A person who granted both purposes, and the path of their preference page. */
const person = async (email: string) => {
  const v = published;
  const r = (await api('POST', '/v1/consents', {
    subject: { identity: { kind: 'email', value: email } },
    noticeVersionId: v.id,
    noticeHash: v.rendered.en!.sha256,
    locale: 'en',
    decisions: [
      { purpose: 'marketing-email', granted: true },
      { purpose: 'product-analytics', granted: true },
    ],
    method: 'form_checkbox',
    affirmativeAction: { kind: 'checkbox_ticked' },
  })) as unknown as { records: { subjectId: string }[] };
  const link = (await api('POST', `/v1/subjects/${r.records[0]!.subjectId}/preference-link`, {})) as unknown as {
    url: string;
  };
  return new URL(link.url).pathname;
};

beforeAll(async () => {
  const config = loadConfig(
    { LAWFUL_MASTER_KEY: Buffer.alloc(32, 7).toString('base64'), LAWFUL_RATE_LIMIT: '100000', LOG_LEVEL: 'silent' },
    { data: dir },
  );
  rt = await openRuntime(config, {
    db: await openPglite(join(dir, 'pglite')),
    logger: createLogger({ level: 'silent' }),
  });
  const app = buildApp(rt);
  server = await new Promise((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  const addr = server.address();
  base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  const t = await rt.services.tenants.create({ name: 'Acme', slug: 'acme' }, 'test');
  admin = t.adminKey.secret;
  await api('PUT', '/v1/ropa/controller', controllerRecord);
  for (const p of ['marketing-email', 'product-analytics']) await api('POST', '/v1/purposes', purposeBody(p));
  const n = (await api('POST', '/v1/notices', {
    key: 'signup',
    name: 'Sign-up',
    draft: {
      texts: {
        en: { title: 'Your choices', markdown: 'We would like to **keep in touch**.' },
        de: { title: 'Ihre Wahl', markdown: 'Wir möchten **in Kontakt bleiben**.' },
      },
      purposes: ['marketing-email', 'product-analytics'],
    },
  })) as unknown as { id: string };
  published = (await api('POST', `/v1/notice-versions/${n.id}/publish`)) as unknown as typeof published;
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await new Promise<void>((r) => server.close(() => r()));
  await rt.close();
  rmSync(dir, { recursive: true, force: true });
});

const axe = async (page: Page) => {
  await page.addScriptTag({ path: axePath });
  return page.evaluate(async () => {
    const w = window as unknown as {
      axe: { run(o: object): Promise<{ violations: { id: string; nodes: { target: string[] }[] }[] }> };
    };
    const r = await w.axe.run({ runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return r.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  });
};

describe('preference centre in Chromium (checks 12, 64; WCAG 2.1 AA)', () => {
  it('axe finds no WCAG 2.1 AA violation, in English and in German', async () => {
    const path = await person('axe@example.com');
    // axe is injected as a script, which the page's CSP rightly forbids: bypass it for the audit only.
    const ctx = await browser.newContext({ bypassCSP: true });
    const page = await ctx.newPage();
    for (const lang of ['en', 'de']) {
      await page.goto(`${base}${path}?lang=${lang}`);
      expect(await page.getAttribute('html', 'lang')).toBe(lang);
      expect(await axe(page)).toEqual([]);
    }
    await ctx.close();
  });

  it('keyboard only: Tab to the withdraw button, Enter; exactly one POST, then the new state is shown', async () => {
    const path = await person('keys@example.com');
    const ctx = await browser.newContext({ javaScriptEnabled: false });
    const page = await ctx.newPage();
    const posts: string[] = [];
    page.on('request', (r) => {
      if (r.method() === 'POST') posts.push(new URL(r.url()).pathname.split('/').at(-1)!);
    });
    await page.goto(`${base}${path}?lang=en`);
    let found = false;
    for (let i = 0; i < 40 && !found; i++) {
      await page.keyboard.press('Tab');
      found = await page.evaluate(
        () => (document.activeElement as HTMLElement | null)?.getAttribute('data-purpose') === 'marketing-email',
      );
    }
    expect(found).toBe(true);
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe(
      'Withdraw consent: Purpose marketing-email',
    );
    await Promise.all([page.waitForURL(/saved=1/), page.keyboard.press('Enter')]);
    expect(posts).toEqual(['choice']);
    expect(await page.textContent('[role=status]')).toContain('Saved');
    const state = await page.getAttribute('#purpose-marketing-email ~ p.state', 'data-state');
    expect(state).toBe('withdrawn');
    expect(await page.isVisible('button[data-purpose="marketing-email"]:has-text("Give consent")')).toBe(true);
    await ctx.close();
  });

  it('one click with a mouse withdraws; the page keeps working with its strict CSP', async () => {
    const path = await person('click@example.com');
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    const violations: string[] = [];
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
    });
    let posts = 0;
    page.on('request', (r) => {
      if (r.method() === 'POST') posts++;
    });
    await page.goto(`${base}${path}`);
    await Promise.all([page.waitForURL(/saved=1/), page.click('button[data-purpose="product-analytics"]')]);
    expect(posts).toBe(1);
    expect(await page.getAttribute('#purpose-product-analytics ~ p.state', 'data-state')).toBe('withdrawn');
    expect(violations).toEqual([]);
    await ctx.close();
  });
});
