import { z } from '@hono/zod-openapi';
import { listOf, prefixedId, Timestamp } from './common.ts';
import { RequestType } from './requests.ts';

/**
 * Webhooks: how recipients learn that a subject withdrew consent, objected, was erased or rectified
 * (GDPR Arts. 7(3), 17(2), 19). Deliveries are signed per the Standard Webhooks spec; see docs/webhooks.md.
 *
 * Event payloads carry pseudonymous Lawful ids only (subject, purpose, consent, request ids), never e-mail addresses,
 * names or the platform's own user ids: a recipient maps a `sub_…` id to its records through the mapping it kept when
 * it registered the subject, or by asking the controller's system through its API.
 */

export const WebhookId = prefixedId('whk');
export const WebhookDeliveryId = prefixedId('dlv');

export const WebhookEventType = z
  .enum([
    'consent.granted',
    'consent.withdrawn',
    'basis.changed',
    'objection.recorded',
    'request.completed',
    'request.task',
    'request.due_soon',
    'request.overdue',
    'request.transfer_failed',
    'subject.erased',
    'subject.rectified',
    'subject.restricted',
    'subject.restriction_lifted',
    'breach.deadline_near',
    'breach.processor_reported',
    'subprocessors.changed',
  ])
  .openapi('WebhookEventType');
export type WebhookEventType = z.infer<typeof WebhookEventType>;

const SubjectId = prefixedId('sub');
const PurposeId = prefixedId('pur');
const RequestId = prefixedId('req');
/** A purpose's stable key as the tenant configured it, e.g. `newsletter`. Never personal data. */
const PurposeKey = z.string().min(1).max(100);

const Basis = z
  .enum(['consent', 'contract', 'legal_obligation', 'vital_interests', 'public_task', 'legitimate_interests'])
  .openapi('WebhookLawfulBasis', { description: 'Art. 6(1)(a)–(f)' });

const ConsentEventData = z
  .object({
    subjectId: SubjectId,
    purposeId: PurposeId,
    purposeKey: PurposeKey,
    consentId: prefixedId('cns'),
    at: Timestamp,
  })
  .strict();

