import nodemailer from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport/index.js';
import { AppError } from '../../lib/errors.ts';

/** One e-mail ready to go. Bodies come from `renderEmail`. */
export type OutboundEmail = {
  to: string;
  subject: string;
  text: string;
  html: string;
  replyTo?: string;
  /** Extra headers, e.g. `Auto-Submitted` or a pseudonymous `X-Lawful-Request` id; never personal data. */
  headers?: Record<string, string>;
};

/** What lands in the outbox: the e-mail plus its sender. */
export type OutboxMessage = OutboundEmail & { from: string };

/**
 * Where e-mails go when no SMTP server is configured. The caller backs it (a database table an operator can read,
 * or a test array), so nothing is lost and nothing leaves the machine.
 */
export interface OutboxSink {
  put(message: OutboxMessage): Promise<void>;
}

export type MailerOptions = { from: string } & ({ smtpUrl: string } | { outbox: OutboxSink });

export type SendResult = { via: 'smtp'; messageId: string } | { via: 'outbox' };

export type Mailer = {
  send(email: OutboundEmail): Promise<SendResult>;
  close(): void;
};

const loopback = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);

/**
 * Transport options for an SMTP URL. Check 38: answers travel over a secure channel, so `smtp://` to anything but
 * loopback must upgrade with STARTTLS (`requireTLS`); `smtps://` is TLS from the first byte. A loopback relay is
 * trusted as-is, which is what local development and the tests use.
 * @example smtpTransportOptions('smtp://user:pw@mail.example.com:587') // { ..., requireTLS: true }
 */
export const smtpTransportOptions = (smtpUrl: string): SMTPTransport.Options => {
  let url: URL;
  try {
    url = new URL(smtpUrl);
  } catch {
    throw new AppError('VALIDATION_FAILED', 'SMTP_URL is not a URL', { field: 'SMTP_URL' });
  }
  if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') {
    throw new AppError('VALIDATION_FAILED', 'SMTP_URL must start with smtp:// or smtps://', { field: 'SMTP_URL' });
  }
  const secure = url.protocol === 'smtps:';
  const local = loopback.has(url.hostname);
  const port = url.port ? Number(url.port) : secure ? 465 : 587;
  return {
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port,
    secure,
    requireTLS: !secure && !local,
    ignoreTLS: !secure && local,
    auth: url.username ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } : undefined,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
  };
};

const noLineBreaks = (value: string, field: string) => {
  // Nodemailer encodes headers, but an address with a line break is never legitimate: refuse early and clearly.
  if (/[\r\n]/.test(value)) throw new AppError('VALIDATION_FAILED', `${field} contains a line break`, { field });
};

/**
 * Real SMTP when a URL is configured; otherwise the caller's outbox.
 * @example const mailer = createMailer({ from: 'privacy@acme.test', smtpUrl: config.smtpUrl })
 * @example const mailer = createMailer({ from: 'privacy@acme.test', outbox: { put: (m) => outboxRepo.insert(m) } })
 */
export const createMailer = (opts: MailerOptions): Mailer => {
  noLineBreaks(opts.from, 'from');
  const check = (email: OutboundEmail) => {
    noLineBreaks(email.to, 'to');
    noLineBreaks(email.subject, 'subject');
    if (email.replyTo) noLineBreaks(email.replyTo, 'replyTo');
    for (const [k, v] of Object.entries(email.headers ?? {})) noLineBreaks(`${k}${v}`, 'headers');
  };

  if ('outbox' in opts) {
    const { outbox, from } = opts;
    return {
      async send(email) {
        check(email);
        await outbox.put({ ...email, from });
        return { via: 'outbox' };
      },
      close() {},
    };
  }

  const transport = nodemailer.createTransport(smtpTransportOptions(opts.smtpUrl));
  return {
    async send(email) {
      check(email);
      const info = await transport.sendMail({
        from: opts.from,
        to: email.to,
        subject: email.subject,
        text: email.text,
        html: email.html,
        replyTo: email.replyTo,
        headers: email.headers,
      });
      return { via: 'smtp', messageId: info.messageId };
    },
    close() {
      transport.close();
    },
  };
};
