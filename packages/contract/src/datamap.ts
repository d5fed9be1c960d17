import { z } from '@hono/zod-openapi';
import { DataCategory } from './taxonomy.ts';

/**
 * The data map: a declarative, versioned description of where a platform keeps personal data in its own databases,
 * how to find one person's rows, what to export, and what erasure does to each field. Lawful's access, rectification,
 * erasure and residue checks are all driven by it; nothing about a platform's schema is hard-coded.
 *
 * @example
 * DataMap.parse(yaml.parse(readFileSync('datamap.yaml', 'utf8')));
 */

export { DataCategory };

/** How a subject is recognised: their email, the platform's user id, a phone number, or an id in another system. */
export const IdentityKind = z.enum(['email', 'user_id', 'phone', 'external_id']).openapi('IdentityKind');
export type IdentityKind = z.infer<typeof IdentityKind>;

/** Art. 17(3)(a)–(e): the only grounds on which erasure may be refused for data that would otherwise go. */
export const LegalGround = z
  .enum(['art17_3_a', 'art17_3_b', 'art17_3_c', 'art17_3_d', 'art17_3_e'])
  .openapi('LegalGround', {
    description:
      'a: freedom of expression · b: legal obligation (e.g. tax law) · c: public health · d: archiving/research · e: legal claims',
  });
export type LegalGround = z.infer<typeof LegalGround>;

/** A period such as `13 months`, `30 days`, `10 years`. */
export const Period = z
  .string()
  .regex(
    /^[1-9]\d{0,3} (day|days|week|weeks|month|months|year|years)$/,
    'a period looks like "13 months" or "10 years"',
  )
  .openapi('Period');

const SqlName = z
  .string()
  .min(1)
  .max(128)
  .refine((s) => !s.includes('\0'), 'must not contain a NUL character')
  // Rows are plain objects keyed by column name; this one name would rewrite an object's prototype instead.
  .refine((s) => s !== '__proto__', 'a column cannot be called __proto__');
const Id = z.string().regex(/^[a-z][a-z0-9_-]{0,62}$/, 'use lowercase letters, digits, - and _ (start with a letter)');

/**
 * What erasure does. `delete_row` is a collection-level strategy; the others also apply per field.
 * A `mask` pattern is written as-is, with `{pk}` replaced by the row's primary key so masked unique columns stay unique.
 */
export const ErasureStrategy = z
  .discriminatedUnion('kind', [
    z.object({ kind: z.literal('delete_row') }).strict(),
    z.object({ kind: z.literal('set_null') }).strict(),
    z.object({ kind: z.literal('mask'), pattern: z.string().max(200) }).strict(),
    z
      .object({
        kind: z.literal('pseudonymise'),
        length: z.number().int().min(8).max(64).default(32).describe('hex characters of the keyed HMAC to keep'),
      })
      .strict(),
    z
      .object({ kind: z.literal('retain'), ground: LegalGround, period: Period, note: z.string().max(500).optional() })
      .strict(),
  ])
  .openapi('ErasureStrategy');
export type ErasureStrategy = z.infer<typeof ErasureStrategy>;

export const Portability = z
  .enum(['provided', 'observed', 'derived'])
  .openapi('Portability', { description: 'Art. 20 covers provided and observed data; derived data is access-only' });

export const DataField = z
  .object({
    column: SqlName,
    category: DataCategory,
    identity: z
      .object({ kind: IdentityKind, namespace: z.string().max(64).optional() })
      .strict()
      .optional()
      .describe('this column identifies the subject; traversal starts here'),
    otherPeople: z.boolean().default(false).describe("holds someone else's data: redacted in access (Art. 15(4))"),
    erasure: ErasureStrategy.optional().describe("overrides the collection's strategy for this field"),
    portability: Portability.default('provided'),
  })
  .strict()
  .openapi('DataField');
export type DataField = z.infer<typeof DataField>;

export const DataCollection = z
  .object({
    name: Id,
    table: SqlName,
    primaryKey: z.array(SqlName).min(1),
    description: z.string().max(500).optional(),
    fields: z.array(DataField).default([]),
    erasure: ErasureStrategy.optional().describe('the fate of the row; field strategies still apply to kept rows'),
    retention: z.object({ column: SqlName, period: Period }).strict().optional(),
    freeText: z.array(SqlName).default([]).describe('free-text columns scanned for residue after erasure'),
  })
  .strict()
  .openapi('DataCollection');
export type DataCollection = z.infer<typeof DataCollection>;

const ColumnRef = z.object({ collection: Id, column: SqlName }).strict();

/**
 * `from.column` holds values of `to.column`: rows of `from` belong to whoever owns the matching `to` row.
 * Foreign keys and undeclared references alike; chains (customer → invoice → invoice_line) are followed hop by hop.
 */
export const DataReference = z
  .object({ from: ColumnRef, to: ColumnRef, declared: z.boolean().default(true).describe('backed by a foreign key') })
  .strict()
  .openapi('DataReference');
export type DataReference = z.infer<typeof DataReference>;

