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