/** What the data of each event type holds. `at` is when the change took effect in Lawful. */
export const WebhookEventData = {
  'consent.granted': ConsentEventData.openapi('WebhookConsentGrantedData'),
  /** Stop processing for this purpose now (Art. 7(3)); past processing stays lawful. */
  'consent.withdrawn': ConsentEventData.openapi('WebhookConsentWithdrawnData'),
  'basis.changed': z
    .object({
      subjectId: SubjectId,
      purposeId: PurposeId,
      purposeKey: PurposeKey,
      basis: Basis,
      previousBasis: Basis.nullable(),
      at: Timestamp,
    })
    .strict()
    .openapi('WebhookBasisChangedData'),
  /** `direct_marketing` objections take effect at once and without exception (Art. 21(3)). */
  'objection.recorded': z
    .object({
      subjectId: SubjectId,
      objectionId: prefixedId('obj'),
      scope: z.enum(['direct_marketing', 'processing']),
      purposeIds: z.array(PurposeId).max(200),
      at: Timestamp,
    })
    .strict()
    .openapi('WebhookObjectionRecordedData'),
  'request.completed': z
    .object({
      requestId: RequestId,
      subjectId: SubjectId.nullable(),
      requestType: RequestType,
      outcome: z.enum(['completed', 'partially_completed', 'rejected']),
      at: Timestamp,
    })
    .strict()
    .openapi('WebhookRequestCompletedData'),
  /**
   * A recipient's share of a request (Art. 19): act on it for this subject, then POST to `callbackUrl` with
   * `Authorization: Bearer <callbackToken>` and `{ "outcome": "done" | "not_applicable" | "failed" }`.
   */
  'request.task': z
    .object({
      requestId: RequestId,
      taskId: prefixedId('tsk'),
      subjectId: SubjectId.nullable(),
      requestTypes: z.array(RequestType),
      callbackUrl: z.string(),
      callbackToken: z.string(),
      dueAt: Timestamp,
      at: Timestamp,
    })
    .strict()
    .openapi('WebhookRequestTaskData'),
  /** The answer is due soon (reminder) or late (escalation); ids only. */
  'request.due_soon': z
    .object({ requestId: RequestId, state: z.string(), dueAt: Timestamp, at: Timestamp })
    .strict()
    .openapi('WebhookRequestDueSoonData'),
  'request.overdue': z
    .object({ requestId: RequestId, state: z.string(), dueAt: Timestamp, at: Timestamp })
    .strict()
    .openapi('WebhookRequestOverdueData'),
  /**
   * A direct transfer (Art. 20(2)) failed after every retry: staff should tell the person and the receiving
   * controller (the person has their own download link). Ids and counts only.
   */
  'request.transfer_failed': z
    .object({ requestId: RequestId, attempts: z.number().int(), reason: z.string().max(100), at: Timestamp })
    .strict()
    .openapi('WebhookRequestTransferFailedData'),
  /** Erase your copy of this subject's data (Art. 17(2), 19). */
  'subject.erased': z
    .object({ subjectId: SubjectId, requestId: RequestId.nullable(), at: Timestamp })
    .strict()
    .openapi('WebhookSubjectErasedData'),
  /** Names of the corrected fields, never their values: re-read them from the controller's system of record. */
  'subject.rectified': z
    .object({
      subjectId: SubjectId,
      requestId: RequestId.nullable(),
      fields: z.array(z.string().min(1).max(100)).max(100),
      at: Timestamp,
    })
    .strict()
    .openapi('WebhookSubjectRectifiedData'),
  /** Store only; process no further until lifted (Art. 18(2)). Empty `purposeIds` = all processing. */
  'subject.restricted': z
    .object({
      subjectId: SubjectId,
      requestId: RequestId.nullable(),
      purposeIds: z.array(PurposeId).max(200),
      at: Timestamp,
    })
    .strict()
    .openapi('WebhookSubjectRestrictedData'),
  'subject.restriction_lifted': z
    .object({
      subjectId: SubjectId,
      requestId: RequestId.nullable(),
      purposeIds: z.array(PurposeId).max(200),
      at: Timestamp,
    })
    .strict()
    .openapi('WebhookSubjectRestrictionLiftedData'),
  /** The authority notification is due at `deadlineAt` (awareAt + 72 h, Art. 33(1)); sent at 24, 48 and 66 h. */
  'breach.deadline_near': z
    .object({
      breachId: prefixedId('brc'),
      milestoneHours: z.number().int(),
      deadlineAt: Timestamp,
      hoursRemaining: z.number(),
      at: Timestamp,
    })
    .strict()
    .openapi('WebhookBreachDeadlineNearData'),
  /** The install (your processor) had a breach touching your data (Art. 33(2)); your 72 hours start at `awareAt`. */
  'breach.processor_reported': z
    .object({
      breachId: prefixedId('brc'),
      risk: z.enum(['none', 'risk', 'high']),
      awareAt: Timestamp,
      deadlineAt: Timestamp,
      at: Timestamp,
    })
    .strict()
    .openapi('WebhookBreachProcessorReportedData'),
  /** The install's sub-processors change at `effectiveAt` (Art. 28(2)); names only. */
  'subprocessors.changed': z
    .object({
      listId: z.string(),
      effectiveAt: Timestamp,
      added: z.array(z.string()).max(200),
      removed: z.array(z.string()).max(200),
      changed: z.array(z.string()).max(200),
      at: Timestamp,
    })
    .strict()
    .openapi('WebhookSubprocessorsChangedData'),
} as const satisfies Record<WebhookEventType, z.ZodType>;

const eventOf = <T extends WebhookEventType>(type: T) =>
  z.object({ type: z.literal(type), data: WebhookEventData[type] }).strict();

/**
 * An event as other modules emit it: `webhooks.emit(tx, tenantId, { type: 'consent.withdrawn', data: {...} })`.
 * @example { type: 'subject.erased', data: { subjectId: 'sub_01J…', requestId: 'req_01J…', at: '2026-11-29T10:00:00.000Z' } }
 */
export const WebhookEvent = z
  .discriminatedUnion('type', [
    eventOf('consent.granted'),
    eventOf('consent.withdrawn'),
    eventOf('basis.changed'),
    eventOf('objection.recorded'),
    eventOf('request.completed'),
    eventOf('request.task'),
    eventOf('request.due_soon'),
    eventOf('request.overdue'),
    eventOf('request.transfer_failed'),
    eventOf('subject.erased'),
    eventOf('subject.rectified'),
    eventOf('subject.restricted'),
    eventOf('subject.restriction_lifted'),
    eventOf('breach.deadline_near'),
    eventOf('breach.processor_reported'),
    eventOf('subprocessors.changed'),
  ])
  .openapi('WebhookEvent');
