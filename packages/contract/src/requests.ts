import { z } from '@hono/zod-openapi';
import { listOf, prefixedId, Timestamp } from './common.ts';
import { IdentityKind } from './datamap.ts';
import { DataCategory } from './taxonomy.ts';

/**
 * Data-subject requests (GDPR Arts. 12, 15–21): what a request is, the states it moves through, and the inputs that
 * move it. Deadlines are computed by the server (`requests.deadlines.ts`); clients only read them.
 */

export const RequestId = prefixedId('req');

/** The rights a subject can exercise here: Art. 15 access, 20 portability, 17 erasure, 16 rectification, 18 restriction, 21 objection. */
export const RequestType = z
  .enum(['access', 'portability', 'erasure', 'rectification', 'restriction', 'objection'])
  .openapi('RequestType');
export type RequestType = z.infer<typeof RequestType>;

/** See docs/requests.md for the state machine. The last four are final. */
export const RequestState = z
  .enum([
    'received',
    'identity_pending',
    'verified',
    'awaiting_approval',
    'in_progress',
    'completed',
    'partially_completed',
    'rejected',
    'cancelled',
  ])
  .openapi('RequestState');
export type RequestState = z.infer<typeof RequestState>;

/** How the request reached the controller. Staff channels record requests made by letter, phone or plain email. */
export const RequestChannel = z
  .enum(['api', 'portal', 'opendsr', 'staff_letter', 'staff_phone', 'staff_email'])
  .openapi('RequestChannel');
export type RequestChannel = z.infer<typeof RequestChannel>;

/**
 * Why a request (or part of it) is refused. The `art17_3_*` grounds are the Art. 17(3) exceptions and only answer an
 * erasure; the last three can answer any request (Art. 12(5), Art. 12(6)/11(2)).
 */
export const RefusalGround = z
  .enum([
    'art17_3_a_freedom_of_expression',
    'art17_3_b_legal_obligation_or_public_task',
    'art17_3_c_public_health',
    'art17_3_d_archiving_research_statistics',
    'art17_3_e_legal_claims',
    'manifestly_unfounded',
    'manifestly_excessive',
    'identity_not_verified',
  ])
  .openapi('RefusalGround');
export type RefusalGround = z.infer<typeof RefusalGround>;

/** Languages Lawful writes to subjects in. */
export const RequestLocale = z.enum(['en', 'de', 'fr', 'es', 'it', 'nl']).openapi('RequestLocale');
export type RequestLocale = z.infer<typeof RequestLocale>;

/** The rule sets Lawful knows (same codes as tenant settings). */
export const JurisdictionCode = z.enum(['eu', 'uk', 'fr', 'de', 'us-ca']).openapi('JurisdictionCode');
export type JurisdictionCode = z.infer<typeof JurisdictionCode>;

/** One way to find the subject in the controller's systems. Values are personal data: never logged. */
export const RequestIdentity = z
  .object({
    type: z.enum(['email', 'phone', 'customer_id', 'device_id', 'other']),
    value: z.string().trim().min(1).max(320),
  })
  .strict()
  .openapi('RequestIdentity');
export type RequestIdentity = z.infer<typeof RequestIdentity>;

/** A reason a human can read: check 33 needs it in the notice to the subject, so blank is refused. */
const Reason = z.string().trim().min(10, 'give a reason the subject can understand').max(2000);

/**
 * One corrected value (Art. 16): every mapped field of that data category (or that identity kind) takes `value`.
 * `null` empties the field.
 */
export const Correction = z
  .object({
    target: z.union([z.object({ category: DataCategory }).strict(), z.object({ identity: IdentityKind }).strict()]),
    value: z.union([z.string().max(10_000), z.number(), z.null()]),
  })
  .strict()
  .openapi('Correction');
export type Correction = z.infer<typeof Correction>;

/**
 * Art. 20(2): where the person wants their portable data sent straight to another controller. Personal data (an
 * address the person chose, maybe with their account in it): sealed with the identities, never logged or echoed.
 */
