import type { AddressInfo } from 'node:net';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consentReady, grantBody } from '../../../test/consent-fixtures.ts';
import { createHarness, type Harness } from '../../../test/harness.ts';
import { CONFIRMATION_JOB } from '../preferences/preferences.mail.ts';

/** A real SMTP peer on 127.0.0.1: the confirmation travels through nodemailer and the wire. */
const startSmtpPeer = async () => {
  const inbox: ParsedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, _session, callback) {
      simpleParser(stream).then(
        (mail) => {
          inbox.push(mail);
          callback();
        },
        (err: Error) => callback(err),
      );
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return { inbox, url: `smtp://127.0.0.1:${port}`, close: () => new Promise<void>((r) => server.close(() => r())) };
};

const waitFor = async <T>(fn: () => Promise<T | undefined> | T | undefined, ms = 20_000): Promise<T> => {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
};

const formOf = (html: string) => {
  const m = /<form method="post" action="([^"]+)">([\s\S]*?)<\/form>/.exec(html)!;
  return {
    action: m[1]!,
    fields: Object.fromEntries(
      [...m[2]!.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)].map((f) => [f[1]!, f[2]!]),
    ),
  };
};

const setup = async (h: Harness) => {
  const t = await h.newTenant('Acme');
  await h.rt.services.tenants.updateSettings(t.tenant.id, { doubleOptIn: true }, 'test');
  const notice = await consentReady(h, t.admin);
  await h.rt.jobs.work(CONFIRMATION_JOB, h.rt.services.preferencesMail.sendConfirmation, {
    pollingIntervalSeconds: 0.5,
  });
  const stateOf = async (subjectId: string) => {
    const r = await h.request('GET', `/v1/subjects/${subjectId}/consents`, { key: t.admin });
    return r.body as { state: { purpose: string; state: string }[]; records: Record<string, unknown>[] };
  };
  return { ...t, notice, stateOf };
};

describe('double opt-in over a real SMTP peer (checks 6, 9)', () => {
  let peer: Awaited<ReturnType<typeof startSmtpPeer>>;
  let h: Harness;
  beforeAll(async () => {
    peer = await startSmtpPeer();
    h = await createHarness({ env: { SMTP_URL: peer.url, LAWFUL_PUBLIC_URL: 'http://127.0.0.1:3999' } });
  });
  afterAll(async () => {
    await h.close();
    await peer.close();
  });

  it('a direct-marketing grant waits; the e-mailed link (GET shows a button, POST confirms) makes it granted', async () => {
    const t = await setup(h);
    const r = await h.request('POST', '/v1/consents', {
      key: t.admin,
      body: grantBody(t.notice, 'doi@example.com', [
        { purpose: 'marketing-email', granted: true },
        { purpose: 'product-analytics', granted: true },
      ]),
    });
    expect(r.status, r.text).toBe(201);
    expect(r.body.pendingConfirmation).toBe(true);
    const pending = r.body.records.find((x: { purpose: string }) => x.purpose === 'marketing-email');
    expect(pending.status).toBe('pending_confirmation');
    const subjectId = pending.subjectId as string;
    const before = await t.stateOf(subjectId);
    expect(before.state).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ purpose: 'marketing-email', state: 'pending_confirmation' }),
        expect.objectContaining({ purpose: 'product-analytics', state: 'granted' }),
      ]),
    );
    // Not in force until confirmed: the pending record is not live evidence.
    expect(
      await h.rt.db.tenant(t.tenant.id, (tx) =>
        h.rt.services.consent.isLive(tx, t.tenant.id, subjectId, 'marketing-email', pending.id),
      ),
    ).toBe(false);

    const mail = await waitFor(() => peer.inbox.find((m) => m.to && JSON.stringify(m.to).includes('doi@example.com')));
    expect(mail.subject).toContain('Acme');
    const link = /http:\/\/127\.0\.0\.1:3999\/c\/[A-Za-z0-9_.-]+(\?lang=[a-z]{2})?/.exec(mail.text ?? '')![0];
    const path = new URL(link).pathname + new URL(link).search;

    // A mail scanner prefetching the link changes nothing.
    const page = await h.request('GET', path);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Purpose marketing-email');
    expect((await t.stateOf(subjectId)).state.find((s) => s.purpose === 'marketing-email')?.state).toBe(
      'pending_confirmation',
    );

    const form = formOf(page.text);
    const confirm = await h.request('POST', form.action, {
      raw: new URLSearchParams(form.fields).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(confirm.status).toBe(200);
    expect(confirm.text).toContain('confirmed');
    const after = await t.stateOf(subjectId);
    expect(after.state.find((s) => s.purpose === 'marketing-email')?.state).toBe('granted');
    const confirming = after.records.at(-1)!;
    expect(confirming).toMatchObject({ decision: 'grant', method: 'double_opt_in', confirms: pending.id });
    expect(
      await h.rt.db.tenant(t.tenant.id, (tx) =>
        h.rt.services.consent.isLive(tx, t.tenant.id, subjectId, 'marketing-email', pending.id),
      ),
    ).toBe(true);

    // A second click writes nothing.
    const again = await h.request('POST', form.action, {
      raw: new URLSearchParams(form.fields).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(again.text).toContain('nothing left to confirm');
    expect((await t.stateOf(subjectId)).records.length).toBe(after.records.length);
  });

  it('a withdrawal before the click wins: the link confirms nothing', async () => {
    const t = await setup(h);
    const r = await h.request('POST', '/v1/consents', {
      key: t.admin,
      body: grantBody(t.notice, 'late@example.com', [{ purpose: 'marketing-email', granted: true }]),
    });
    const subjectId = r.body.records[0].subjectId as string;
    const mail = await waitFor(() => peer.inbox.find((m) => JSON.stringify(m.to).includes('late@example.com')));
    const w = await h.request('POST', '/v1/consents', {
      key: t.admin,
      body: grantBody(t.notice, 'late@example.com', [{ purpose: 'marketing-email', granted: false }]),
    });
    expect(w.body.records[0].decision).toBe('withdraw');
    const link = new URL(/http:\/\/127\.0\.0\.1:3999\/c\/\S+/.exec(mail.text ?? '')![0]);
    const page = await h.request('GET', link.pathname + link.search);
    const form = formOf(page.text);
    await h.request('POST', form.action, {
      raw: new URLSearchParams(form.fields).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect((await t.stateOf(subjectId)).state[0]?.state).toBe('withdrawn');
  });
});

describe('double opt-in in embedded mode: the outbox', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(() => h.close());

  it('without SMTP_URL the e-mail waits in email_outbox, sealed, and the outbox reader opens it', async () => {
    const t = await setup(h);
    await h.request('POST', '/v1/consents', {
      key: t.admin,
      body: grantBody(t.notice, 'box@example.com', [{ purpose: 'marketing-email', granted: true }]),
    });
    const [entry] = await waitFor(async () => {
      const l = await h.rt.services.preferencesMail.list(t.tenant.id);
      return l.length > 0 ? l : undefined;
    });
    expect(entry).toMatchObject({ to: 'box@example.com', kind: 'consent_confirmation' });
    expect(entry!.text).toMatch(/\/c\/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/);
    const raw = await h.rt.db.raw.query<{ sealed: Buffer }>('select sealed from email_outbox');
    expect(Buffer.from(raw.rows[0]!.sealed).toString('latin1')).not.toContain('box@example.com');
    expect(await h.rt.services.preferencesMail.show(t.tenant.id, entry!.id)).toMatchObject({ to: 'box@example.com' });
  });
});