export type WebhookEvent = z.infer<typeof WebhookEvent>;

/**
 * The body Lawful POSTs (Standard Webhooks layout). The `webhook-id` header names the delivery and stays the same
 * across retries and replays: dedupe on it.
 */
export const WebhookPayload = z
  .object({ type: WebhookEventType, timestamp: Timestamp, data: z.record(z.string(), z.unknown()) })
  .openapi('WebhookPayload');
export type WebhookPayload = z.infer<typeof WebhookPayload>;

const Url = z
  .string()
  .trim()
  .max(2048)
  .url()
  .openapi({ description: 'https only; must not resolve to a private, loopback or link-local address' });
const EventTypes = z
  .array(WebhookEventType)
  .max(WebhookEventType.options.length)
  .refine((a) => new Set(a).size === a.length, 'event types must not repeat')
  .openapi({ description: 'The event types to deliver; empty means every type' });

export const CreateWebhook = z
  .object({
    url: Url,
    description: z.string().trim().max(500).default(''),
    eventTypes: EventTypes.default([]),
    enabled: z.boolean().default(true),
  })
  .strict()
  .openapi('CreateWebhook');
export type CreateWebhook = z.infer<typeof CreateWebhook>;

export const UpdateWebhook = z
  .object({
    url: Url.optional(),
    description: z.string().trim().max(500).optional(),
    eventTypes: EventTypes.optional(),
    enabled: z.boolean().optional(),
  })
  .strict()
  .openapi('UpdateWebhook');
export type UpdateWebhook = z.infer<typeof UpdateWebhook>;

export const Webhook = z
  .object({
    id: WebhookId,
    url: z.string(),
    description: z.string(),
    eventTypes: z.array(WebhookEventType),
    enabled: z.boolean(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
    secretRotatedAt: Timestamp.nullable(),
  })
  .openapi('Webhook');
export type Webhook = z.infer<typeof Webhook>;

export const WebhookWithSecret = Webhook.extend({
  secret: z.string().openapi({ description: 'The signing secret (`whsec_…`). Shown once; Lawful stores it sealed.' }),
}).openapi('WebhookWithSecret');
export type WebhookWithSecret = z.infer<typeof WebhookWithSecret>;

export const WebhookAttempt = z
  .object({
    attempt: z.number().int().min(1),
    trigger: z.enum(['auto', 'replay']),
    at: Timestamp,
    durationMs: z.number().int().min(0),
    statusCode: z.number().int().nullable(),
    outcome: z.enum(['success', 'failure']),
    errorClass: z
      .enum(['http_status', 'redirect', 'timeout', 'connection', 'dns', 'tls', 'blocked_address', 'network'])
      .nullable()
      .openapi({ description: 'Why an attempt failed. Response bodies are never stored.' }),
  })
  .openapi('WebhookAttempt');
export type WebhookAttempt = z.infer<typeof WebhookAttempt>;

export const WebhookDeliveryStatus = z
  .enum(['pending', 'succeeded', 'failed', 'cancelled'])
  .openapi('WebhookDeliveryStatus');
export type WebhookDeliveryStatus = z.infer<typeof WebhookDeliveryStatus>;

export const WebhookDelivery = z
  .object({
    id: WebhookDeliveryId,
    webhookId: WebhookId,
    eventType: WebhookEventType,
    status: WebhookDeliveryStatus,
    attempts: z.number().int().min(0),
    createdAt: Timestamp,
    nextAttemptAt: Timestamp.nullable(),
    succeededAt: Timestamp.nullable(),
    payload: WebhookPayload,
    attemptLog: z.array(WebhookAttempt),
  })
  .openapi('WebhookDelivery');
export type WebhookDelivery = z.infer<typeof WebhookDelivery>;

export const WebhookDeliveryList = listOf(WebhookDelivery, 'WebhookDeliveryList');
export type WebhookDeliveryList = z.infer<typeof WebhookDeliveryList>;

export const WebhookDeliveryQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(100).default(20),
    cursor: WebhookDeliveryId.optional().openapi({ description: 'The last id of the previous page' }),
    status: WebhookDeliveryStatus.optional(),
  })
  .strict();
export type WebhookDeliveryQuery = z.infer<typeof WebhookDeliveryQuery>;
