import type { AddressInfo } from 'node:net';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../lib/errors.ts';
import { createMailer, type Mailer, type OutboxMessage, smtpTransportOptions } from './email.mailer.ts';
import { emailMessages } from './email.messages.ts';
import { type EmailContext, type EmailTemplate, renderEmail } from './email.templates.ts';

/** A real SMTP peer on 127.0.0.1: messages travel through nodemailer and the wire, and come back parsed. */
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

let peer: Awaited<ReturnType<typeof startSmtpPeer>>;
let mailer: Mailer;
beforeAll(async () => {
  peer = await startSmtpPeer();
  mailer = createMailer({ from: 'privacy@acme.test', smtpUrl: peer.url });
});
afterAll(async () => {
  mailer.close();
  await peer.close();
});

const deliver = async (to: string, ctx: EmailContext, template: EmailTemplate): Promise<ParsedMail> => {
  const before = peer.inbox.length;
  const result = await mailer.send({ to, ...renderEmail(ctx, template) });
  expect(result.via).toBe('smtp');
  expect(peer.inbox.length).toBe(before + 1);
  return peer.inbox[before]!;
};

const htmlOf = (m: ParsedMail) => (typeof m.html === 'string' ? m.html : '');
const ctx = (locale: EmailContext['locale'], timeZone = 'Europe/Paris'): EmailContext => ({
  locale,
  timeZone,
  organisation: 'Acme SARL',
});

describe('mailer over SMTP', () => {
  it('verification: the link and code arrive intact and the link works from both parts (fr)', async () => {
    const link = 'https://lawful.acme.test/verify?token=Zx9_abc-123&r=req_01';
    const mail = await deliver('jeanne@example.test', ctx('fr'), {
      kind: 'verification',
      link,
      code: '482 913',
      expiresAt: new Date('2025-03-02T09:00:00Z'),
    });
    expect(mail.subject).toBe('Confirmez votre demande auprès de Acme SARL');
    const fromText = mail.text?.match(/https:\/\/\S+/)?.[0];
    expect(fromText).toBe(link);
    const fromHtml = htmlOf(mail)
      .match(/href="([^"]+)"/)?.[1]
      ?.replaceAll('&amp;', '&');
    expect(fromHtml).toBe(link);
    expect(new URL(fromText ?? '').searchParams.get('token')).toBe('Zx9_abc-123');
    expect(mail.text).toContain('Ou saisissez ce code : 482 913');
    expect(mail.text).toContain('2 mars 2025');
    expect(htmlOf(mail)).toContain('<html lang="fr">');
  });

  it('request received: German text with the due date in the tenant time zone', async () => {
    const mail = await deliver('max@example.test', ctx('de', 'Europe/Berlin'), {
      kind: 'request_received',
      reference: 'req_01JDQ2M3ZV9G7X6S5R4Q3P2N1M',
      types: ['access', 'erasure'],
      dueAt: new Date('2025-02-28T22:59:59.999Z'),
    });
    expect(mail.subject).toBe('Wir haben Ihre Anfrage erhalten (req_01JDQ2M3ZV9G7X6S5R4Q3P2N1M)');
    expect(mail.text).toContain('spätestens am 28. Februar 2025');
    expect(mail.text).toContain(
      'Auskunft über Ihre personenbezogenen Daten und Löschung Ihrer personenbezogenen Daten',
    );
    expect(mail.to && 'text' in mail.to ? mail.to.text : '').toBe('max@example.test');
  });

  it('check 34: a refusal carries the reasons, the authority to complain to, and the judicial remedy (es)', async () => {
    const mail = await deliver('ana@example.test', ctx('es'), {
      kind: 'refusal',
      reference: 'req_1',
      types: ['erasure'],
      grounds: ['art17_3_b_legal_obligation_or_public_task', 'art17_3_e_legal_claims'],
      explanation: 'Debemos conservar las facturas durante seis años por obligación fiscal.',
      authority: { nameKey: 'authority.uk.name', urlKey: 'authority.uk.url' },
    });
    expect(mail.subject).toBe('Nuestra respuesta a su solicitud (req_1)');
    expect(mail.text).toContain('La ley nos obliga a conservar los datos');
    expect(mail.text).toContain('art. 17.3.e del RGPD');
    expect(mail.text).toContain('Debemos conservar las facturas');
    expect(mail.text).toContain('presentar una reclamación ante la Information Commissioner’s Office (ICO)');
    expect(mail.text).toContain('https://ico.org.uk/make-a-complaint/');
    expect(mail.text).toContain('acudir a los tribunales');
  });
});