export const DataSystem = z
  .object({
    id: Id,
    engine: z.enum(['postgres', 'mysql']),
    connection: z.string().min(1).max(100).describe('name of a stored, encrypted connection; never credentials'),
    description: z.string().max(500).optional(),
    collections: z.array(DataCollection).min(1),
    references: z.array(DataReference).default([]),
  })
  .strict()
  .openapi('DataSystem');
export type DataSystem = z.infer<typeof DataSystem>;

type Issue = { path: (string | number)[]; message: string };

const fieldStrategy = (c: DataCollection, f: DataField) => f.erasure ?? c.erasure;

/** Checks that need more than one field at a time; every message names what is wrong and where. */
export const dataMapIssues = (systems: DataSystem[]): Issue[] => {
  const issues: Issue[] = [];
  const seenSystems = new Set<string>();
  for (const [si, s] of systems.entries()) {
    const at = (...p: (string | number)[]) => ['systems', si, ...p];
    if (seenSystems.has(s.id)) issues.push({ path: at('id'), message: `system id "${s.id}" is used twice` });
    seenSystems.add(s.id);
    const byName = new Map<string, DataCollection>();
    for (const [ci, c] of s.collections.entries()) {
      if (byName.has(c.name))
        issues.push({ path: at('collections', ci, 'name'), message: `collection "${c.name}" is declared twice` });
      byName.set(c.name, c);
      const cols = new Set<string>();
      for (const [fi, f] of c.fields.entries()) {
        const fat = at('collections', ci, 'fields', fi);
        if (cols.has(f.column))
          issues.push({ path: [...fat, 'column'], message: `column "${f.column}" is mapped twice in ${c.name}` });
        cols.add(f.column);
        if (f.erasure?.kind === 'delete_row') {
          issues.push({
            path: [...fat, 'erasure'],
            message: `delete_row removes whole rows: set it on collection "${c.name}", not on field "${f.column}"`,
          });
        }
        // Other people's data is not the subject's to erase; it needs no strategy of its own.
        if (!f.otherPeople && !fieldStrategy(c, f)) {
          issues.push({
            path: [...fat, 'erasure'],
            message: `field "${c.name}.${f.column}" has no erasure strategy and its collection has none either`,
          });
        }
        if (f.identity && f.otherPeople) {
          issues.push({
            path: [...fat, 'otherPeople'],
            message: `"${c.name}.${f.column}" cannot both identify the subject and hold other people's data`,
          });
        }
        if (f.erasure?.kind === 'mask' && f.identity && !f.erasure.pattern.includes('{pk}')) {
          issues.push({
            path: [...fat, 'erasure', 'pattern'],
            message: `mask on identity field "${c.name}.${f.column}" should include {pk} so masked values stay distinct`,
          });
        }
      }
      if (c.fields.length === 0 && !c.erasure) {
        issues.push({
          path: at('collections', ci, 'erasure'),
          message: `collection "${c.name}" maps no fields, so it needs an erasure strategy (delete_row or retain)`,
        });
      }
    }
    const colRef = (ref: { collection: string; column: string }, p: (string | number)[]) => {
      if (!byName.has(ref.collection))
        issues.push({
          path: [...p, 'collection'],
          message: `unknown collection "${ref.collection}" in system "${s.id}"`,
        });
    };
    for (const [ri, r] of s.references.entries()) {
      colRef(r.from, at('references', ri, 'from'));
      colRef(r.to, at('references', ri, 'to'));
      const parent = byName.get(r.to.collection);
      const child = byName.get(r.from.collection);
      if (parent?.erasure?.kind === 'delete_row' && child && child.erasure?.kind !== 'delete_row') {
        const link = child.fields.find((f) => f.column === r.from.column);
        const linkStrategy = link ? fieldStrategy(child, link) : undefined;
        if (linkStrategy?.kind !== 'set_null') {
          issues.push({
            path: at('references', ri),
            message: `"${parent.name}" rows are deleted but "${child.name}" rows that point to them via ${r.from.column} are kept: delete them too, set_null ${child.name}.${r.from.column}, or anonymise "${parent.name}" instead of deleting it`,
          });
        }
      }
    }
    if (!s.collections.some((c) => c.fields.some((f) => f.identity))) {
      issues.push({
        path: at('collections'),
        message: `system "${s.id}" has no identity field, so no subject can ever be found in it`,
      });
    }
  }
  return issues;
};

export const DataMap = z
  .object({
    version: z.literal(1).describe('format version of this document'),
    revision: z.number().int().min(1).default(1).describe('bumped by you on every change; recorded with each request'),
    systems: z.array(DataSystem).min(1),
  })
  .strict()
  .superRefine((map, ctx) => {
    for (const issue of dataMapIssues(map.systems))
      ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
  })
  .openapi('DataMap');
export type DataMap = z.infer<typeof DataMap>;
export type DataMapInput = z.input<typeof DataMap>;

/** A subject as the traversal sees them: one or more identifiers. */
export const SubjectIdentity = z
  .object({ kind: IdentityKind, value: z.string().min(1).max(320), namespace: z.string().max(64).optional() })
  .strict()
  .openapi('SubjectIdentity');
export type SubjectIdentity = z.infer<typeof SubjectIdentity>;
