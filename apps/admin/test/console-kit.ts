import { mkdtempSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';

/** What the console's browser tests share: the users' password, screenshots, sign-in, axe-core, overflow. */
export const PASSWORD = 'a long enough passphrase';

// The screenshots in docs/ are refreshed on purpose (LAWFUL_SCREENSHOTS=1), not by every run.
export const SHOTS = process.env.LAWFUL_SCREENSHOTS
  ? fileURLToPath(new URL('../../../docs/screenshots/', import.meta.url))
  : `${mkdtempSync(join(tmpdir(), 'lawful-shots-'))}/`;

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** WCAG 2.1 A/AA violations on the page, as `rule: targets` lines (empty when there are none). */
export const axe = async (p: Page) => {
  // Evaluated through the debugging protocol: the page's CSP (rightly) refuses inline scripts.
  await p.evaluate(axeSource);
  return p.evaluate(async () => {
    const w = window as unknown as {
      axe: {
        run: (c: unknown, o: unknown) => Promise<{ violations: { id: string; nodes: { target: unknown }[] }[] }>;
      };
    };
    const r = await w.axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    });
    return r.violations.map((v) => `${v.id}: ${JSON.stringify(v.nodes.map((n) => n.target))}`);
  });
};

/** Elements reaching past the right edge (tables scroll inside their own box, the nav inside its own). */
export const tooWide = (p: Page) =>
  p.evaluate(() =>
    Array.from(document.querySelectorAll('body *'))
      .filter((e) => !e.closest('.table-wrap, .nav ul') && e.getBoundingClientRect().right > window.innerWidth + 1)
      .map((e) => `${e.tagName.toLowerCase()}.${e.className}`),
  );

/** Signs in through the form as a person would; resolves on the Overview. */
export const signInAs = async (ctx: BrowserContext, origin: string, who: { slug: string; email: string }) => {
  const p = await ctx.newPage();
  await p.goto(`${origin}/admin/`);
  await p.getByLabel('Organisation').fill(who.slug);
  await p.getByLabel('Email').fill(who.email);
  await p.getByLabel('Password').fill(PASSWORD);
  await p.getByRole('button', { name: 'Sign in' }).click();
  await p.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
  return p;
};

/** A JSON call to the API with an API key (test setup); throws with the answer on anything but 2xx. */
export const apiWith =
  (app: { request(path: string, init: RequestInit): Response | Promise<Response> }, key: () => string) =>
  async (method: string, path: string, body?: unknown) => {
    const res = await app.request(path, {
      method,
      headers: { authorization: `Bearer ${key()}`, 'content-type': 'application/json' },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const json = (await res.json()) as Record<string, unknown> & { id?: string };
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  };

/** Several parts of a page load at once: wait until none of them says it is loading. */
export const settled = (p: Page) =>
  p.waitForFunction(
    () => !Array.from(document.querySelectorAll('main p')).some((e) => e.textContent?.startsWith('Loading')),
  );

/** Opens a screen from the navigation and waits until it has loaded. */
export const go = async (p: Page, name: string) => {
  await p.getByRole('navigation', { name: 'Screens' }).getByRole('link', { name }).click();
  await p.getByRole('heading', { level: 1, name }).waitFor();
  await settled(p);
};
