import { z } from '@hono/zod-openapi';
import { prefixedId, Timestamp } from './common.ts';
import { TransferSafeguard } from './purposes.ts';
import { DataCategory } from './taxonomy.ts';

/**
 * The breach register (GDPR Art. 33, 34; check 52). A breach is recorded when the organisation becomes aware of it;
 * the supervisory authority is due a notification within 72 hours of `awareAt` (exact elapsed hours, UTC), and
 * people are told directly when the risk to them is high. Fields carry descriptions of the incident, never the
 * personal data involved.
 */

export const BreachId = prefixedId('brc');

/** Art. 33(1): no notification when the breach is unlikely to result in a risk; Art. 34(1): people told when high. */
export const BreachRisk = z.enum(['none', 'risk', 'high']).openapi('BreachRisk');
export type BreachRisk = z.infer<typeof BreachRisk>;

export const BreachStatus = z
  .enum(['open', 'assessed', 'notified_authority', 'notified_subjects', 'closed'])
  .openapi('BreachStatus');
export type BreachStatus = z.infer<typeof BreachStatus>;

const Text = (max: number) => z.string().trim().min(1).max(max);

const breachFields = {
  awareAt: Timestamp.openapi({ description: 'When the organisation became aware (starts the 72-hour clock)' }),
  occurredFrom: Timestamp.nullable().default(null).openapi({ description: 'Start of the window the breach covers' }),
  occurredTo: Timestamp.nullable().default(null),
  whatHappened: Text(5000).openapi({ description: 'Art. 33(3)(a): the nature of the breach' }),
  subjectCategories: z
    .array(Text(200))
    .max(50)
    .default([])
    .openapi({ example: ['customers'] }),
  approxSubjects: z.number().int().min(0).nullable().default(null),
  approxRecords: z.number().int().min(0).nullable().default(null),
  dataCategories: z.array(DataCategory).min(1).max(100),
  systems: z.array(Text(200)).max(50).default([]).openapi({ description: 'Affected systems, by name' }),
  likelyConsequences: Text(5000).openapi({ description: 'Art. 33(3)(c)' }),
  measuresTaken: Text(5000).openapi({ description: 'Art. 33(3)(d): measures taken' }),
  measuresProposed: z.string().trim().max(5000).default('').openapi({ description: 'Art. 33(3)(d): proposed' }),
  recommendedActions: z
    .string()
    .trim()
    .max(5000)
    .default('')
    .openapi({ description: 'Art. 34(2): what people can do to protect themselves (needed for a high-risk notice)' }),
  contactPoint: Text(500).openapi({ description: 'Art. 33(3)(b): the DPO or other contact point' }),
  risk: BreachRisk.default('risk'),
  /** Subjects who made a request in this window are counted as affected too (e.g. the request store leaked). */
  requestWindow: z.object({ from: Timestamp, to: Timestamp }).strict().nullable().default(null),
};

export const CreateBreach = z.object(breachFields).strict().openapi('CreateBreach');
export type CreateBreach = z.infer<typeof CreateBreach>;
export type CreateBreachInput = z.input<typeof CreateBreach>;

/** Everything but the awareness moment may be corrected while the breach is not closed. */
export const UpdateBreach = z
  .object({
    occurredFrom: Timestamp.nullable(),
    occurredTo: Timestamp.nullable(),
    whatHappened: Text(5000),
    subjectCategories: z.array(Text(200)).max(50),
    approxSubjects: z.number().int().min(0).nullable(),
    approxRecords: z.number().int().min(0).nullable(),
    dataCategories: z.array(DataCategory).min(1).max(100),
    systems: z.array(Text(200)).max(50),
    likelyConsequences: Text(5000),
    measuresTaken: Text(5000),
    measuresProposed: z.string().trim().max(5000),
    recommendedActions: z.string().trim().max(5000),
    contactPoint: Text(500),
    risk: BreachRisk,
    requestWindow: z.object({ from: Timestamp, to: Timestamp }).strict().nullable(),
  })
  .partial()
  .strict()
  .openapi('UpdateBreach');
export type UpdateBreach = z.infer<typeof UpdateBreach>;

/** Move a breach along its status. Notifying the authority after the deadline needs `delayReason` (Art. 33(1)). */
export const BreachTransition = z
  .object({
    to: z.enum(['assessed', 'notified_authority', 'closed']),
    delayReason: z.string().trim().min(1).max(5000).optional(),
    authorityReference: z.string().trim().min(1).max(200).optional(),
  })
  .strict()
  .openapi('BreachTransition');
export type BreachTransition = z.infer<typeof BreachTransition>;

