import { mkdirSync, readFileSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../../../test/support/chromium.ts';
import { newId } from '../../server/src/lib/ids.ts';
import { createDataMapRepo } from '../../server/src/modules/datamap/datamap.repo.ts';
import { controllerRecord, purposeBody } from '../../server/test/consent-fixtures.ts';
import { apiWith, axe, go, PASSWORD, SHOTS, settled, signInAs, tooWide } from './console-kit.ts';
import { type ConsoleServer, startConsoleServer } from './console-server.ts';

const ADA = 'ada.lovelace@example.org';
const LOOKUP_REASON = 'Ticket 4411: the person asked what we hold';
const REVEAL_REASON = 'Request check: confirming the address on the phone';

let server: ConsoleServer;
let browser: Browser;
let slug: string;
let tenantId: string;
let adminKey: string;
const ids = { ada: '', access: '', erasure: '', rectification: '', overdue: '' };

const api = (method: string, path: string, body?: unknown) => apiWith(server.app, () => adminKey)(method, path, body);

/** A person with consent history, a basis, an objection and requests; a crowd of others; a small queue. */
const seed = async () => {
  const t = await server.rt.services.tenants.create({ name: 'Acme Portfolio', slug: 'acme' }, 'test');
  slug = t.tenant.slug;
  tenantId = t.tenant.id;
  adminKey = t.adminKey.secret;
  await api('PUT', '/v1/ropa/controller', controllerRecord);
  await api('POST', '/v1/purposes', purposeBody('marketing-email'));
  await api('POST', '/v1/purposes', purposeBody('billing', { allowedBases: ['contract'] }));
  const notice = await api('POST', '/v1/notices', {
    key: 'signup',
    name: 'Sign-up form',
    draft: {
      texts: { en: { title: 'Your choices', markdown: 'We would like to **keep in touch** by e-mail.' } },
      purposes: ['marketing-email', 'billing'],
    },
  });
  const pub = (await api('POST', `/v1/notice-versions/${notice.id}/publish`)) as {
    id: string;
    rendered: { en: { sha256: string } };
  };
  const identity = { kind: 'email', value: ADA };
  for (const granted of [true, false]) {
    await api('POST', '/v1/consents', {
      subject: { identity },
      noticeVersionId: pub.id,
      noticeHash: pub.rendered.en.sha256,
      locale: 'en',
      decisions: [{ purpose: 'marketing-email', granted }],
      method: 'form_checkbox',
      affirmativeAction: { kind: granted ? 'checkbox_ticked' : 'checkbox_unticked', label: 'Send me news' },
      collectionPoint: { formId: 'signup', pageUrl: 'https://acme.test/signup' },
    });
  }
  const basis = await api('POST', '/v1/bases', {
    subject: { identity },
    purpose: 'billing',
    basis: 'contract',
    evidence: { contractReference: 'order 2291' },
    source: 'crm',
  });
  ids.ada = String(basis.subjectId);
  await api('POST', '/v1/objections', { subject: { identity }, purpose: 'marketing-email' });
  for (let i = 0; i < 30; i++)
    await api('POST', '/v1/subjects', { identities: [{ kind: 'email', value: `someone.${i}@example.net` }] });

  const request = async (types: string[], value: string) =>
    String(
      (
        await api('POST', '/v1/requests', {
          types,
          identities: [{ type: 'email', value }],
          identityVerified: true,
        })
      ).id,
    );
  ids.access = await request(['access'], ADA);
  ids.erasure = await request(['erasure'], 'grace@example.net');
  ids.rectification = await request(['rectification'], 'alan@example.net');
  ids.overdue = await request(['objection'], 'edsger@example.net');
  // A request received long ago: its deadline has passed.
  await server.rt.db.tenant(tenantId, (tx) =>
    tx.execute(`update requests set due_at = now() - interval '3 days' where id = '${ids.overdue}'`),
  );
  // The access package the systems produced (no connector runs here): ready to be linked.
  await server.rt.db.tenant(tenantId, (tx) =>
    createDataMapRepo().claimExport(tx, {
      tenantId,
      id: newId('export'),
      requestId: ids.access,
      subjectId: ids.ada,
      kind: 'access',
      state: 'ready',
      fileName: 'package.lwfe',
      keySealed: null,
      sealedUnder: 'tenant',
      expiresAt: new Date(Date.now() + 7 * 86_400_000),
      createdAt: new Date(),
    }),
  );
  for (const [email, role] of [
    ['dpo@example.org', 'admin'],
    ['reader@example.org', 'read_only'],
  ] as const) {
    await server.rt.services.users.create(tenantId, { email, password: PASSWORD, role, totp: false }, 'test');
  }
};

const signIn = (ctx: BrowserContext, email = 'dpo@example.org') => signInAs(ctx, server.url, { slug, email });

const open = async (p: Page, hash: string) => {
  await p.goto(`${server.url}/admin/${hash}`);
  await p.locator('h2.page-title').waitFor();
  await settled(p);
};

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

describe('People and Requests in Chromium (checks 33, 34, 62)', () => {
  it('People: a masked list; a lookup with a reason opens the person page; identifiers are revealed for a reason', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const p = await signIn(ctx);
    await go(p, 'People');
    const table = p.getByRole('region', { name: 'People', exact: true });
    expect(await table.locator('tbody tr').count()).toBe(25);
    const listed = await table.innerText();
    expect(listed).toMatch(/s•••@e•••\.net/);
    expect(listed).not.toMatch(/example\.(net|org)/);
    await p.getByRole('button', { name: 'Older' }).click();
    await settled(p);
    await table.getByRole('link', { name: ids.ada }).waitFor();
    await p.screenshot({ path: `${SHOTS}people.png`, fullPage: true });

    const lookup = p.getByRole('form', { name: 'Find a person' });
    await lookup.getByLabel('Identifier').fill(ADA.toUpperCase());
    await lookup.getByLabel('Reason').fill(LOOKUP_REASON);
    await lookup.getByRole('button', { name: 'Look up' }).click();
    await p.getByRole('heading', { name: `Person ${ids.ada}` }).waitFor();
    await settled(p);
    expect(p.url()).toContain(`#/people/${ids.ada}`);

    const identities = p.getByRole('region', { name: 'Identifiers' });
    expect(await identities.innerText()).toMatch(/a•••@e•••\.org\s+suppressed/);
    expect(await p.locator('dl.facts').innerText()).toMatch(/Direct marketing\s+Suppressed since/);
    expect(await p.getByRole('region', { name: 'Lawful basis per purpose' }).innerText()).toMatch(/billing\s+contract/);
    expect(await p.getByRole('list', { name: 'Consent now' }).innerText()).toMatch(/marketing-email withdrawn/);
    const history = p.locator('ol.timeline').first();
    expect(await history.locator('> li').count()).toBe(2);
    await history.getByText('Notice text seen').first().click();
    await history.getByText('matches the text below').first().waitFor();
    const frame = p.frameLocator('iframe[title^="Notice signup version 1"]').first();
    expect(await frame.locator('body').innerText()).toMatch(/keep in touch/);
    await p.getByRole('link', { name: 'Access' }).waitFor();
    expect(await p.content()).not.toContain(ADA);

    await p.getByRole('button', { name: 'Reveal identifiers' }).click();
    await p.getByLabel('Why do you need to see them?').fill(REVEAL_REASON);
    await p.getByRole('button', { name: 'Reveal', exact: true }).click();
    await identities.getByText(ADA).waitFor();
    await p.getByText(`Shown for: “${REVEAL_REASON}”`).waitFor();
    await p.getByRole('button', { name: 'Mask again' }).click();
    await p.getByRole('button', { name: 'Mask again' }).waitFor({ state: 'detached' });
    await p.screenshot({ path: `${SHOTS}person.png`, fullPage: true });
    await ctx.close();
  });

  it('check 62: the lookup and the reveal are audited with the reason, never the identifier', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const p = await signIn(ctx);
    await go(p, 'Audit log');
    const table = p.getByRole('region', { name: 'Audit entries', exact: true });
    for (const [action, reason] of [
      ['subject.lookup', LOOKUP_REASON],
      ['subject.reveal', REVEAL_REASON],
    ] as const) {
      await p.getByLabel('Action').fill(action);
      await p.getByRole('button', { name: 'Filter' }).click();
      await table.getByText(reason).first().waitFor();
      const text = await table.innerText();
      expect(text).toContain(ids.ada);
      expect(text).not.toMatch(/ada\.lovelace|example\.org/i);
    }
    // The same, read from the API: reason and pseudonymous id in, identifier out.
    const { items } = (await api('GET', '/v1/audit?limit=200')) as { items: Record<string, unknown>[] };
    const mine = items.filter((e) => e.action === 'subject.lookup' || e.action === 'subject.reveal');
    expect(mine.map((e) => [e.action, e.subjectId, (e.details as { reason: string }).reason]).sort()).toEqual([
      ['subject.lookup', ids.ada, LOOKUP_REASON],
      ['subject.reveal', ids.ada, REVEAL_REASON],
    ]);
    expect(JSON.stringify(items)).not.toMatch(/ada\.lovelace/i);
    await ctx.close();
  });

  it('Requests: the queue sorts by due date and filters; refuse with a legal ground, extend, complete with the package link, certificate', {
    timeout: 120_000,
  }, async () => {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
    const p = await signIn(ctx);
    await go(p, 'Requests');
    expect(await p.getByRole('list', { name: 'Request figures' }).innerText()).toMatch(/4\s*open[\s\S]*1\s*overdue/);
    const table = p.getByRole('region', { name: 'Requests', exact: true });
    const rows = table.locator('tbody tr');
    expect(await rows.count()).toBe(4);
    // Soonest deadline first: the overdue one leads, in red.
    expect(await rows.first().innerText()).toContain(ids.overdue);
    expect(await rows.first().getAttribute('class')).toBe('late');
    expect(await rows.first().innerText()).toMatch(/overdue by 3 days/);
    await p.screenshot({ path: `${SHOTS}requests.png`, fullPage: true });
    await p.getByLabel('Overdue only').check();
    await p.getByRole('button', { name: 'Filter' }).click();
    await settled(p);
    expect(await rows.count()).toBe(1);
    await p.getByLabel('Overdue only').uncheck();
    await p.getByLabel('Type').selectOption('erasure');
    await p.getByRole('button', { name: 'Filter' }).click();
    await table.getByRole('link', { name: ids.erasure }).waitFor();
    expect(await rows.count()).toBe(1);

    // Refuse the erasure, citing Art. 17(3)(e).
    await table.getByRole('link', { name: ids.erasure }).click();
    await p.getByRole('heading', { name: `Erasure ${ids.erasure}` }).waitFor();
    await settled(p);
    expect(await p.locator('dl.facts').innerText()).toMatch(/Identity\s+Verified/);
    await p.getByText('Refuse the request').click();
    await p.getByLabel('Art. 17(3)(e): legal claims').check();
    await p.getByLabel(/Explanation the person will read/).fill('We must keep the invoices while the dispute is open.');
    await p.getByRole('button', { name: 'Refuse', exact: true }).click();
    await p.getByText(/request was refused/).waitFor();
    await p.locator('dl.facts').getByText('rejected').waitFor();
    expect(await p.locator('dl.facts').innerText()).toMatch(/Refused\s+art17 3 e legal claims: We must keep/);
    expect(await p.getByRole('region', { name: 'Timeline' }).innerText()).toMatch(
      /reject: awaiting approval → rejected/,
    );

    // Extend the rectification (check 33: with a reason).
    await open(p, `#/requests/${ids.rectification}`);
    await p.getByText('Extend the deadline').click();
    await p.getByLabel(/Reason the person will read/).fill('The change touches three systems and two processors.');
    await p.getByRole('button', { name: 'Extend', exact: true }).click();
    await p
      .locator('dl.facts')
      .getByText(/^Extended$/)
      .waitFor();
    expect(await p.locator('dl.facts').innerText()).toMatch(/originally/);

    // Complete the access request: a download link for its package goes with the completion.
    await open(p, `#/requests/${ids.access}`);
    const results = p.getByRole('region', { name: 'Results' });
    await results.getByRole('button', { name: /Get a download link/ }).click();
    const link = results.getByRole('link', { name: 'Download access package' });
    expect(await link.getAttribute('href')).toMatch(/\/v1\/exports\/exp_[0-9A-Z]{26}\/download\?token=/);
    await p.screenshot({ path: `${SHOTS}request.png`, fullPage: true });
    await p.getByText('Complete the request').click();
    await p.getByRole('button', { name: 'Complete', exact: true }).click();
    await p.locator('dl.facts').getByText('completed', { exact: true }).waitFor();
    const cert = p.getByRole('region', { name: 'Completion certificate' });
    await cert.getByText(/Signed with key/).waitFor();
    const [download] = await Promise.all([
      p.waitForEvent('download'),
      cert.getByRole('button', { name: 'Download the certificate' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe(`certificate-${ids.access}.jws`);
    const jws = readFileSync((await download.path()) ?? '', 'utf8');
    expect(jws.split('.')).toHaveLength(3);
    await ctx.close();
  });

  it('a read-only user sees the queue, a request and masked people, without actions, lookup or reveal', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const p = await signIn(ctx, 'reader@example.org');
    await go(p, 'Requests');
    await open(p, `#/requests/${ids.overdue}`);
    expect(await p.getByRole('heading', { name: 'Actions' }).count()).toBe(0);
    await go(p, 'People');
    expect(await p.getByRole('form', { name: 'Find a person' }).count()).toBe(0);
    await open(p, `#/people/${ids.ada}`);
    await p.getByRole('region', { name: 'Identifiers' }).getByText('a•••@e•••.org').waitFor();
    expect(await p.getByRole('button', { name: 'Reveal identifiers' }).count()).toBe(0);
    await ctx.close();
  });

  for (const w of [
    { width: 1280, height: 800 },
    { width: 390, height: 844 },
  ]) {
    it(`axe-core: no WCAG 2.1 A/AA violation on People and Requests at ${w.width} px, no sideways scrolling`, async () => {
      const ctx = await browser.newContext({ viewport: w });
      const p = await signIn(ctx);
      const check = async (what: string) => {
        expect(await axe(p), `${what} at ${w.width}`).toEqual([]);
        expect(await tooWide(p), `${what} at ${w.width}`).toEqual([]);
      };
      await go(p, 'People');
      await check('People');
      await open(p, `#/people/${ids.ada}`);
      await p.locator('ol.timeline').first().getByText('Notice text seen').first().click();
      await p.getByText('matches the text below').first().waitFor();
      await p.getByRole('button', { name: 'Reveal identifiers' }).click();
      await check('person');
      if (w.width === 390) await p.screenshot({ path: `${SHOTS}person-phone.png`, fullPage: true });
      await go(p, 'Requests');
      await check('Requests');
      await open(p, `#/requests/${ids.rectification}`);
      await p.getByText('Refuse the request').click();
      await check('request');
      if (w.width === 390) await p.screenshot({ path: `${SHOTS}request-phone.png`, fullPage: true });
      await ctx.close();
    });
  }
});
