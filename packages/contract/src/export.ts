import { z } from '@hono/zod-openapi';
import { Timestamp } from './common.ts';
import { eeaCountries, LawfulBasis } from './purposes.ts';
import { RequestLocale, RequestState, RequestType } from './requests.ts';

// Names are prefixed with Export where purposes.ts / consent.ts / taxonomy.ts hold a different, richer model of the
// same idea: this file describes what the package says about them, as already resolved for one person.

/**
 * The input of the access / portability package (Arts. 15, 20): what the data traversal found, what the controller
 * says about its processing, and what Lawful itself recorded about the person. The builder
 * (`apps/server/src/modules/export/export.builder.ts`) turns it into a ZIP; see docs/export.md.
 */

export const ExportKind = z.enum(['access', 'portability']).openapi('ExportKind');
export type ExportKind = z.infer<typeof ExportKind>;

/**
 * How a value came to be held (EDPB WP242 rev.01): `provided` by the person (a form), `observed` from their use of a
 * service (a log), or `derived` / inferred by the controller (a score). Only the first two are portable (Art. 20).
 */
export const FieldOrigin = z.enum(['provided', 'observed', 'derived']).openapi('FieldOrigin');
export type FieldOrigin = z.infer<typeof FieldOrigin>;

const Name = z.string().trim().min(1).max(200);
const Key = z.string().trim().min(1).max(100);
const Text = z.string().trim().min(1).max(5000);
/** ISO 3166-1 alpha-2, upper case. */
const Country = z.string().regex(/^[A-Z]{2}$/, 'ISO 3166-1 alpha-2 code, e.g. DE');

export const ExportField = z
  .object({
    name: Name,
    category: Key.openapi({ description: 'Key of a category in `processing.categories`' }),
    portable: FieldOrigin,
    description: z.string().max(1000).optional().openapi({ description: 'Context a reader needs (C-487/21)' }),
  })
  .strict()
  .openapi('ExportField');
export type ExportField = z.infer<typeof ExportField>;

/** Where a section's rows live and what their columns mean. The rows themselves are streamed (see `ExportSection`). */
export const ExportSectionMeta = z
  .object({ system: Name, collection: Name, fields: z.array(ExportField).max(2000) })
  .strict()
  .refine((s) => new Set(s.fields.map((f) => f.name)).size === s.fields.length, 'each field name once')
  .openapi('ExportSectionMeta');
export type ExportSectionMeta = z.infer<typeof ExportSectionMeta>;

/** One collection (table, index, bucket) holding rows about the person. Rows are read once, in order. */
export type ExportSection = ExportSectionMeta & { rows: AsyncIterable<Record<string, unknown>> };

/** EDPB Guidelines 01/2022: the person learns what was searched, and which systems could not be. */
export const SystemCompleteness = z
  .object({
    system: Name,
    searched: z.array(Name).openapi({ description: 'Collections searched in this system, pseudonymised ones too' }),
    rowsFound: z.number().int().min(0),
    status: z.enum(['ok', 'failed']),
    error: z.string().max(2000).optional().openapi({ description: 'Plain-language reason; never personal data' }),
  })
  .strict()
  .openapi('SystemCompleteness');
export type SystemCompleteness = z.infer<typeof SystemCompleteness>;

export const ExportCategory = z
  .object({ key: Key, name: Name, description: z.string().max(1000).optional(), special: z.boolean().default(false) })
  .strict()
  .openapi('ExportCategory', { description: '`special`: Art. 9 or 10 data' });

export const ExportPurpose = z
  .object({
    key: Key,
    name: Name,
    description: Text,
    lawfulBasis: LawfulBasis.openapi({ description: 'The basis that applies to this person' }),
    legitimateInterest: z.string().max(2000).optional().openapi({ description: 'Art. 13(1)(d), when basis is (f)' }),
    categories: z.array(Key),
    recipients: z.array(Key).openapi({ description: 'Ids of `processing.recipients`' }),
    retention: z
      .object({ period: Name, criteria: z.string().max(2000).optional() })
      .strict()
      .openapi({ description: 'Art. 15(1)(d): how long, or the criteria that decide it' }),
  })
  .strict()
  .openapi('ExportPurpose');
export type ExportPurpose = z.infer<typeof ExportPurpose>;

export const ExportTransferSafeguard = z
  .enum([
    'adequacy_decision',
    'standard_contractual_clauses',
    'binding_corporate_rules',
    'code_or_certification',
    'art49_derogation',
  ])
  .openapi('ExportTransferSafeguard', { description: 'Art. 45, 46(2)(c), 47, 46(2)(e)–(f), 49' });

/** Named individually, not as a category (CJEU C-154/21, Österreichische Post). */
export const ExportRecipient = z
  .object({
    id: Key,
    name: Name,
    role: z.enum(['processor', 'controller', 'joint_controller', 'public_authority']),
    country: Country,
    transfer: z
      .object({ safeguard: ExportTransferSafeguard, detail: Text, copyAt: z.string().url().optional() })
      .strict()
      .optional()
      .openapi({ description: 'Required when `country` is outside the EEA' }),
  })
  .strict()
  .refine((r) => eeaCountries.has(r.country) || r.transfer !== undefined, {
    message: 'a recipient outside the EEA needs its transfer safeguard (Art. 15(2))',
    path: ['transfer'],
  })
  .openapi('ExportRecipient');
