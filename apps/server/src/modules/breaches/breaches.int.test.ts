import type { AddressInfo } from 'node:net';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consentReady, grantBody } from '../../../test/consent-fixtures.ts';
import { createHarness, type Harness } from '../../../test/harness.ts';
import { fixedClock } from '../../lib/clock.ts';
import { emailMessages } from '../email/email.messages.ts';
import { breachBody } from './breaches.fixtures.ts';

/** A real SMTP peer on 127.0.0.1: the Art. 34 notices travel through nodemailer and the wire. */
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

const HOUR = 3_600_000;
const clock = fixedClock('2025-03-29T12:00:00Z');
let h: Harness;
let peer: Awaited<ReturnType<typeof startSmtpPeer>>;
let a: { id: string; admin: string; slug: string };
let officer: string;
let reader: string;
let notice: { versionId: string; hash: string; frHash: string };

const breachMails = (id: string) => peer.inbox.filter((m) => m.headers.get('x-lawful-breach') === id);

beforeAll(async () => {
  peer = await startSmtpPeer();
  h = await createHarness({ clock, env: { SMTP_URL: peer.url } });
  const r = await h.rt.services.tenants.create(
    { name: 'Acme', slug: 'acme-breach', settings: { timezone: 'Europe/Paris', defaultLocale: 'en' } },
    'test',
  );
  a = { id: r.tenant.id, admin: r.adminKey.secret, slug: r.tenant.slug };
  officer = (await h.newKey(a.id, 'privacy_officer')).secret;
  reader = (await h.newKey(a.id, 'read_only')).secret;
  notice = await consentReady(h, a.admin);
});
afterAll(async () => {
  await h.close();
  await peer.close();
});

const create = async (o: Record<string, unknown> = {}) => {
  const r = await h.request('POST', '/v1/breaches', {
    key: officer,
    body: breachBody({ awareAt: clock.now().toISOString(), ...o }),
  });
  expect(r.status, r.text).toBe(201);
  return r.body;
};
const move = (id: string, body: Record<string, unknown>, key = officer) =>
  h.request('POST', `/v1/breaches/${id}/transitions`, { key, body });

