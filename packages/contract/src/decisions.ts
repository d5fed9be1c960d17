import { z } from '@hono/zod-openapi';
import { BasisEvidence } from './bases.ts';
import { Timestamp } from './common.ts';
import { LawfulBasis, PurposeKey } from './purposes.ts';
import { SubjectId, SubjectRef } from './subjects.ts';

/** Why a decision came out as it did; stable codes a caller can branch on. */
export const DecisionReason = z.enum([
  'basis_in_force',
  'no_basis',
  'unknown_subject',
  'subject_erased',
  'basis_not_allowed_by_purpose',
  'consent_not_live',
  'objected_direct_marketing',
  'objection_pending',
  'objection_upheld',
  'restricted',
  'restricted_storage_only',
]);
export type DecisionReason = z.infer<typeof DecisionReason>;

/** Restriction (Art. 18) permits storage and nothing else: say which one is asked about. */
export const Activity = z.enum(['processing', 'storage']).default('processing');

export const DecisionQuery = z.object({ subject: SubjectId, purpose: PurposeKey, activity: Activity }).strict();

export const DecisionRequest = z
  .object({ subject: SubjectRef, purpose: PurposeKey, activity: Activity })
  .strict()
  .openapi('DecisionRequest');
export type DecisionRequest = z.infer<typeof DecisionRequest>;

export const Decision = z
  .object({
    allowed: z.boolean(),
    subjectId: SubjectId.nullable(),
    purpose: PurposeKey,
    purposeVersion: z.number().int(),
    basis: LawfulBasis.nullable(),
    reason: DecisionReason,
    evidence: BasisEvidence.nullable(),
    asOf: Timestamp,
  })
  .openapi('Decision');
export type Decision = z.infer<typeof Decision>;

export const MAX_DECISION_BATCH = 1000;

export const DecisionBatch = z
  .object({ items: z.array(DecisionRequest).min(1).max(MAX_DECISION_BATCH) })
  .strict()
  .openapi('DecisionBatch');

export const DecisionBatchResult = z.object({ items: z.array(Decision) }).openapi('DecisionBatchResult');

export const AudienceQuery = z.object({ purpose: PurposeKey }).strict();