export type ExportRecipient = z.infer<typeof ExportRecipient>;

export const ExportAutomatedDecision = z
  .object({ name: Name, logic: Text, significance: Text, consequences: Text, humanReview: Text })
  .strict()
  .openapi('ExportAutomatedDecision', { description: 'Art. 22 decisions: meaningful information about the logic' });

/** Everything Art. 15(1)(a)–(h) and 15(2) ask for, as it applies to this person. */
export const ProcessingInfo = z
  .object({
    controller: z.object({ name: Name, contact: Name, address: z.string().max(500).optional() }).strict(),
    dpoContact: z.string().max(200).optional(),
    rightsContact: Name.openapi({ description: 'Where the person exercises their rights (URL or e-mail)' }),
    purposes: z.array(ExportPurpose),
    categories: z.array(ExportCategory),
    recipients: z.array(ExportRecipient),
    sources: z
      .array(z.object({ description: Text, publiclyAvailable: z.boolean(), categories: z.array(Key) }).strict())
      .openapi({ description: 'Art. 15(1)(g): sources other than the person; empty when all came from them' }),
    automatedDecisions: z.array(ExportAutomatedDecision).openapi({ description: 'Empty: no Art. 22 decisions' }),
    supervisoryAuthority: z.object({ name: Name, url: z.string().url(), country: Country }).strict(),
    locations: z
      .array(z.object({ system: Name, collection: Name, purposes: z.array(Key).min(1) }).strict())
      .openapi({ description: 'Which purposes the data in each collection serves: decides portability' }),
  })
  .strict()
  .superRefine((p, ctx) => {
    const known = (keys: string[], have: Set<string>, path: (string | number)[], what: string) => {
      for (const k of keys) if (!have.has(k)) ctx.addIssue({ code: 'custom', path, message: `unknown ${what} ${k}` });
    };
    const purposes = new Set(p.purposes.map((x) => x.key));
    const categories = new Set(p.categories.map((x) => x.key));
    const recipients = new Set(p.recipients.map((x) => x.id));
    p.purposes.forEach((x, i) => {
      known(x.categories, categories, ['purposes', i, 'categories'], 'category');
      known(x.recipients, recipients, ['purposes', i, 'recipients'], 'recipient');
    });
    for (const [i, s] of p.sources.entries()) known(s.categories, categories, ['sources', i, 'categories'], 'category');
    for (const [i, l] of p.locations.entries()) known(l.purposes, purposes, ['locations', i, 'purposes'], 'purpose');
  })
  .openapi('ProcessingInfo');
export type ProcessingInfo = z.infer<typeof ProcessingInfo>;

/** A consent as Lawful proved it: the exact notice text the person saw and its hash (Art. 7(1)). */
export const ExportConsentRecord = z
  .object({
    id: Key,
    purpose: Key,
    granted: z.boolean(),
    recordedAt: Timestamp,
    withdrawnAt: Timestamp.nullable().default(null),
    channel: z.string().max(100).optional(),
    notice: z
      .object({
        versionId: Key,
        title: Name,
        locale: z.string().max(20),
        text: z.string().max(200_000),
        sha256: z.string().regex(/^[0-9a-f]{64}$/, 'hex SHA-256 of the UTF-8 text'),
      })
      .strict(),
  })
  .strict()
  .openapi('ExportConsentRecord');

export const LawfulBasisRecord = z
  .object({
    purpose: Key,
    history: z
      .array(
        z
          .object({
            basis: LawfulBasis,
            from: Timestamp,
            to: Timestamp.nullable(),
            reason: z.string().max(2000).optional(),
          })
          .strict(),
      )
      .min(1)
      .openapi({ description: 'Oldest first; the entry with `to: null` is current' }),
  })
  .strict()
  .openapi('LawfulBasisRecord');

export const RequestRecord = z
  .object({
    id: Key,
    types: z.array(RequestType).min(1),
    state: RequestState,
    receivedAt: Timestamp,
    closedAt: Timestamp.nullable().default(null),
  })
  .strict()
  .openapi('RequestRecord');

/** What Lawful itself holds about the person: it is personal data too. */
export const LawfulRecords = z
  .object({
    consents: z.array(ExportConsentRecord),
    lawfulBases: z.array(LawfulBasisRecord),
    requests: z.array(RequestRecord),
  })
  .strict()
  .openapi('LawfulRecords');
export type LawfulRecords = z.infer<typeof LawfulRecords>;

/** Everything the builder needs except the sections, which stream. */
export const ExportPackageMeta = z
  .object({
    kind: ExportKind,
    subjectRef: Key.openapi({ description: 'Pseudonymous subject id, e.g. sub_01J…' }),
    generatedAt: Timestamp,
    locale: RequestLocale,
    processing: ProcessingInfo,
    lawfulRecords: LawfulRecords,
    completeness: z.array(SystemCompleteness),
  })
  .strict()
  .openapi('ExportPackageMeta');
export type ExportPackageMeta = z.infer<typeof ExportPackageMeta>;
export type ExportPackageMetaInput = z.input<typeof ExportPackageMeta>;

/** The builder's input. */
export type ExportPackageInput = ExportPackageMetaInput & {
  sections: AsyncIterable<ExportSection> | Iterable<ExportSection>;
};
