import { z } from '@hono/zod-openapi';
import { prefixedId, Timestamp } from './common.ts';
import { SubjectRef } from './subjects.ts';

export const NoticeId = prefixedId('ntc');
export const NoticeVersionId = prefixedId('ntv');
export const ConsentId = prefixedId('cns');
export const Locale = z.string().regex(/^[a-z]{2}(-[A-Z]{2})?$/, 'a locale such as en or fr-CA');

const NoticeText = z
  .object({
    title: z.string().trim().min(1).max(200),
    markdown: z
      .string()
      .min(1)
      .max(100_000)
      .openapi({ description: 'The notice in Markdown (raw HTML is shown as text)' }),
  })
  .strict();

/** A draft notice version: texts per locale and the purposes it asks about. Publishing freezes it. */
export const NoticeDraft = z
  .object({
    texts: z.record(Locale, NoticeText).refine((t) => Object.keys(t).length > 0, 'at least one locale'),
    purposes: z.array(z.string().min(1).max(64)).min(1).max(100),
    effectiveAt: Timestamp.optional(),
  })
  .strict()
  .openapi('NoticeDraft');
export type NoticeDraft = z.infer<typeof NoticeDraft>;

export const CreateNotice = z
  .object({
    key: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'lowercase letters, digits and dashes'),
    name: z.string().trim().min(1).max(200),
    draft: NoticeDraft,
  })
  .strict()
  .openapi('CreateNotice');
export type CreateNotice = z.infer<typeof CreateNotice>;

export const NoticeVersion = z
  .object({
    id: NoticeVersionId,
    noticeId: NoticeId,
    noticeKey: z.string(),
    version: z.number().int(),
    status: z.enum(['draft', 'published']),
    purposes: z.array(z.object({ key: z.string(), version: z.number().int().nullable() })),
    texts: z.record(z.string(), NoticeText),
    rendered: z
      .record(z.string(), z.object({ html: z.string(), sha256: z.string() }))
      .nullable()
      .openapi({ description: 'The exact text a person sees per locale and its SHA-256; set when published' }),
    effectiveAt: Timestamp.nullable(),
    publishedAt: Timestamp.nullable(),
    createdAt: Timestamp,
  })
  .openapi('NoticeVersion');
export type NoticeVersion = z.infer<typeof NoticeVersion>;

/** How the choice was made. Scrolling, dismissing, inactivity and pre-ticked boxes are never consent (Recital 32). */
export const ConsentMethod = z.enum([
  'form_checkbox',
  'banner',
  'preference_centre',
  'api',
  'import',
  'verbal_recorded',
  'signed_form',
  'double_opt_in',
  'email_unsubscribe',
  'gpc',
]);
export type ConsentMethod = z.infer<typeof ConsentMethod>;

export const AffirmativeAction = z
  .object({
    kind: z.enum([
      'checkbox_ticked',
      'checkbox_unticked',
      'button_pressed',
      'toggle_switched',
      'link_clicked',
      'verbal_statement',
      'signature',
      'imported_evidence',
      'browser_signal',
    ]),
    label: z
      .string()
      .trim()
      .max(500)
      .optional()
      .openapi({ description: 'The words on the control, e.g. "Accept all"' }),
    preTicked: z.boolean().default(false).openapi({ description: 'A pre-ticked box is never consent (Planet49)' }),
  })
  .strict();

export const PurposeDecision = z.object({ purpose: z.string().min(1).max(64), granted: z.boolean() }).strict();

export const RecordConsent = z
  .object({
    subject: SubjectRef,
    noticeVersionId: NoticeVersionId,
    noticeHash: z.string().regex(/^[0-9a-f]{64}$/, 'the SHA-256 (hex) of the rendered notice the person saw'),
    locale: Locale,
    decisions: z
      .array(PurposeDecision)
      .min(1)
      .max(100)
      .openapi({ description: 'One decision per purpose: bundled consent is rejected (EDPB 05/2020 §42–44)' }),
    method: ConsentMethod,
    affirmativeAction: AffirmativeAction,
    collectionPoint: z
      .object({
        formId: z.string().max(200).optional(),
        pageUrl: z.string().url().max(2000).optional(),
        bannerVersion: z.string().max(50).optional(),
        bundleHash: z.string().max(200).optional(),
      })
      .strict()
      .default({}),
    age: z.number().int().min(0).max(150).optional(),
    guardian: z
      .object({ consented: z.literal(true), verification: z.string().trim().min(1).max(200) })
      .strict()
      .optional()
      .openapi({ description: 'Art. 8: consent of the holder of parental responsibility, and how it was checked' }),
    evidence: z
      .object({
        originalRecordedAt: Timestamp.optional(),
        reference: z.string().max(500).optional(),
        originalMethod: z.string().max(50).optional(),
      })
      .strict()
      .optional()
      .openapi({ description: 'For imports: the original evidence' }),
    idempotencyKey: z.string().min(8).max(200).optional(),
  })
  .strict()
  .openapi('RecordConsent');
export type RecordConsent = z.infer<typeof RecordConsent>;

export const ConsentDecisionKind = z.enum(['grant', 'refuse', 'withdraw']);

export const ConsentRecord = z
  .object({
    id: ConsentId,
    subjectId: z.string(),
    purpose: z.string(),
    purposeVersion: z.number().int(),
    decision: ConsentDecisionKind,
    status: z.enum(['effective', 'pending_confirmation']),
    noticeVersionId: z.string(),
    noticeHash: z.string(),
    locale: z.string(),
    method: ConsentMethod,
    affirmativeAction: z.record(z.string(), z.unknown()),
    collectionPoint: z.record(z.string(), z.unknown()),
    recordedAt: Timestamp,
    ipPrefix: z.string().nullable().openapi({ description: 'Truncated to /24 (IPv4) or /48 (IPv6)' }),
    userAgent: z.string().nullable().openapi({ description: 'Coarse: browser family, OS family, device type' }),
    confirms: z.string().nullable(),
  })
  .openapi('ConsentRecord');
export type ConsentRecord = z.infer<typeof ConsentRecord>;

export const ConsentResult = z
  .object({
    records: z.array(ConsentRecord),
    receipt: z.string().nullable().openapi({ description: 'Kantara Consent Receipt v1.1 as a compact JWS' }),
    pendingConfirmation: z.boolean(),
  })
  .openapi('ConsentResult');
export type ConsentResult = z.infer<typeof ConsentResult>;

export const ConsentStateItem = z
  .object({
    purpose: z.string(),
    state: z.enum(['granted', 'refused', 'withdrawn', 'pending_confirmation', 'none']),
    recordId: z.string().nullable(),
    since: Timestamp.nullable(),
  })
  .openapi('ConsentState');
export type ConsentStateItem = z.infer<typeof ConsentStateItem>;

export const PreferenceLink = z.object({ url: z.string(), expiresAt: Timestamp }).openapi('PreferenceLink');