export const TransferDestination = z
  .object({
    url: z
      .string()
      .trim()
      .min(1)
      .max(2000)
      .openapi({
        description:
          "The receiving controller's https endpoint, as it gave it to the person (any account or import reference in " +
          'its query). Public addresses only (checked after DNS resolution, and again on every connection); ' +
          '`data.json` of the portability package is POSTed there, signed (Standard Webhooks).',
        example: 'https://import.receiver.example/lawful',
      }),
  })
  .strict()
  .openapi('TransferDestination');
export type TransferDestination = z.infer<typeof TransferDestination>;

/** How a receiving controller checks a direct transfer's signature: the secret for its origin (Standard Webhooks). */
export const TransferKey = z
  .object({
    origin: z.string(),
    secret: z
      .string()
      .openapi({ description: 'whsec_…: verify `webhook-signature` with any Standard Webhooks library' }),
    scheme: z.literal('standard-webhooks-v1'),
  })
  .openapi('TransferKey');
export type TransferKey = z.infer<typeof TransferKey>;

export const CreateRequest = z
  .object({
    types: z
      .array(RequestType)
      .min(1)
      .max(6)
      .refine((t) => new Set(t).size === t.length, 'each request type once'),
    identities: z.array(RequestIdentity).min(1).max(10),
    channel: RequestChannel.default('api'),
    identityVerified: z
      .boolean()
      .default(false)
      .openapi({
        description:
          'Set by a platform caller that has already authenticated the subject (a logged-in user). Skips the e-mail ' +
          'check; the caller answers for it, and the audit trail records who asserted it.',
      }),
    locale: RequestLocale.default('en'),
    note: z
      .string()
      .trim()
      .max(5000)
      .optional()
      .openapi({ description: 'What the subject wrote, or what staff noted' }),
    corrections: z
      .array(Correction)
      .min(1)
      .max(100)
      .optional()
      .openapi({
        description:
          "Rectification only: the corrected values. Applied in every connected system by the request's tasks once " +
          'the requester is verified; without them, staff give the corrections later (POST /v1/datamap/rectify).',
      }),
    transfer: TransferDestination.optional().openapi({
      description:
        'Portability only (Art. 20(2)): also send the portable data straight to this controller once the package is ' +
        'ready. The person still gets their own download link.',
    }),
  })
  .strict()
  .refine((r) => !r.corrections || r.types.includes('rectification'), {
    message: 'corrections belong to a rectification request',
    path: ['corrections'],
  })
  .refine((r) => !r.transfer || r.types.includes('portability'), {
    message: 'a direct transfer belongs to a portability request (Art. 20(2))',
    path: ['transfer'],
  })
  .openapi('CreateRequest');
export type CreateRequest = z.infer<typeof CreateRequest>;

/** Art. 12(3): up to two further months, with the reasons, told to the subject before the first month ends. */
export const ExtendRequest = z
  .object({
    months: z.number().int().min(1).max(2).optional().openapi({
      description: 'Further months (month-based jurisdictions). Left out: the most the jurisdiction allows.',
    }),
    reason: Reason,
  })
  .strict()
  .openapi('ExtendRequest');
export type ExtendRequest = z.infer<typeof ExtendRequest>;

/** Art. 12(4): refusing means saying why, and where to complain. */
export const RefuseRequest = z
  .object({
    grounds: z
      .array(RefusalGround)
      .min(1)
      .refine((g) => new Set(g).size === g.length, 'each ground once'),
    explanation: Reason,
  })
  .strict()
  .openapi('RefuseRequest');
export type RefuseRequest = z.infer<typeof RefuseRequest>;

