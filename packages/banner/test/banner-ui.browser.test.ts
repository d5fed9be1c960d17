import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { button, dialog, newContext, setup, storage, waitForRecords } from './harness.ts';

const axeSource = require_('axe-core/axe.min.js');
function require_(id: string): string {
  const require = createRequire(import.meta.url);
  return require('node:fs').readFileSync(require.resolve(id), 'utf8') as string;
}

let env: Awaited<ReturnType<typeof setup>>;
beforeAll(async () => {
  env = await setup();
});
afterAll(async () => env?.close());

const open = async (opts: Parameters<typeof newContext>[1] = {}) => {
  env.api.received.length = 0;
  env.site.hits.length = 0;
  const { ctx, blocked } = await newContext(env.browser, opts);
  const p = await ctx.newPage();
  await p.goto(env.site.origin);
  await dialog(p).waitFor({ state: 'visible' });
  return { ctx, p, blocked };
};

/** WCAG relative-luminance contrast between an element's text colour and the first opaque background behind it. */
const contrasts = (p: Page) =>
  p.evaluate(() => {
    const root = document.querySelector('#lawful-banner')?.shadowRoot;
    const rgb = (s: string) => (s.match(/[\d.]+/g) ?? []).map(Number);
    const lum = ([r = 0, g = 0, b = 0]: number[]) => {
      const f = (c: number) => {
        const v = c / 255;
        return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
      };
      return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
    };
    const bg = (el: Element | null): number[] => {
      for (let e = el; e; e = e.parentElement ?? (e.getRootNode() as ShadowRoot).host ?? null) {
        const c = rgb(getComputedStyle(e).backgroundColor);
        if (c.length === 3 || c[3] === 1) return c.slice(0, 3);
        if (e === document.documentElement) break;
      }
      return [255, 255, 255];
    };
    const els = Array.from(root?.querySelectorAll('button, a, label, summary') ?? []).filter(
      (e) => (e as HTMLElement).offsetParent !== null || getComputedStyle(e).position === 'fixed',
    );
    return els.map((e) => {
      const a = lum(rgb(getComputedStyle(e).color));
      const b = lum(bg(e));
      return { text: e.textContent?.trim() ?? '', ratio: (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05) };
    });
  });

const axe = async (p: Page) => {
  await p.addScriptTag({ content: axeSource });
  return p.evaluate(async () => {
    const w = window as unknown as {
      axe: { run: (c: unknown, o: unknown) => Promise<{ violations: { id: string; nodes: unknown[] }[] }> };
    };
    const r = await w.axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] },
    });
    return r.violations.map((v) => `${v.id} (${v.nodes.length})`);
  });
};