describe('breach register (check 52, Art. 33)', () => {
  it('check 52: the deadline is awareAt + 72 h in UTC, shown in the tenant’s zone across the spring DST change', async () => {
    const b = await create({ awareAt: '2025-03-29T09:00:00Z' });
    expect(b.status).toBe('open');
    expect(b.deadline.at).toBe('2025-04-01T09:00:00.000Z');
    expect(b.deadline.local).toBe('2025-04-01 11:00 (Europe/Paris, UTC+02:00)');
    expect(b.deadline.hoursRemaining).toBe(69);
    const got = await h.request('GET', `/v1/breaches/${b.id}`, { key: reader });
    expect(got.body.deadline).toEqual(b.deadline);
  });

  it('rejects bad input naming the field, with no partial write', async () => {
    const before = (await h.request('GET', '/v1/breaches', { key: reader })).body.items.length;
    const future = await h.request('POST', '/v1/breaches', {
      key: officer,
      body: breachBody({ awareAt: new Date(clock.now().getTime() + 2 * HOUR).toISOString() }),
    });
    expect(future.status).toBe(400);
    expect(future.body.error.field).toBe('awareAt');
    const window = await h.request('POST', '/v1/breaches', {
      key: officer,
      body: breachBody({
        awareAt: clock.now().toISOString(),
        occurredFrom: '2025-03-20T00:00:00Z',
        occurredTo: '2025-03-10T00:00:00Z',
      }),
    });
    expect(window.body.error.field).toBe('occurredTo');
    const typo = await h.request('POST', '/v1/breaches', {
      key: officer,
      body: breachBody({ dataCategories: ['user.contact.emial'] }),
    });
    expect(typo.status).toBe(400);
    expect(typo.body.error.field).toMatch(/^dataCategories/);
    expect((await h.request('GET', '/v1/breaches', { key: reader })).body.items.length).toBe(before);
    const denied = await h.request('POST', '/v1/breaches', { key: reader, body: breachBody() });
    expect(denied.status).toBe(403);
  });

  it('check 52: a late notification without a reason is refused (422 delayReason); with one it is recorded', async () => {
    const b = await create({ risk: 'risk' });
    expect((await move(b.id, { to: 'notified_authority' })).status).toBe(409); // assess first
    expect((await move(b.id, { to: 'assessed' })).status).toBe(200);
    clock.advance(72 * HOUR + 60_000);
    try {
      const late = await move(b.id, { to: 'notified_authority' });
      expect(late.status).toBe(422);
      expect(late.body.error).toMatchObject({ code: 'RULE_VIOLATION', field: 'delayReason' });
      expect((await h.request('GET', `/v1/breaches/${b.id}`, { key: reader })).body.status).toBe('assessed');
      const ok = await move(b.id, {
        to: 'notified_authority',
        delayReason: 'Forensics needed two more days to scope it.',
      });
      expect(ok.status, ok.text).toBe(200);
      expect(ok.body).toMatchObject({
        status: 'notified_authority',
        delayReason: 'Forensics needed two more days to scope it.',
      });
      expect(ok.body.deadline.overdue).toBe(true);
      // Risk but not high: closing after the authority was told is allowed.
      expect((await move(b.id, { to: 'closed' })).body.status).toBe('closed');
    } finally {
      clock.advance(-(72 * HOUR + 60_000));
    }
  });

  it('check 52: a timely notification needs no reason; a high-risk breach cannot close before people are told', async () => {
    const b = await create();
    await move(b.id, { to: 'assessed' });
    const ok = await move(b.id, { to: 'notified_authority', authorityReference: 'CNIL-2025-0042' });
    expect(ok.body).toMatchObject({ delayReason: null, authorityReference: 'CNIL-2025-0042' });
    const close = await move(b.id, { to: 'closed' });
    expect(close.status).toBe(422);
    expect(close.body.error.field).toBe('risk');
  });

  it('check 52: reminders at 24, 48 and 66 h are audited and sent once each', async () => {
    const b = await create({ risk: 'risk' });
    const start = clock.now().getTime();
    try {
      clock.set(new Date(start + 50 * HOUR));
      expect(await h.rt.services.breachesModule.breaches.remind()).toBeGreaterThanOrEqual(1);
      expect((await h.request('GET', `/v1/breaches/${b.id}`, { key: reader })).body.remindersSent).toEqual([24, 48]);
      expect(await h.rt.services.breachesModule.breaches.remind()).toBe(0);
      clock.set(new Date(start + 66 * HOUR));
      await h.rt.services.breachesModule.breaches.remind();
      expect((await h.request('GET', `/v1/breaches/${b.id}`, { key: reader })).body.remindersSent).toEqual([
        24, 48, 66,
      ]);
      const audit = await h.request('GET', '/v1/audit?limit=200', { key: a.admin });
      const entries = (audit.body.items as { action: string; target: string }[]).filter(
        (e) => e.action === 'breach.deadline_near' && e.target === b.id,
      );
      expect(entries.length).toBe(2);
    } finally {
      clock.set(new Date(start));
    }
  });
});