describe('templates', () => {
  const dueAt = new Date('2025-02-28T22:59:59.999Z');
  const all: EmailTemplate[] = [
    { kind: 'verification', link: 'https://x.test/v?t=1', code: '123456', expiresAt: dueAt },
    { kind: 'request_received', reference: 'req_1', types: ['access'], dueAt },
    {
      kind: 'extension_notice',
      reference: 'req_1',
      originalDueAt: dueAt,
      newDueAt: new Date('2025-04-30T21:59:59.999Z'),
      reason: 'Three archived systems',
      sentAt: new Date('2025-02-10T10:00:00Z'),
    },
    {
      kind: 'refusal',
      reference: 'req_1',
      types: ['access'],
      grounds: ['manifestly_excessive'],
      explanation: 'Fifth identical request this month',
      authority: { nameKey: 'authority.eu.name', urlKey: 'authority.eu.url' },
    },
    {
      kind: 'completion',
      reference: 'req_1',
      types: ['access', 'erasure'],
      download: { url: 'https://x.test/d/abc', expiresAt: dueAt },
      recipientsNotified: ['Mailer Ltd'],
    },
    { kind: 'consent_confirmation', link: 'https://x.test/c?t=1', purposes: ['Newsletter'] },
    {
      kind: 'breach_notice',
      whatHappened: 'A backup was exposed',
      likelyConsequences: 'Phishing',
      measuresTaken: 'Closed access',
      recommendedActions: 'Be wary of e-mails',
      contact: 'dpo@acme.test',
    },
  ];

  it('every locale has its own wording for every e-mail (no English left in translations)', () => {
    for (const template of all) {
      const english = renderEmail(ctx('en'), template);
      for (const locale of ['de', 'fr', 'es', 'it', 'nl'] as const) {
        const r = renderEmail(ctx(locale), template);
        expect(r.subject, `${locale} ${template.kind}`).not.toBe(english.subject);
        expect(r.text).not.toContain(emailMessages.en.greeting);
        expect(r.text).not.toContain(emailMessages.en.regards);
        expect(r.text).not.toMatch(/undefined|\[object/);
        expect(r.html).toContain(`<html lang="${locale}">`);
      }
    }
  });

  it('check 33: the extension notice states both dates and the reason, and refuses to go out late', () => {
    const ext = all[2] as Extract<EmailTemplate, { kind: 'extension_notice' }>;
    const r = renderEmail(ctx('en'), ext);
    expect(r.text).toContain('by 28 February 2025');
    expect(r.text).toContain('by 30 April 2025 at the latest');
    expect(r.text).toContain('> Three archived systems');
    expect(() => renderEmail(ctx('en'), { ...ext, sentAt: new Date(dueAt.getTime() + 1) })).toThrow(
      /before the original due date/,
    );
  });

  it('completion: access needs an https download link; erasure lists the recipients told (Art. 19)', () => {
    const done = all[4] as Extract<EmailTemplate, { kind: 'completion' }>;
    const r = renderEmail(ctx('it'), done);
    expect(r.text).toContain('https://x.test/d/abc');
    expect(r.text).toContain('Abbiamo informato anche questi destinatari dei suoi dati:\n\n- Mailer Ltd');
    expect(() => renderEmail(ctx('en'), { ...done, download: undefined })).toThrow(/download link/);
    expect(() => renderEmail(ctx('en'), { ...done, download: { url: 'http://x.test/d', expiresAt: dueAt } })).toThrow(
      /https/,
    );
    expect(() => renderEmail(ctx('en'), { ...done, recipientsNotified: undefined })).toThrow(/recipients/);
    const none = renderEmail(ctx('en'), {
      kind: 'completion',
      reference: 'r',
      types: ['rectification'],
      recipientsNotified: [],
    });
    expect(none.text).toContain('nobody else needed to be told');
  });

  it('breach notice (Art. 34): what happened, consequences, measures, advice and contact, in order', () => {
    const r = renderEmail(ctx('nl'), all[6]!);
    const order = [
      'Wat er is gebeurd',
      'A backup was exposed',
      'Wat dit voor u kan betekenen',
      'Phishing',
      'Wat we hebben gedaan',
      'Closed access',
      'Wat we u aanraden',
      'Met wie u contact',
      'dpo@acme.test',
    ];
    const positions = order.map((s) => r.text.indexOf(s));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
  });

  it('escapes HTML everywhere and refuses unsafe links', () => {
    const evil: EmailContext = { locale: 'en', timeZone: 'UTC', organisation: '<script>alert(1)</script> & "Co"' };
    const r = renderEmail(evil, {
      kind: 'consent_confirmation',
      link: 'https://x.test/c?a=1&b="2"',
      purposes: ['<img src=x onerror=alert(1)>'],
    });
    expect(r.html).not.toContain('<script>');
    expect(r.html).not.toContain('<img');
    expect(r.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;Co&quot;');
    expect(r.html).toContain('href="https://x.test/c?a=1&amp;b=%222%22"');
    expect(r.text).toContain('<script>alert(1)</script>'); // plain text is not HTML: shown as typed
    for (const link of ['javascript:alert(1)', 'data:text/html,hi', 'http://phish.test/x', 'https://u:p@x.test/']) {
      expect(() => renderEmail(evil, { kind: 'verification', link, code: '1', expiresAt: dueAt })).toThrow(AppError);
    }
    expect(
      renderEmail(evil, { kind: 'verification', link: 'http://127.0.0.1:3000/v', code: '1', expiresAt: dueAt }).text,
    ).toContain('http://127.0.0.1:3000/v');
  });
});

describe('createMailer', () => {
  it('without SMTP, hands the message to the outbox sink', async () => {
    const box: OutboxMessage[] = [];
    const m = createMailer({ from: 'privacy@acme.test', outbox: { put: async (msg) => void box.push(msg) } });
    const rendered = renderEmail(ctx('en'), {
      kind: 'request_received',
      reference: 'req_9',
      types: ['objection'],
      dueAt: new Date(),
    });
    expect(await m.send({ to: 'a@example.test', ...rendered })).toEqual({ via: 'outbox' });
    expect(box).toEqual([{ to: 'a@example.test', from: 'privacy@acme.test', ...rendered }]);
  });

  it('refuses header injection', async () => {
    const m = createMailer({ from: 'privacy@acme.test', outbox: { put: async () => {} } });
    await expect(
      m.send({ to: 'a@example.test\r\nBcc: all@example.test', subject: 's', text: 't', html: 'h' }),
    ).rejects.toThrow(/line break/);
  });

  it('check 38: SMTP to a remote host must use TLS; loopback relays may not', () => {
    expect(smtpTransportOptions('smtp://u:p%40ss@mail.example.test:587')).toMatchObject({
      host: 'mail.example.test',
      port: 587,
      secure: false,
      requireTLS: true,
      auth: { user: 'u', pass: 'p@ss' },
    });
    expect(smtpTransportOptions('smtps://mail.example.test')).toMatchObject({
      port: 465,
      secure: true,
      requireTLS: false,
    });
    expect(smtpTransportOptions('smtp://127.0.0.1:2525')).toMatchObject({ requireTLS: false, ignoreTLS: true });
    expect(() => smtpTransportOptions('http://mail.example.test')).toThrow(/smtp/);
  });
});
