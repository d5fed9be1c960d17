import type { AddressInfo } from 'node:net';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../../../test/harness.ts';

/** The public portal against a real SMTP peer on 127.0.0.1: the test follows the link in the received message. */
describe('request portal (checks 36, 38, 58)', () => {
  let h: Harness;
  let slug: string;
  let smtp: SMTPServer;
  const inbox: ParsedMail[] = [];

  beforeAll(async () => {
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      onData(stream, _session, cb) {
        simpleParser(stream).then(
          (m) => {
            inbox.push(m);
            cb();
          },
          (e: Error) => cb(e),
        );
      },
    });
    await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', r));
    const { port } = smtp.server.address() as AddressInfo;
    h = await createHarness({
      env: { SMTP_URL: `smtp://127.0.0.1:${port}`, LAWFUL_PUBLIC_URL: 'http://127.0.0.1:3000' },
    });
    const t = await h.newTenant('Acme Portal');
    slug = t.tenant.slug;
  });
  afterAll(async () => {
    await h.close();
    await new Promise<void>((r) => smtp.close(() => r()));
  });

  const cookieOf = (res: { headers: Headers }) =>
    res.headers.get('set-cookie')?.match(/lawful_csrf=([^;]+)/)?.[1] ?? '';
  const csrfOf = (html: string) => html.match(/name="csrf" value="([^"]+)"/)?.[1] ?? '';
  const form = (fields: Record<string, string | string[]>) => {
    const p = new URLSearchParams();
    for (const [k, v] of Object.entries(fields)) for (const x of [v].flat()) p.append(k, x);
    return p.toString();
  };
  const post = (path: string, cookie: string, fields: Record<string, string | string[]>) =>
    h.request('POST', path, {
      raw: form(fields),
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `lawful_csrf=${cookie}` },
    });

  it('files a request without JavaScript, confirms it by the e-mailed link, and shows the status page', async () => {
    const page = await h.request('GET', `/r/${slug}?lang=de`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('<html lang="de"');
    expect(page.text).toContain('Meine Daten löschen');
    expect(page.text).not.toContain('<script');
    // Check 36: no upload of identity documents.
    expect(page.text).not.toContain('type="file"');
    const cookie = cookieOf(page);
    const filed = await post(`/r/${slug}`, cookie, {
      csrf: csrfOf(page.text),
      lang: 'de',
      types: ['erasure', 'access'],
      email: 'erika@example.com',
      details: '',
    });
    expect(filed.status).toBe(202);
    for (let i = 0; i < 50 && inbox.length === 0; i++) await new Promise((r) => setTimeout(r, 100));
    const mail = inbox.at(-1)!;
    expect(mail.to && 'text' in mail.to ? mail.to.text : '').toContain('erika@example.com');
    const link = mail.text!.match(/http:\/\/127\.0\.0\.1:3000(\/r\/[^\s)\]]+)/)![1]!;
    const confirmPage = await h.request('GET', link.replace(/&amp;/g, '&'), {
      headers: { cookie: `lawful_csrf=${cookie}` },
    });
    expect(confirmPage.status).toBe(200);
    const token = confirmPage.text.match(/name="t" value="([^"]+)"/)![1]!;
    const done = await post(`/r/${slug}/confirm`, cookie, { csrf: csrfOf(confirmPage.text), lang: 'de', t: token });
    expect(done.status).toBe(303);
    const status = await h.request('GET', done.headers.get('location')!);
    expect(status.status).toBe(200);
    expect(status.text).toMatch(/In Prüfung|In Bearbeitung/);
    // Single use: the same link again is refused.
    const again = await post(`/r/${slug}/confirm`, cookie, { csrf: csrfOf(confirmPage.text), lang: 'de', t: token });
    expect(again.status).toBe(400);
    // The status page is not reachable by guessing a request id.
    const id = done.headers.get('location')!.match(/requests\/(req_[0-9A-Z]+)/)![1]!;
    expect((await h.request('GET', `/r/${slug}/requests/${id}?k=guess`)).status).toBe(404);
  });

  it('check 58: the code is counted (5 wrong codes spend it) and the form refuses posts without its CSRF cookie', async () => {
    const page = await h.request('GET', `/r/${slug}`);
    const cookie = cookieOf(page);
    const noCsrf = await post(`/r/${slug}`, 'x'.repeat(43), {
      csrf: csrfOf(page.text),
      types: 'access',
      email: 'a@example.com',
    });
    expect(noCsrf.status).toBe(403);
    const bad = await post(`/r/${slug}`, cookie, { csrf: csrfOf(page.text), types: 'access', email: 'not-an-address' });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('role="alert"');
    const before = inbox.length;
    const filed = await post(`/r/${slug}`, cookie, {
      csrf: csrfOf(page.text),
      types: 'access',
      email: 'max@example.com',
    });
    const requestId = filed.text.match(/name="requestId" value="([^"]+)"/)![1]!;
    for (let i = 0; i < 50 && inbox.length === before; i++) await new Promise((r) => setTimeout(r, 100));
    const code = inbox
      .at(-1)!
      .text!.replace(/https?:\/\/\S+/g, '')
      .match(/\b(\d{6})\b/)![1]!;
    const wrong = code === '000000' ? '111111' : '000000';
    for (let i = 0; i < 5; i++) {
      const r = await post(`/r/${slug}/confirm`, cookie, { csrf: csrfOf(page.text), requestId, code: wrong });
      expect(r.status).toBe(400);
    }
    const right = await post(`/r/${slug}/confirm`, cookie, { csrf: csrfOf(page.text), requestId, code });
    expect(right.status).toBe(400);
  });

  it('check 58: intake is rate-limited per address', async () => {
    const page = await h.request('GET', `/r/${slug}`);
    const cookie = cookieOf(page);
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) {
      const r = await post(`/r/${slug}`, cookie, {
        csrf: csrfOf(page.text),
        types: 'objection',
        email: `n${i}@example.com`,
      });
      statuses.push(r.status);
    }
    expect(statuses).toContain(429);
  });
});