describe('affected people and the Art. 34 notice (check 52)', () => {
  const grant = async (email: string, purpose: string, locale: string) => {
    const r = await h.request('POST', '/v1/consents', {
      key: a.admin,
      body: grantBody(
        { ...notice, hash: locale === 'fr' ? notice.frHash : notice.hash },
        email,
        [{ purpose, granted: true }],
        {
          locale,
        },
      ),
    });
    expect(r.status, r.text).toBeLessThan(300);
    return r.body;
  };
  const subjectOf = async (email: string) =>
    (
      await h.request('POST', '/v1/subjects:lookup', {
        key: a.admin,
        body: { identity: { kind: 'email', value: email } },
      })
    ).body.id as string;

  let ids: Record<string, string>;
  beforeAll(async () => {
    await grant('alice@example.test', 'marketing-email', 'fr');
    await grant('dan@example.test', 'product-analytics', 'en');
    const refuse = await h.request('POST', '/v1/consents', {
      key: a.admin,
      body: grantBody(notice, 'rita@example.test', [{ purpose: 'marketing-email', granted: false }]),
    });
    expect(refuse.status, refuse.text).toBeLessThan(300);
    const basis = await h.request('POST', '/v1/bases', {
      key: a.admin,
      body: {
        subject: { identity: { kind: 'email', value: 'bob@example.test' } },
        purpose: 'billing',
        basis: 'contract',
        evidence: { contractReference: 'order-17' },
        source: 'crm',
      },
    });
    expect(basis.status, basis.text).toBe(201);
    const req = await h.request('POST', '/v1/requests', {
      key: a.admin,
      body: {
        types: ['access'],
        identities: [{ type: 'email', value: 'rhea@example.test' }],
        identityVerified: true,
        locale: 'de',
      },
    });
    expect(req.status, req.text).toBe(201);
    ids = {
      alice: await subjectOf('alice@example.test'),
      dan: await subjectOf('dan@example.test'),
      rita: await subjectOf('rita@example.test'),
      bob: await subjectOf('bob@example.test'),
      rhea: await subjectOf('rhea@example.test'),
    };
  });

  it('check 52: subjects with grants or bases for purposes whose categories meet the breach, or requests in the window', async () => {
    // user.contact meets user.contact.email (marketing-email, product-analytics); not user.financial.invoice.
    const contact = await create({ dataCategories: ['user.contact'] });
    const r1 = await h.request('GET', `/v1/breaches/${contact.id}/affected`, { key: reader });
    expect(r1.status, r1.text).toBe(200);
    expect(new Set(r1.body.subjectIds)).toEqual(new Set([ids.alice, ids.dan]));
    expect(r1.body.purposes).toEqual(['marketing-email', 'product-analytics']);

    const money = await create({
      dataCategories: ['user.financial.invoice.pdf'],
      requestWindow: { from: new Date(clock.now().getTime() - HOUR).toISOString(), to: clock.now().toISOString() },
    });
    const r2 = await h.request('GET', `/v1/breaches/${money.id}/affected`, { key: reader });
    expect(new Set(r2.body.subjectIds)).toEqual(new Set([ids.bob, ids.rhea]));
    expect(r2.body.byReason).toEqual({ consent: 0, basis: 1, request: 1 });

    // A window that closed before anyone consented touches nobody through consent.
    const early = await create({
      dataCategories: ['user.contact'],
      occurredTo: '2025-01-01T00:00:00Z',
      occurredFrom: '2024-12-01T00:00:00Z',
    });
    expect((await h.request('GET', `/v1/breaches/${early.id}/affected`, { key: reader })).body.count).toBe(0);
  });

  it('check 52: a high-risk breach sends each affected person a localised Art. 34 notice, received by a real SMTP peer, recorded once', async () => {
    const b = await create({ dataCategories: ['user.contact.email'] });
    const tooEarly = await h.request('POST', `/v1/breaches/${b.id}/notify-subjects`, { key: officer });
    expect(tooEarly.status).toBe(409);
    await move(b.id, { to: 'assessed' });
    await move(b.id, { to: 'notified_authority' });
    const sent = await h.request('POST', `/v1/breaches/${b.id}/notify-subjects`, { key: officer });
    expect(sent.status, sent.text).toBe(200);
    expect(sent.body).toMatchObject({ affected: 2, sent: 2, queued: 0, notSent: 0, alreadyTold: 0 });
    const mails = breachMails(b.id);
    expect(mails.length).toBe(2);
    const alice = mails.find((m) => m.to && !Array.isArray(m.to) && m.to.text === 'alice@example.test')!;
    const dan = mails.find((m) => m.to && !Array.isArray(m.to) && m.to.text === 'dan@example.test')!;
    expect(alice.subject).toBe(emailMessages.fr.breach.subject('Acme'));
    expect(dan.subject).toBe(emailMessages.en.breach.subject('Acme'));
    expect(alice.subject).not.toBe(dan.subject);
    expect(alice.text).toContain('publicly readable storage bucket');
    expect(alice.text).toContain('we never ask for it');

    const record = await h.request('GET', `/v1/breaches/${b.id}/notifications`, { key: reader });
    expect(record.body.items).toHaveLength(2);
    for (const n of record.body.items) {
      expect(n).toMatchObject({ recipient: 'subject', channel: 'smtp', outcome: 'sent' });
      expect([ids.alice, ids.dan]).toContain(n.subjectId);
      expect(n.messageId).toMatch(/^<.+>$/);
    }
    expect(record.text).not.toContain('@example.test');
    expect((await h.request('GET', `/v1/breaches/${b.id}`, { key: reader })).body.status).toBe('notified_subjects');

    const again = await h.request('POST', `/v1/breaches/${b.id}/notify-subjects`, { key: officer });
    expect(again.body).toMatchObject({ sent: 0, alreadyTold: 2 });
    expect(breachMails(b.id).length).toBe(2);
  });

  it('check 52: the record of who was told is append-only for the app role', async () => {
    await expect(
      h.rt.db.tenant(a.id, (tx) => h.rt.db.rawOf(tx).query('update breach_notifications set outcome = $1', ['sent'])),
    ).rejects.toThrow(/permission denied/);
    await expect(
      h.rt.db.tenant(a.id, (tx) => h.rt.db.rawOf(tx).query('delete from breach_notifications')),
    ).rejects.toThrow(/permission denied/);
  });

  it('a breach that is not high-risk does not write to people (422 risk)', async () => {
    const b = await create({ risk: 'risk' });
    await move(b.id, { to: 'assessed' });
    await move(b.id, { to: 'notified_authority' });
    const r = await h.request('POST', `/v1/breaches/${b.id}/notify-subjects`, { key: officer });
    expect(r.status).toBe(422);
    expect(r.body.error.field).toBe('risk');
  });
});

