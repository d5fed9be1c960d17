import { z } from '@hono/zod-openapi';
import { prefixedId, Timestamp } from './common.ts';

export const SubjectId = prefixedId('sub');
export const IdentifierKind = z.enum(['email', 'phone', 'user_id', 'device_id']);
export type IdentifierKind = z.infer<typeof IdentifierKind>;

/** One way to recognise a person. Sent in bodies only: identifiers never go into URLs (check 14 of STYLE). */
export const Identity = z
  .object({
    kind: IdentifierKind,
    value: z.string().trim().min(1).max(320),
  })
  .strict()
  .superRefine((i, ctx) => {
    if (i.kind === 'email' && !/^[^\s@]+@[^\s@]+$/.test(i.value))
      ctx.addIssue({ code: 'custom', path: ['value'], message: 'not an e-mail address' });
    if (i.kind === 'phone' && !/^\+?[\d\s().-]{4,30}$/.test(i.value))
      ctx.addIssue({ code: 'custom', path: ['value'], message: 'not a phone number' });
  })
  .openapi('Identity', { example: { kind: 'email', value: 'ada@example.com' } });
export type Identity = z.infer<typeof Identity>;

/** Who a call is about: a subject id, or an identity Lawful resolves (and, on writes, creates). Exactly one. */
export const SubjectRef = z
  .object({ subjectId: SubjectId.optional(), identity: Identity.optional() })
  .strict()
  .superRefine((r, ctx) => {
    if ((r.subjectId === undefined) === (r.identity === undefined))
      ctx.addIssue({ code: 'custom', path: ['subjectId'], message: 'give exactly one of subjectId or identity' });
  })
  .openapi('SubjectRef');
export type SubjectRef = z.infer<typeof SubjectRef>;

export const CreateSubject = z
  .object({ identities: z.array(Identity).min(1).max(20) })
  .strict()
  .openapi('CreateSubject');
export type CreateSubject = z.infer<typeof CreateSubject>;

export const LookupSubject = z.object({ identity: Identity }).strict().openapi('LookupSubject');

export const Subject = z
  .object({
    id: SubjectId,
    createdAt: Timestamp,
    erasedAt: Timestamp.nullable(),
    identities: z.array(
      z.object({
        id: prefixedId('idn'),
        kind: IdentifierKind,
        value: z.string().nullable().openapi({ description: 'null once the subject is crypto-shredded' }),
      }),
    ),
  })
  .openapi('Subject');
export type Subject = z.infer<typeof Subject>;

/**
 * Why someone in the console needs to find or see a person: stored in the audit entry (Art. 5(2) accountability),
 * so it has to say something.
 */
export const AccessReason = z
  .string()
  .trim()
  .min(10, 'say why you need this (at least 10 characters), e.g. the ticket or request it is for')
  .max(500)
  .openapi({ example: 'Ticket 4411: the person asked what we hold about them' });

/** An identifier as lists show it: the kind and a masked value (`j•••@e•••.com`, `+44•••••89`), never the value. */
export const MaskedIdentity = z
  .object({
    id: prefixedId('idn'),
    kind: IdentifierKind,
    masked: z.string().nullable().openapi({ description: 'null once the subject is crypto-shredded' }),
  })
  .openapi('MaskedIdentity');
export type MaskedIdentity = z.infer<typeof MaskedIdentity>;

export const SubjectSummary = z
  .object({ id: SubjectId, createdAt: Timestamp, erasedAt: Timestamp.nullable(), identities: z.array(MaskedIdentity) })
  .openapi('SubjectSummary');
export type SubjectSummary = z.infer<typeof SubjectSummary>;

export const SubjectList = z
  .object({ items: z.array(SubjectSummary), nextCursor: SubjectId.nullable() })
  .openapi('SubjectList');
export type SubjectList = z.infer<typeof SubjectList>;

/** Newest first, keyset-paginated. Search is by pseudonymous id only: finding a person by an identifier needs a reason. */
export const SubjectListQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(200).default(50),
    cursor: SubjectId.optional().openapi({ description: 'The last id of the previous page' }),
    q: z
      .string()
      .trim()
      .regex(/^(sub_)?[0-9A-HJKMNP-TV-Z]{1,26}$/i, 'a subject id or the start of one (sub_01J…)')
      .optional()
      .openapi({ description: 'A subject id, or its start (ids sort by creation time)' }),
    kind: IdentifierKind.optional().openapi({ description: 'Only subjects holding an identifier of this kind' }),
    status: z.enum(['active', 'erased']).optional(),
  })
  .strict();
export type SubjectListQuery = z.infer<typeof SubjectListQuery>;

export const FindSubject = z.object({ identity: Identity, reason: AccessReason }).strict().openapi('FindSubject');
export type FindSubject = z.infer<typeof FindSubject>;

export const RevealSubject = z.object({ reason: AccessReason }).strict().openapi('RevealSubject');
export type RevealSubject = z.infer<typeof RevealSubject>;

/** The person page: masked identities, and whether the person may be contacted for marketing at all. */
export const SubjectProfile = SubjectSummary.extend({
  identities: z.array(
    MaskedIdentity.extend({
      suppressed: z.boolean().openapi({ description: 'On the direct-marketing suppression list (Art. 21(3))' }),
    }),
  ),
  suppression: z
    .object({ directMarketing: z.boolean(), since: Timestamp.nullable() })
    .openapi({ description: 'Any of the identifiers is suppressed for direct marketing' }),
  objections: z.array(
    z.object({
      id: prefixedId('obj'),
      purpose: z.string(),
      kind: z.enum(['direct_marketing', 'public_or_legitimate_interest']),
      status: z.enum(['upheld', 'pending', 'overridden']),
      createdAt: Timestamp,
    }),
  ),
  restrictions: z.array(
    z.object({
      id: prefixedId('rst'),
      purpose: z.string().nullable(),
      ground: z.string(),
      createdAt: Timestamp,
      liftedAt: Timestamp.nullable(),
    }),
  ),
}).openapi('SubjectProfile');
export type SubjectProfile = z.infer<typeof SubjectProfile>;
