import { mkdirSync } from 'node:fs';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../../../test/support/chromium.ts';
import { controllerRecord, purposeBody } from '../../server/test/consent-fixtures.ts';
import { apiWith, axe, go, PASSWORD, SHOTS, signInAs } from './console-kit.ts';
import { type ConsoleServer, startConsoleServer } from './console-server.ts';

const WIDTHS = [
  { name: 'desktop', width: 1280, height: 800 },
  { name: 'phone', width: 390, height: 844 },
] as const;

let server: ConsoleServer;
let browser: Browser;
let slug: string;
let adminKey: string;

const api = (method: string, path: string, body?: unknown) => apiWith(server.app, () => adminKey)(method, path, body);

/** A tenant with a record of processing, three purposes, a published notice and some consent decisions. */
const seed = async () => {
  const t = await server.rt.services.tenants.create({ name: 'Acme Portfolio', slug: 'acme' }, 'test');
  slug = t.tenant.slug;
  adminKey = t.adminKey.secret;
  await api('PUT', '/v1/ropa/controller', controllerRecord);
  for (const p of ['marketing-email', 'product-analytics']) await api('POST', '/v1/purposes', purposeBody(p));
  await api(
    'POST',
    '/v1/purposes',
    purposeBody('billing', { allowedBases: ['contract'], dataCategories: ['user.financial.invoice'] }),
  );
  const notice = await api('POST', '/v1/notices', {
    key: 'signup',
    name: 'Sign-up form',
    draft: {
      texts: { en: { title: 'Your choices', markdown: 'We would like to **keep in touch**.' } },
      purposes: ['marketing-email', 'product-analytics', 'billing'],
    },
  });
  const pub = (await api('POST', `/v1/notice-versions/${notice.id}/publish`)) as {
    id: string;
    rendered: { en: { sha256: string } };
  };
  const decide = (email: string, decisions: { purpose: string; granted: boolean }[]) =>
    api('POST', '/v1/consents', {
      subject: { identity: { kind: 'email', value: email } },
      noticeVersionId: pub.id,
      noticeHash: pub.rendered.en.sha256,
      locale: 'en',
      decisions,
      method: 'form_checkbox',
      affirmativeAction: { kind: 'checkbox_ticked', label: 'Yes, send me news' },
      collectionPoint: { formId: 'signup', pageUrl: 'https://acme.test/signup' },
    });
  for (let i = 0; i < 6; i++) await decide(`p${i}@example.org`, [{ purpose: 'marketing-email', granted: i % 3 !== 0 }]);
  await decide('p1@example.org', [{ purpose: 'marketing-email', granted: false }]);
  await decide('p2@example.org', [{ purpose: 'product-analytics', granted: true }]);
  for (const [email, role] of [
    ['dpo@example.org', 'admin'],
    ['reader@example.org', 'read_only'],
  ] as const) {
    await server.rt.services.users.create(t.tenant.id, { email, password: PASSWORD, role, totp: false }, 'test');
  }
};

const signIn = (ctx: BrowserContext, email = 'dpo@example.org') => signInAs(ctx, server.url, { slug, email });