/** Check 35: a fee is only ever recorded together with the finding that justifies it. */
export const RecordFee = z
  .object({
    basis: z.enum(['further_copies', 'manifestly_unfounded', 'manifestly_excessive']),
    explanation: Reason,
    amountMinor: z.number().int().min(1).max(100_000_000).openapi({ description: 'In minor units (cents)' }),
    currency: z.string().regex(/^[A-Z]{3}$/, 'an ISO 4217 code'),
  })
  .strict()
  .openapi('RecordFee');
export type RecordFee = z.infer<typeof RecordFee>;

export const RequestFee = z
  .object({
    basis: RecordFee.shape.basis,
    explanation: z.string(),
    amountMinor: z.number().int(),
    currency: z.string(),
    recordedBy: z.string(),
    recordedAt: Timestamp,
  })
  .openapi('RequestFee');
export type RequestFee = z.infer<typeof RequestFee>;

export const RequestExtension = z
  .object({ period: z.string().openapi({ example: '2 months' }), reason: z.string(), decidedAt: Timestamp })
  .openapi('RequestExtension');

export const RequestRefusal = z
  .object({ grounds: z.array(RefusalGround), explanation: z.string(), decidedAt: Timestamp })
  .openapi('RequestRefusal');

/** A request as the API shows it. Identities are left out: they are read through the subject, under its own access rules. */
export const DataSubjectRequest = z
  .object({
    id: RequestId,
    types: z.array(RequestType),
    state: RequestState,
    channel: RequestChannel,
    locale: RequestLocale,
    jurisdiction: JurisdictionCode,
    subjectId: z.string().nullable(),
    receivedAt: Timestamp,
    dueAt: Timestamp.openapi({
      description: 'The last instant to answer, in UTC (end of the due day in the tenant time zone)',
    }),
    originalDueAt: Timestamp.openapi({ description: 'The due date before any extension' }),
    clockPausedAt: Timestamp.nullable().openapi({ description: 'Set while the clock waits for identity (UK only)' }),
    verifiedAt: Timestamp.nullable(),
    extension: RequestExtension.nullable(),
    refusal: RequestRefusal.nullable(),
    fee: RequestFee.nullable().openapi({ description: 'Null: free of charge (check 35)' }),
    assignee: z.string().nullable(),
    duplicateOf: RequestId.nullable().openapi({
      description: 'Set when this request repeats an open one for the same subject and type; it is not run twice',
    }),
    closedAt: Timestamp.nullable(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .openapi('DataSubjectRequest');
export type DataSubjectRequest = z.infer<typeof DataSubjectRequest>;

export const TaskId = prefixedId('tsk');

/** One connected system, one recipient (Art. 19), or a manual step with a checklist. */
export const RequestTaskKind = z.enum(['system', 'recipient', 'manual']).openapi('RequestTaskKind');
export const RequestTaskState = z.enum(['pending', 'done', 'not_applicable', 'failed']).openapi('RequestTaskState');
export type RequestTaskState = z.infer<typeof RequestTaskState>;

export const RequestTask = z
  .object({
    id: TaskId,
    kind: RequestTaskKind,
    targetId: z.string().nullable().openapi({ description: 'The system or webhook endpoint id' }),
    name: z.string(),
    state: RequestTaskState,
    attempts: z.number().int(),
    recordsAffected: z.number().int().nullable(),
    note: z.string().nullable(),
    checklist: z.array(z.object({ item: z.string(), done: z.boolean() })).nullable(),
    createdAt: Timestamp,
    completedAt: Timestamp.nullable(),
  })
  .openapi('RequestTask');
export type RequestTask = z.infer<typeof RequestTask>;

export const RequestTimelineEntry = z
  .object({
    seq: z.number().int(),
    at: Timestamp,
    actor: z.string(),
    kind: z.string().openapi({ example: 'transition' }),
    fromState: RequestState.nullable(),
    toState: RequestState.nullable(),
    details: z.record(z.string(), z.unknown()),
  })
  .openapi('RequestTimelineEntry');
export type RequestTimelineEntry = z.infer<typeof RequestTimelineEntry>;

export const RequestDetail = DataSubjectRequest.extend({
  timeline: z.array(RequestTimelineEntry),
  tasks: z.array(RequestTask),
}).openapi('RequestDetail');
export type RequestDetail = z.infer<typeof RequestDetail>;

export const RequestList = listOf(DataSubjectRequest, 'RequestList');
export type RequestList = z.infer<typeof RequestList>;

export const RequestListQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(200).default(50),
    cursor: z
      .string()
      .regex(/^(\d{13}\.)?req_[0-9A-HJKMNP-TV-Z]{26}$/, 'the nextCursor of the previous page')
      .optional()
      .openapi({ description: 'The nextCursor of the previous page (sorts differ in what it holds)' }),
    sort: z.enum(['newest', 'due']).default('newest').openapi({
      description: '`newest`: by id, newest first; `due`: by due date, soonest (or most overdue) first',
    }),
    status: RequestState.optional(),
    open: z.enum(['true', 'false']).optional().openapi({ description: 'Only requests not yet closed (or closed)' }),
    subjectId: prefixedId('sub').optional().openapi({ description: 'Only this subject’s requests' }),
    type: RequestType.optional(),
    dueBefore: Timestamp.optional(),
    overdue: z.enum(['true', 'false']).optional(),
    assignee: z.string().max(100).optional(),
  })
  .strict();
export type RequestListQuery = z.infer<typeof RequestListQuery>;

export const RequestStats = z
  .object({
    open: z.number().int(),
    dueWithin7Days: z.number().int(),
    overdue: z.number().int(),
    closed: z.number().int(),
    medianDaysToClose: z.number().nullable(),
  })
  .openapi('RequestStats');
export type RequestStats = z.infer<typeof RequestStats>;

const Note = z.string().trim().max(2000).optional();

export const VerifyRequest = z
  .object({
    method: z.enum(['account_login', 'email_confirmed', 'knowledge_check', 'other']).openapi({
      description: 'How staff established identity. Check 36: no copy of an identity document is kept.',
    }),
    note: Note,
  })
  .strict()
  .openapi('VerifyRequest');
export type VerifyRequest = z.infer<typeof VerifyRequest>;

export const AssignRequest = z
  .object({ assignee: z.string().trim().min(1).max(100).nullable() })
  .strict()
  .openapi('AssignRequest');
export type AssignRequest = z.infer<typeof AssignRequest>;

export const ApproveRequest = z.object({ note: Note }).strict().openapi('ApproveRequest');
export type ApproveRequest = z.infer<typeof ApproveRequest>;

export const CancelRequest = z.object({ reason: Reason }).strict().openapi('CancelRequest');
export type CancelRequest = z.infer<typeof CancelRequest>;

export const CompleteRequest = z
  .object({
    partial: z.boolean().default(false),
    download: z
      .object({ url: z.string().url().max(2048), expiresAt: Timestamp })
      .strict()
      .optional()
      .openapi({ description: 'Access and portability: the personal, expiring https link to the answer' }),
    note: Note,
  })
  .strict()
  .openapi('CompleteRequest');
export type CompleteRequest = z.infer<typeof CompleteRequest>;

export const CompleteTask = z
  .object({
    outcome: z.enum(['done', 'not_applicable', 'failed']),
    recordsAffected: z.number().int().min(0).max(1_000_000_000).optional(),
    note: Note,
  })
  .strict()
  .openapi('CompleteTask');
export type CompleteTask = z.infer<typeof CompleteTask>;

/** The signed record of what was done where (payload of the certificate JWS). */
export const RequestCertificate = z
  .object({
    certificate: z.string().openapi({ description: 'Compact JWS (EdDSA) over the JSON record, tenant key' }),
    kid: z.string(),
    jwksUrl: z.string(),
    record: z.record(z.string(), z.unknown()),
  })
  .openapi('RequestCertificate');
export type RequestCertificate = z.infer<typeof RequestCertificate>;