describe('exports, processor-side breaches and tenancy (check 52)', () => {
  it('check 52: the authority draft carries Art. 33(3)(a)–(d) as JSON and as a self-contained HTML page', async () => {
    const b = await create({ whatHappened: 'Export <script>alert(1)</script> left public.' });
    const j = await h.request('GET', `/v1/breaches/${b.id}/notification?format=json`, { key: reader });
    expect(j.status, j.text).toBe(200);
    expect(j.body).toMatchObject({
      article: 'Art. 33',
      breachId: b.id,
      controller: { name: 'Acme Portfolio SAS' },
      a_nature: { approxSubjects: 1200, approxRecords: 1200, dataCategories: ['user.contact.email'] },
      b_contact: 'Data Protection Officer, dpo@acme.test',
      c_consequences: expect.stringContaining('Phishing'),
      d_measures: { taken: expect.stringContaining('private'), proposed: expect.stringContaining('Automated') },
    });
    const html = await h.request('GET', `/v1/breaches/${b.id}/notification?format=html`, { key: reader });
    expect(html.headers.get('content-type')).toMatch(/^text\/html/);
    expect(html.text).toContain('(a) Nature of the breach');
    expect(html.text).toContain('(d) Measures taken or proposed');
    expect(html.text).toContain('&lt;script&gt;');
    expect(html.text).not.toContain('<script');
    expect(html.text).not.toMatch(/(src|href)="https?:/);
    const bad = await h.request('GET', `/v1/breaches/${b.id}/notification?format=pdf`, { key: reader });
    expect(bad.status).toBe(400);
  });

  it('check 52: the register exports parse back as CSV and XLSX', async () => {
    const list = (await h.request('GET', '/v1/breaches', { key: reader })).body.items as {
      id: string;
      deadline: { at: string };
    }[];
    const csv = await h.request('GET', '/v1/breaches?format=csv', { key: reader });
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    const rows = parse(csv.text, { columns: true }) as Record<string, string>[];
    expect(rows.map((r) => r.id).sort()).toEqual(list.map((b) => b.id).sort());
    const first = rows.find((r) => r.id === list[0]!.id)!;
    expect(first['deadline (UTC)']).toBe(list[0]!.deadline.at);
    const res = await h.app.request('/v1/breaches?format=xlsx', { headers: { authorization: `Bearer ${reader}` } });
    expect(res.status).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(await res.arrayBuffer());
    const ws = wb.getWorksheet('Breach register')!;
    expect(ws.getRow(1).getCell(1).value).toBe('id');
    const xlsxIds: string[] = [];
    ws.eachRow((row, n) => {
      if (n > 1) xlsxIds.push(String(row.getCell(1).value));
    });
    expect(xlsxIds.sort()).toEqual(list.map((b) => b.id).sort());
  });

  it('check 52: a processor-side breach lands in each affected tenant’s register with a webhook and an e-mail to its DPO', async () => {
    const other = await h.newTenant('Bystander');
    // A public address literal: accepted without DNS, never contacted (no delivery worker runs in this file).
    const hook = await h.rt.services.webhooks.create(
      a.id,
      { url: 'https://93.184.215.14/hook', description: '', eventTypes: ['breach.processor_reported'], enabled: true },
      'test',
    );
    const out = await h.rt.services.breachesModule.notifier.reportProcessorBreach(
      (await import('./breaches.fixtures.ts')).sampleBreach({
        awareAt: new Date(clock.now().getTime() - 5 * HOUR).toISOString(),
      }),
      [a.id],
      'operator',
    );
    expect(out).toHaveLength(1);
    expect(out[0]!.email).toBe('sent');
    const b = (await h.request('GET', `/v1/breaches/${out[0]!.breachId}`, { key: reader })).body;
    expect(b).toMatchObject({ processorSide: true, awareAt: clock.now().toISOString() });
    expect(b.deadline.hoursRemaining).toBe(72);
    const mail = breachMails(b.id);
    expect(mail).toHaveLength(1);
    expect(mail[0]!.to && !Array.isArray(mail[0]!.to) && mail[0]!.to.text).toBe('dpo@acme.test');
    expect(mail[0]!.text).toContain('Art. 33(2)');
    const deliveries = await h.request('GET', `/v1/webhooks/${hook.id}/deliveries`, { key: a.admin });
    expect(deliveries.status, deliveries.text).toBe(200);
    expect(deliveries.body.items.map((d: { eventType: string }) => d.eventType)).toEqual(['breach.processor_reported']);
    const bystander = await h.request('GET', '/v1/breaches', { key: other.admin });
    expect(bystander.body.items).toEqual([]);
  });

  it('check 52: another tenant’s breach is a 404 on every breach route', async () => {
    const b = await create();
    const other = await h.newTenant('Other');
    for (const path of [
      `/v1/breaches/${b.id}`,
      `/v1/breaches/${b.id}/affected`,
      `/v1/breaches/${b.id}/notifications`,
      `/v1/breaches/${b.id}/notification?format=html`,
    ]) {
      const r = await h.request('GET', path, { key: other.admin });
      expect(r.status, path).toBe(404);
    }
    const t = await h.request('POST', `/v1/breaches/${b.id}/transitions`, {
      key: other.admin,
      body: { to: 'assessed' },
    });
    expect(t.status).toBe(404);
    expect((await h.request('GET', `/v1/breaches/${b.id}`, { key: reader })).body.status).toBe('open');
  });
});