beforeAll(async () => {
  server = await startConsoleServer();
  browser = await launchChromium();
  await seed();
  mkdirSync(SHOTS, { recursive: true });
}, 240_000);
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('admin console in Chromium (checks 56, 62, 64)', () => {
  it('check 64: a self-only CSP that forbids framing, and a __Host- HttpOnly SameSite=Strict session cookie', async () => {
    const res = await fetch(`${server.url}/admin/`);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);
    const ctx = await browser.newContext();
    const p = await ctx.newPage();
    const violations: string[] = [];
    p.on('console', (m) => {
      if (/Content Security Policy/.test(m.text())) violations.push(m.text());
    });
    await p.goto(`${server.url}/admin/`);
    await p.getByRole('heading', { name: 'Sign in to Lawful' }).waitFor();
    // The console itself needs nothing the policy refuses; an injected inline script is refused.
    expect(violations).toEqual([]);
    await p.addScriptTag({ content: 'window.__injected = 1' }).catch(() => undefined);
    expect(await p.evaluate(() => (window as { __injected?: number }).__injected)).toBeUndefined();
    await ctx.close();

    const ctx2 = await browser.newContext();
    const q = await signIn(ctx2);
    const cookies = await ctx2.cookies();
    expect(cookies).toHaveLength(1);
    expect(cookies[0]).toMatchObject({
      name: '__Host-lawful_session',
      path: '/',
      httpOnly: true,
      secure: true,
      sameSite: 'Strict',
    });
    expect(await q.evaluate(() => document.cookie)).toBe('');
    await ctx2.close();
  });

  it('signs in (a wrong password says so), shows the overview with its chart, and signs out', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const p = await ctx.newPage();
    await p.goto(`${server.url}/admin/`);
    await p.getByLabel('Organisation').fill(slug);
    await p.getByLabel('Email').fill('dpo@example.org');
    await p.getByLabel('Password').fill('not the password');
    await p.getByRole('button', { name: 'Sign in' }).click();
    await expect(p.getByRole('alert').textContent()).resolves.toMatch(/address or password is wrong/);
    await p.screenshot({ path: `${SHOTS}sign-in.png` });
    await p.getByLabel('Password').fill(PASSWORD);
    await p.getByRole('button', { name: 'Sign in' }).click();
    await p.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
    await p.getByText(/^Loading/).waitFor({ state: 'detached' });
    const totals = await p.getByRole('list', { name: 'Totals' }).innerText();
    expect(totals).toMatch(/3\s*purposes/);
    expect(totals).toMatch(/4\s*consents in force/);
    expect(totals).toMatch(/2\s*refusals/);
    expect(totals).toMatch(/1\s*withdrawals/);
    // Requests and consent shares; the banner chart waits for banner choices (overview.browser.test.ts has them).
    expect(await p.locator('figure.chart canvas').count()).toBe(2);
    for (const s of await p.getByText('Show the numbers').all()) await s.click();
    const rows = p.getByRole('region', { name: 'Decisions per week', exact: true }).locator('tbody tr');
    expect(await rows.count()).toBe(12);
    expect(await rows.last().innerText()).toMatch(/\t8\t5 \(63%\)\t2 \(25%\)\t1 \(12%\)$/);
    await p.getByRole('button', { name: 'Sign out' }).click();
    await p.getByRole('heading', { name: 'Sign in to Lawful' }).waitFor();
    expect(await ctx.cookies()).toEqual([]);
    await ctx.close();
  });

  it('Purposes & ROPA: lists purposes, opens their versions, exports the record in three formats', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
    const p = await signIn(ctx);
    await go(p, 'Purposes & ROPA');
    const rows = p.getByRole('region', { name: 'Purposes', exact: true }).locator('tbody tr');
    expect(await rows.count()).toBe(3);
    await p.getByRole('button', { name: 'Versions of Purpose billing' }).click();
    await p.getByRole('heading', { name: 'Version 1' }).waitFor();
    expect(await p.locator('.versions').innerText()).toMatch(/user\.financial\.invoice/);
    for (const [label, file] of [
      ['Export Excel', 'ropa-controller.xlsx'],
      ['Export CSV', 'ropa-controller.csv'],
      ['Export JSON', 'ropa-controller.json'],
    ] as const) {
      const [download] = await Promise.all([
        p.waitForEvent('download'),
        p.getByRole('button', { name: label }).click(),
      ]);
      expect(download.suggestedFilename()).toBe(file);
    }
    await p.screenshot({ path: `${SHOTS}purposes.png`, fullPage: true });
    await ctx.close();
  });

  it('check 62: the audit log shows the sign-ins and failed sign-ins, filters by action and verifies the chain', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const p = await signIn(ctx);
    await go(p, 'Audit log');
    await p.getByLabel('Action').fill('session.sign_in_failed');
    await p.getByRole('button', { name: 'Filter' }).click();
    await p.getByText(/^Loading/).waitFor({ state: 'detached' });
    const table = p.getByRole('region', { name: 'Audit entries', exact: true });
    await table.getByText('bad_password').first().waitFor();
    const text = await table.innerText();
    expect(text).not.toMatch(/session\.sign_in\t/);
    expect(text).not.toContain('example.org');
    await p.getByRole('button', { name: 'Verify the chain' }).click();
    await expect(p.getByText(/^Intact:/).textContent()).resolves.toMatch(/entries/);
    await p.getByLabel('Action').fill('');
    await p.getByRole('button', { name: 'Filter' }).click();
    await table.getByText('session.sign_in', { exact: true }).first().waitFor();
    await p.screenshot({ path: `${SHOTS}audit.png` });
    await ctx.close();
  });

  it('check 56: keys and users — an admin creates and revokes; a read-only user is told it is admins’ work', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const p = await signIn(ctx);
    p.on('dialog', (d) => void d.accept());
    await go(p, 'Keys & users');
    await p.getByLabel('Key name').fill('CRM sync');
    await p.getByRole('button', { name: 'Create key' }).click();
    await expect(p.locator('.secret').first().textContent()).resolves.toMatch(/^lf_sk_/);
    await p.getByRole('button', { name: 'Revoke CRM sync' }).click();
    await p
      .getByRole('region', { name: 'API keys' })
      .getByText(/revoked/)
      .waitFor();
    await p.getByRole('form', { name: 'New console user' }).getByLabel('Email').fill('agent@example.org');
    await p.getByLabel('Password (12+ characters)').fill(PASSWORD);
    await p.getByRole('button', { name: 'Create user' }).click();
    // The new user's row (the masked address also appears in the confirmation and the disable button's label).
    await p
      .getByRole('region', { name: 'Console users' })
      .getByRole('rowheader', { name: 'a•••@example.org' })
      .waitFor();
    await p.screenshot({ path: `${SHOTS}keys-and-users.png`, fullPage: true });
    await ctx.close();

    const ro = await browser.newContext();
    const q = await signIn(ro, 'reader@example.org');
    await go(q, 'Keys & users');
    await q.getByText(/Only admins manage API keys/).waitFor();
    await ro.close();
  });

  for (const w of WIDTHS) {
    it(`axe-core: no WCAG 2.1 A/AA violation on any screen at ${w.width} px`, async () => {
      const ctx = await browser.newContext({ viewport: { width: w.width, height: w.height } });
      const signInPage = await ctx.newPage();
      await signInPage.goto(`${server.url}/admin/`);
      await signInPage.getByRole('heading', { name: 'Sign in to Lawful' }).waitFor();
      expect(await axe(signInPage), `sign-in at ${w.width}`).toEqual([]);
      await signInPage.close();
      const p = await signIn(ctx);
      for (const screen of ['Overview', 'Purposes & ROPA', 'Audit log', 'Keys & users']) {
        await go(p, screen);
        expect(await axe(p), `${screen} at ${w.width}`).toEqual([]);
        // Nothing wider than the screen: tables scroll inside their own box.
        const wide = await p.evaluate(() =>
          Array.from(document.querySelectorAll('body *'))
            .filter(
              (e) => !e.closest('.table-wrap, .nav ul') && e.getBoundingClientRect().right > window.innerWidth + 1,
            )
            .map((e) => `${e.tagName.toLowerCase()}.${e.className}`),
        );
        expect(wide, screen).toEqual([]);
      }
      await ctx.close();
    });
  }
});