export const Breach = z
  .object({
    id: BreachId,
    status: BreachStatus,
    processorSide: z.boolean().openapi({ description: 'Reported by the install (the processor), Art. 33(2)' }),
    processorAwareAt: Timestamp.nullable(),
    awareAt: Timestamp,
    occurredFrom: Timestamp.nullable(),
    occurredTo: Timestamp.nullable(),
    whatHappened: z.string(),
    subjectCategories: z.array(z.string()),
    approxSubjects: z.number().int().nullable(),
    approxRecords: z.number().int().nullable(),
    dataCategories: z.array(z.string()),
    systems: z.array(z.string()),
    likelyConsequences: z.string(),
    measuresTaken: z.string(),
    measuresProposed: z.string(),
    recommendedActions: z.string(),
    contactPoint: z.string(),
    risk: BreachRisk,
    requestWindow: z.object({ from: Timestamp, to: Timestamp }).nullable(),
    deadline: z
      .object({
        at: Timestamp.openapi({ description: 'awareAt + 72 h, exact (UTC)' }),
        local: z.string().openapi({ example: '2025-04-01 11:00 (Europe/Paris, UTC+02:00)' }),
        timeZone: z.string(),
        hoursRemaining: z.number().openapi({ description: 'Negative once the deadline has passed' }),
        overdue: z.boolean(),
      })
      .openapi('BreachDeadline'),
    authorityNotifiedAt: Timestamp.nullable(),
    authorityReference: z.string().nullable(),
    delayReason: z.string().nullable(),
    subjectsNotifiedAt: Timestamp.nullable(),
    closedAt: Timestamp.nullable(),
    remindersSent: z.array(z.number().int()),
    createdAt: Timestamp,
    updatedAt: Timestamp,
    createdBy: z.string(),
  })
  .openapi('Breach');
export type Breach = z.infer<typeof Breach>;

export const BreachList = z.object({ items: z.array(Breach) }).openapi('BreachList');

/** Who is affected, computed from Lawful's own records (pseudonymous ids only). */
export const AffectedPeople = z
  .object({
    breachId: BreachId,
    count: z.number().int(),
    byReason: z.object({ consent: z.number().int(), basis: z.number().int(), request: z.number().int() }),
    purposes: z.array(z.string()).openapi({ description: 'Purposes whose data categories meet the breach' }),
    subjectIds: z.array(prefixedId('sub')),
  })
  .openapi('AffectedPeople');
export type AffectedPeople = z.infer<typeof AffectedPeople>;

export const BreachNoticeOutcome = z.enum(['sent', 'queued', 'not_sent']);
export const SubjectNoticeResult = z
  .object({
    breachId: BreachId,
    affected: z.number().int(),
    sent: z.number().int(),
    queued: z.number().int().openapi({ description: 'Kept in the outbox (no SMTP server configured)' }),
    notSent: z.number().int(),
    alreadyTold: z.number().int(),
  })
  .openapi('SubjectNoticeResult');
export type SubjectNoticeResult = z.infer<typeof SubjectNoticeResult>;

/** The append-only record of who was told when: pseudonymous subject ids and message ids only. */
export const BreachNotification = z
  .object({
    id: prefixedId('msg'),
    breachId: BreachId,
    recipient: z.enum(['subject', 'tenant']),
    subjectId: prefixedId('sub').nullable(),
    channel: z.enum(['smtp', 'outbox', 'none']),
    messageId: z.string().nullable(),
    outcome: BreachNoticeOutcome,
    reason: z.string().nullable(),
    at: Timestamp,
  })
  .openapi('BreachNotification');
export type BreachNotification = z.infer<typeof BreachNotification>;

export const BreachRegisterFormat = z.enum(['json', 'csv', 'xlsx']);
export const BreachNotificationFormat = z.enum(['json', 'html']);

/** One entry of the install's sub-processor list (Art. 28(2), (4)). */
export const Subprocessor = z
  .object({
    name: Text(200),
    country: z.string().regex(/^[A-Z]{2}$/, 'an ISO 3166-1 alpha-2 code such as DE'),
    purpose: Text(500),
    safeguards: z
      .array(TransferSafeguard)
      .min(1)
      .max(5)
      .openapi({ description: 'Chapter V basis (none_needed_eea inside the EEA)' }),
    details: z.string().trim().max(1000).default('').openapi({ description: 'e.g. the DPA or SCC module' }),
  })
  .strict()
  .openapi('Subprocessor');
export type Subprocessor = z.infer<typeof Subprocessor>;

export const SetSubprocessors = z
  .object({
    subprocessors: z
      .array(Subprocessor)
      .max(200)
      .refine((a) => new Set(a.map((s) => s.name)).size === a.length, 'names must not repeat'),
    /** Defaults to now + the notice period (30 days), or now for the very first list. */
    effectiveAt: Timestamp.optional(),
  })
  .strict()
  .openapi('SetSubprocessors');
export type SetSubprocessors = z.infer<typeof SetSubprocessors>;

export const SubprocessorListVersion = z
  .object({
    id: z.string(),
    effectiveAt: Timestamp,
    announcedAt: Timestamp,
    subprocessors: z.array(Subprocessor),
  })
  .openapi('SubprocessorListVersion');
export type SubprocessorListVersion = z.infer<typeof SubprocessorListVersion>;

/** What `GET /subprocessors/{tenantSlug}.json` answers. */
export const SubprocessorView = z
  .object({
    organisation: z.string(),
    current: SubprocessorListVersion.nullable(),
    upcoming: z.array(SubprocessorListVersion),
  })
  .openapi('SubprocessorView');
export type SubprocessorView = z.infer<typeof SubprocessorView>;