describe('banner UI (checks 18–27)', () => {
  it('check 18: nothing non-essential is stored, run or requested before a choice', async () => {
    const { ctx, p, blocked } = await open();
    await p.waitForTimeout(300);
    expect(await storage(p)).toEqual({ cookies: '', local: [], idb: [] });
    expect(
      await p.evaluate(() => [
        typeof (window as { __tracked?: number }).__tracked,
        typeof (window as { __mkt?: number }).__mkt,
      ]),
    ).toEqual(['undefined', 'undefined']);
    expect(env.site.hits).not.toContain('/tracker.js');
    expect(env.site.hits).not.toContain('/embed');
    expect(blocked).toEqual([]);
    expect(env.api.received).toEqual([]);
    // The gated elements are still inert placeholders.
    expect(await p.locator('script[type="text/plain"][data-category]').count()).toBe(3);
    await ctx.close();
  });

  it('check 19: reject all is the same element type, size, font and weight as accept all (desktop and mobile)', async () => {
    for (const viewport of [
      { width: 1280, height: 800 },
      { width: 360, height: 740 },
    ]) {
      const { ctx, p } = await open({ viewport });
      const m = async (name: string) => {
        const b = button(p, name);
        const box = await b.boundingBox();
        const s = await b.evaluate((e) => {
          const c = getComputedStyle(e);
          return {
            tag: e.tagName,
            family: c.fontFamily,
            size: c.fontSize,
            weight: c.fontWeight,
            bg: c.backgroundColor,
            fg: c.color,
          };
        });
        return { ...s, w: Math.round(box?.width ?? 0), h: Math.round(box?.height ?? 0) };
      };
      const accept = await m('Accept all');
      const reject = await m('Reject all');
      expect(accept.w).toBeGreaterThan(40);
      expect(reject).toEqual(accept);
      await ctx.close();
    }
  });

  it('check 21 + 27: the choose layer has no toggle on except necessary, which is disabled and justified', async () => {
    const { ctx, p } = await open();
    await button(p, 'Choose').click();
    const boxes = dialog(p).getByRole('switch');
    expect(await boxes.count()).toBe(3);
    const states = await boxes.evaluateAll((els) =>
      els.map((e) => ({
        label: e.closest('label')?.textContent?.trim(),
        on: (e as HTMLInputElement).checked,
        disabled: (e as HTMLInputElement).disabled,
      })),
    );
    expect(states).toEqual([
      { label: 'Necessary (Always on)', on: true, disabled: true },
      { label: 'Analytics', on: false, disabled: false },
      { label: 'Marketing', on: false, disabled: false },
    ]);
    await expect(
      dialog(p)
        .getByText(/strictly necessary to provide the service/)
        .isVisible(),
    ).resolves.toBe(true);
    await ctx.close();
  });

  it('check 24: each cookie’s duration, third-party access and the vendor list are one click from the first layer', async () => {
    const { ctx, p } = await open();
    await dialog(p).getByRole('button', { name: 'Cookies and vendors' }).click();
    const text = (await dialog(p).innerText()).replace(/\s+/g, ' ');
    expect(text).toContain('_ga · Duration: 400 days · set by this site');
    expect(text).toContain('vh_id · Duration: 180 days · set by a third party (videohost.example)');
    expect(text).toContain('_mkt · Duration: until you close the browser');
    expect(text).toContain('VideoHost Inc. (US)');
    expect(await dialog(p).getByRole('link', { name: 'Privacy policy' }).count()).toBe(2);
    // Nothing about legitimate interest is offered for device access (check 23).
    expect(text.toLowerCase()).not.toContain('legitimate');
    await ctx.close();
  });

  it('check 22: scrolling, Escape and the close button grant nothing, and the banner says closing refuses', async () => {
    const { ctx, p } = await open();
    await expect(
      dialog(p).getByText('Closing this banner (× or Esc) means you reject all optional cookies.').isVisible(),
    ).resolves.toBe(true);
    await p.mouse.wheel(0, 2000);
    await p.waitForTimeout(200);
    expect(await dialog(p).isVisible()).toBe(true);
    expect(env.api.received).toEqual([]);
    await p.keyboard.press('Escape');
    await dialog(p).waitFor({ state: 'hidden' });
    await waitForRecords(env.api, 1);
    expect(env.api.received[0]?.record.action).toEqual({
      kind: 'close',
      layer: 'first',
      label: 'Close and reject all optional cookies',
    });
    expect(env.api.received[0]?.record.decisions.every((d) => !d.granted)).toBe(true);
    expect(await p.evaluate(() => (window as unknown as { Lawful: { consent: object } }).Lawful.consent)).toEqual({
      analytics: false,
      marketing: false,
    });

    const second = await open();
    await dialog(second.p).getByRole('button', { name: 'Close and reject all optional cookies' }).click();
    await waitForRecords(env.api, 1);
    expect(env.api.received[0]?.record.action.kind).toBe('close');
    expect(env.site.hits).not.toContain('/tracker.js');
    await ctx.close();
    await second.ctx.close();
  });

  it('check 25: no cookie wall — the page works after reject all', async () => {
    const { ctx, p } = await open();
    // Even before choosing, the banner does not cover the content.
    expect(await p.evaluate(() => document.elementFromPoint(40, 40)?.closest('main') !== null)).toBe(true);
    await button(p, 'Reject all').click();
    await dialog(p).waitFor({ state: 'hidden' });
    await p.locator('#q').fill('shoes');
    expect(await p.locator('#q').inputValue()).toBe('shoes');
    await p.locator('#own').click({ timeout: 2000 });
    expect(await p.locator('h1').textContent()).toBe('Shop');
    await ctx.close();
  });

  it('check 20: every choice has contrast ≥ 4.5:1, and axe finds no WCAG 2.x A/AA violation in either layer', async () => {
    const { ctx, p } = await open();
    const first = await contrasts(p);
    expect(first.map((c) => c.text)).toEqual(
      expect.arrayContaining(['Reject all', 'Accept all', 'Choose', 'Cookies and vendors']),
    );
    for (const c of first) expect(c.ratio, c.text).toBeGreaterThanOrEqual(4.5);
    expect(await axe(p)).toEqual([]);
    await button(p, 'Choose').click();
    await dialog(p)
      .locator('details')
      .first()
      .evaluate((d) => d.setAttribute('open', ''));
    const second = await contrasts(p);
    expect(second.map((c) => c.text)).toEqual(expect.arrayContaining(['Save my choices', 'Analytics', 'Marketing']));
    for (const c of second) expect(c.ratio, c.text).toBeGreaterThanOrEqual(4.5);
    expect(await axe(p)).toEqual([]);
    await ctx.close();
  });

  it('check 19/20: the dialog is labelled, takes focus, reject all is ≤ 2 Tabs away, and everything works by keyboard', async () => {
    const { ctx, p } = await open();
    const label = await dialog(p).evaluate(
      (d) =>
        d.getRootNode() instanceof ShadowRoot &&
        (d.getRootNode() as ShadowRoot).getElementById(d.getAttribute('aria-labelledby') ?? '')?.textContent,
    );
    expect(label).toBe('Your choice about cookies');
    const focused = () =>
      p.evaluate(() => {
        const a = document.activeElement?.shadowRoot?.activeElement ?? document.activeElement;
        return `${a?.getAttribute('role') ?? a?.tagName}:${a?.textContent?.trim().slice(0, 30)}`;
      });
    expect(await focused()).toMatch(/^dialog:/);
    let presses = 0;
    while (!(await focused()).endsWith(':Reject all') && presses < 5) {
      await p.keyboard.press('Tab');
      presses++;
    }
    expect(presses).toBeLessThanOrEqual(2);
    // Keyboard only: Choose → turn analytics on with Space → Save.
    await p.keyboard.press('Tab');
    await p.keyboard.press('Tab');
    expect(await focused()).toBe('BUTTON:Choose');
    await p.keyboard.press('Enter');
    expect(await focused()).toMatch(/^dialog:/);
    for (let i = 0; i < 10 && (await focused()) !== 'switch:'; i++) await p.keyboard.press('Tab');
    await p.keyboard.press('Space'); // first enabled switch: analytics
    for (let i = 0; i < 30 && (await focused()) !== 'BUTTON:Save my choices'; i++) await p.keyboard.press('Tab');
    await p.keyboard.press('Enter');
    await waitForRecords(env.api, 1);
    expect(env.api.received[0]?.record.decisions).toEqual([
      { category: 'analytics', granted: true, method: 'banner' },
      { category: 'marketing', granted: false, method: 'banner' },
    ]);
    expect(env.api.received[0]?.record.action).toEqual({
      kind: 'save_choices',
      layer: 'choices',
      label: 'Save my choices',
    });
    await ctx.close();
    // Focus comes back to where it was when the dialog opened (from a page button via Lawful.open()).
    // On a fresh page that refused everything, so closing the re-opened layer withdraws nothing and
    // does not reload the page (a withdrawal would, and the focus would go with it).
    const fresh = await open();
    await button(fresh.p, 'Reject all').click();
    await waitForRecords(env.api, 1);
    await fresh.p.locator('#own').focus();
    await fresh.p.evaluate(() => (window as unknown as { Lawful: { open(): void } }).Lawful.open());
    await dialog(fresh.p).waitFor({ state: 'visible' });
    await fresh.p.keyboard.press('Escape');
    await dialog(fresh.p).waitFor({ state: 'hidden' });
    expect(await fresh.p.evaluate(() => document.activeElement?.id)).toBe('own');
    await fresh.ctx.close();
  });

  it('check 26: a persistent re-open control, [data-lawful-open] and Lawful.open(); withdrawing deletes that category’s cookies', async () => {
    const { ctx, p } = await open();
    await button(p, 'Accept all').click();
    await p.waitForFunction(() => (window as { __tracked?: number }).__tracked === 1);
    expect((await storage(p)).cookies).toMatch(/_ga=GA1.1.1.*_ga_X=GS1.*_mkt=1|_mkt=1.*_ga=/);
    await p.reload();
    await p.waitForFunction(() => (window as { __tracked?: number }).__tracked === 1);
    expect(await dialog(p).isVisible()).toBe(false);
    const reopen = p.locator('#lawful-banner').getByRole('button', { name: 'Privacy choices' });
    await expect(reopen.isVisible()).resolves.toBe(true);
    await p.locator('a[data-lawful-open]').click();
    await dialog(p).waitFor({ state: 'visible' });
    // Withdrawing reloads the page (scripts already running cannot be stopped otherwise): wait for that load,
    // registered before the key press so it cannot be missed or taken for the previous one.
    const refused = p.waitForEvent('load');
    await p.keyboard.press('Escape'); // closing the re-opened layer refuses too — the banner says so
    await waitForRecords(env.api, 2);
    await refused;
    await reopen.waitFor({ state: 'visible' });
    const c = await storage(p);
    expect(c.cookies).not.toMatch(/_ga|_mkt/);
    // Reopen and withdraw only analytics from a fresh grant.
    await reopen.click();
    await button(p, 'Accept all').click();
    await p.waitForFunction(() => document.cookie.includes('_ga_X'));
    await p.evaluate(() => (window as unknown as { Lawful: { open(): void } }).Lawful.open());
    const analytics = dialog(p).getByRole('switch', { name: 'Analytics' });
    expect(await analytics.isChecked()).toBe(true);
    await analytics.uncheck();
    const reloaded = p.waitForEvent('load');
    await button(p, 'Save my choices').click();
    await reloaded;
    await waitForRecords(env.api, 4);
    const after = await storage(p);
    expect(after.cookies).not.toMatch(/_ga/);
    expect(after.cookies).toContain('_mkt=1');
    expect(env.api.received[3]?.record.decisions).toEqual([
      { category: 'analytics', granted: false, method: 'banner' },
      { category: 'marketing', granted: true, method: 'banner' },
    ]);
    await ctx.close();
  });
});
