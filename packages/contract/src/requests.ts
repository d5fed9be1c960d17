import { z } from '@hono/zod-openapi';
import { prefixedId, Timestamp } from './common.ts';

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
  })
  .strict()
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
    closedAt: Timestamp.nullable(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .openapi('DataSubjectRequest');
export type DataSubjectRequest = z.infer<typeof DataSubjectRequest>;
