import { z } from '@hono/zod-openapi';
import { Timestamp } from './common.ts';

/** The six languages of the people-facing pages. */
export const PageLocale = z.enum(['en', 'de', 'fr', 'es', 'it', 'nl']);
export type PageLocale = z.infer<typeof PageLocale>;

export const CreatePreferenceLink = z
  .object({
    expiresInDays: z.number().int().min(1).max(365).default(30),
    locale: PageLocale.optional().openapi({ description: 'Language of the page; the browser’s otherwise' }),
  })
  .strict()
  .openapi('CreatePreferenceLink');
export type CreatePreferenceLink = z.infer<typeof CreatePreferenceLink>;

export const PreferenceCentreLink = z
  .object({
    url: z.string().url().openapi({ description: 'Signed, expiring; carries no personal data' }),
    expiresAt: Timestamp,
  })
  .openapi('PreferenceCentreLink');
export type PreferenceCentreLink = z.infer<typeof PreferenceCentreLink>;

export const CreateUnsubscribeLink = z
  .object({
    purpose: z.string().min(1).max(64),
    expiresInDays: z
      .number()
      .int()
      .min(1)
      .max(730)
      .default(365)
      .openapi({ description: 'E-mails stay in mailboxes: unsubscribe links live longer than page links' }),
  })
  .strict()
  .openapi('CreateUnsubscribeLink');
export type CreateUnsubscribeLink = z.infer<typeof CreateUnsubscribeLink>;

export const UnsubscribeLink = z
  .object({
    url: z.string().url(),
    expiresAt: Timestamp,
    headers: z
      .object({ 'List-Unsubscribe': z.string(), 'List-Unsubscribe-Post': z.literal('List-Unsubscribe=One-Click') })
      .openapi({ description: 'RFC 8058 one-click headers to put on the e-mail as they are' }),
  })
  .openapi('UnsubscribeLink');
export type UnsubscribeLink = z.infer<typeof UnsubscribeLink>;

export const RevokedLinks = z.object({ revoked: z.number().int() }).openapi('RevokedLinks');

/** An e-mail kept in the outbox when no SMTP server is configured (embedded mode). */
export const OutboxEntry = z
  .object({
    id: z.string(),
    kind: z.string(),
    subjectId: z.string().nullable(),
    createdAt: Timestamp,
    to: z.string(),
    from: z.string(),
    subject: z.string(),
    text: z.string(),
    html: z.string(),
    headers: z.record(z.string(), z.string()),
  })
  .openapi('OutboxEntry');
export type OutboxEntry = z.infer<typeof OutboxEntry>;
