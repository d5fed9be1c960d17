import { z } from '@hono/zod-openapi';
import { prefixedId, Timestamp } from './common.ts';
import { LawfulBasis, PurposeKey } from './purposes.ts';
import { SubjectId, SubjectRef } from './subjects.ts';

/** What backs the basis (check 2): a consent record for (a), a contract for (b), a law for (c)/(e), an LIA for (f). */
export const BasisEvidence = z
  .object({
    consentRecordId: prefixedId('cns').optional(),
    contractReference: z.string().trim().min(1).max(300).optional(),
    legalReference: z.string().trim().min(1).max(300).optional(),
    liaReference: z.string().trim().min(1).max(300).optional(),
    vitalInterest: z.string().trim().min(1).max(300).optional(),
  })
  .strict();
export type BasisEvidence = z.infer<typeof BasisEvidence>;

export const SetBasis = z
  .object({
    subject: SubjectRef,
    purpose: PurposeKey,
    basis: LawfulBasis,
    evidence: BasisEvidence.default({}),
    noticeVersionId: prefixedId('ntv')
      .optional()
      .openapi({ description: 'The notice version the subject was told of; needed to move off a withdrawn consent' }),
    source: z
      .string()
      .trim()
      .min(1)
      .max(100)
      .openapi({ example: 'crm-import', description: 'Where the basis was established' }),
  })
  .strict()
  .openapi('SetBasis');
export type SetBasis = z.infer<typeof SetBasis>;

export const MAX_BATCH_ROWS = 10_000;

export const SetBasesBatch = z
  .object({ rows: z.array(SetBasis).min(1).max(MAX_BATCH_ROWS) })
  .strict()
  .openapi('SetBasesBatch', { description: 'All rows or none; errors name the row index and field (rows.3.basis)' });
export type SetBasesBatch = z.infer<typeof SetBasesBatch>;

export const BasisRecord = z
  .object({
    id: prefixedId('bas'),
    subjectId: SubjectId,
    purpose: PurposeKey,
    purposeVersion: z.number().int(),
    basis: LawfulBasis,
    evidence: BasisEvidence,
    noticeVersionId: z.string().nullable(),
    source: z.string(),
    setBy: z.string(),
    setAt: Timestamp,
  })
  .openapi('BasisRecord');
export type BasisRecord = z.infer<typeof BasisRecord>;

export const BasisQuery = z
  .object({
    subject: SubjectId,
    purpose: PurposeKey,
    asOf: Timestamp.optional().openapi({ description: 'The state at this instant; now when absent' }),
  })
  .strict();

export const BasisState = z.object({ current: BasisRecord.nullable(), asOf: Timestamp }).openapi('BasisState');
export type BasisState = z.infer<typeof BasisState>;

export const ObjectionInput = z
  .object({
    subject: SubjectRef,
    purpose: PurposeKey,
    channel: z.enum(['api', 'email', 'web_form', 'gpc', 'phone', 'letter']).default('api'),
  })
  .strict()
  .openapi('Objection', { description: 'Art. 21: to direct marketing it is absolute; to (e)/(f) it restricts' });
export type ObjectionInput = z.infer<typeof ObjectionInput>;

export const Objection = z
  .object({
    id: prefixedId('obj'),
    subjectId: SubjectId,
    purpose: PurposeKey,
    kind: z.enum(['direct_marketing', 'public_or_legitimate_interest']),
    status: z.enum(['upheld', 'pending', 'overridden']),
    channel: z.string(),
    grounds: z.enum(['compelling_legitimate_grounds', 'legal_claims']).nullable(),
    justification: z.string().nullable(),
    createdAt: Timestamp,
    resolvedAt: Timestamp.nullable(),
  })
  .openapi('ObjectionRecord');
export type Objection = z.infer<typeof Objection>;

export const ResolveObjection = z
  .object({
    outcome: z.enum(['upheld', 'overridden']),
    grounds: z.enum(['compelling_legitimate_grounds', 'legal_claims']).optional(),
    justification: z.string().trim().min(1).max(4000).optional(),
  })
  .strict()
  .superRefine((r, ctx) => {
    if (r.outcome === 'overridden' && !r.grounds)
      ctx.addIssue({ code: 'custom', path: ['grounds'], message: 'resuming needs recorded grounds (Art. 21(1))' });
    if (r.outcome === 'overridden' && !r.justification)
      ctx.addIssue({ code: 'custom', path: ['justification'], message: 'resuming needs a recorded justification' });
  })
  .openapi('ResolveObjection');
export type ResolveObjection = z.infer<typeof ResolveObjection>;

export const RestrictionInput = z
  .object({
    subject: SubjectRef,
    purpose: PurposeKey.optional().openapi({ description: 'Absent: every purpose' }),
    ground: z.enum(['accuracy_contested', 'unlawful_processing', 'legal_claims', 'objection_pending']),
  })
  .strict()
  .openapi('RestrictionInput', { description: 'Art. 18: the data may be stored, nothing else' });
export type RestrictionInput = z.infer<typeof RestrictionInput>;

export const Restriction = z
  .object({
    id: z.string(),
    subjectId: SubjectId,
    purpose: PurposeKey.nullable(),
    ground: z.string(),
    createdAt: Timestamp,
    liftedAt: Timestamp.nullable(),
  })
  .openapi('Restriction');
export type Restriction = z.infer<typeof Restriction>;
