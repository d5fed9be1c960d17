import { z } from '@hono/zod-openapi';
import { prefixedId, Timestamp } from './common.ts';
import { DataCategory, isSpecialCategory } from './taxonomy.ts';

/**
 * The six lawful bases of Art. 6(1): (a) consent, (b) contract, (c) legal obligation, (d) vital interests,
 * (e) public task, (f) legitimate interests.
 */
export const LawfulBasis = z
  .enum(['consent', 'contract', 'legal_obligation', 'vital_interests', 'public_task', 'legitimate_interests'])
  .openapi({ description: 'Art. 6(1)(a)–(f)' });
export type LawfulBasis = z.infer<typeof LawfulBasis>;

/** Art. 6(1) letter of each basis, for records and exports. */
export const basisArticle: Record<LawfulBasis, string> = {
  consent: 'Art. 6(1)(a)',
  contract: 'Art. 6(1)(b)',
  legal_obligation: 'Art. 6(1)(c)',
  vital_interests: 'Art. 6(1)(d)',
  public_task: 'Art. 6(1)(e)',
  legitimate_interests: 'Art. 6(1)(f)',
};

/** Art. 9(2)(a)–(j): the condition that lifts the ban on processing special categories. */
export const Art9Condition = z.enum([
  'explicit_consent',
  'employment_social_security',
  'vital_interests',
  'not_for_profit_body',
  'made_public_by_subject',
  'legal_claims',
  'substantial_public_interest',
  'health_or_social_care',
  'public_health',
  'archiving_research_statistics',
]);
export type Art9Condition = z.infer<typeof Art9Condition>;

export { DataCategory, dataCategories, isSpecialCategory } from './taxonomy.ts';

export const PurposeKey = z
  .string()
  .regex(/^[a-z][a-z0-9-]{1,62}$/, 'lowercase letters, digits and dashes, 2–63 characters')
  .openapi({ example: 'marketing-email' });

/** EEA members: transfers to them need no Chapter V safeguard. */
export const eeaCountries = new Set(
  'AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE IS LI NO'.split(' '),
);

export const TransferSafeguard = z
  .enum([
    'none_needed_eea',
    'adequacy_decision',
    'standard_contractual_clauses',
    'binding_corporate_rules',
    'art49_derogation',
  ])
  .openapi({ description: 'Chapter V basis for a transfer outside the EEA (Art. 45, 46(2)(c), 47, 49)' });

export const Recipient = z
  .object({
    name: z.string().trim().min(1).max(200).openapi({ description: 'Named individually (CJEU C-154/21)' }),
    role: z.enum(['processor', 'third_party', 'joint_controller']),
    country: z
      .string()
      .regex(/^[A-Z]{2}$/, 'an ISO 3166-1 alpha-2 code')
      .openapi({ example: 'IE' }),
    transferSafeguard: TransferSafeguard,
    contact: z.string().trim().max(300).optional(),
  })
  .strict();
export type Recipient = z.infer<typeof Recipient>;

const Localised = z
  .object({ name: z.string().trim().min(1).max(200), description: z.string().trim().min(1).max(4000) })
  .strict();

/** Everything about a purpose that a new version may change. */
const definitionShape = z
  .object({
    locales: z
      .record(z.string().regex(/^[a-z]{2}(-[A-Z]{2})?$/, 'a locale such as en or fr-CA'), Localised)
      .refine((r) => Object.keys(r).length > 0, 'at least one locale'),
    allowedBases: z.array(LawfulBasis).min(1).max(6),
    subjectCategories: z
      .array(z.string().trim().min(1).max(100))
      .min(1)
      .max(50)
      .openapi({ example: ['customers', 'prospects'] }),
    dataCategories: z.array(DataCategory).min(1).max(200),
    art9Condition: Art9Condition.nullable().default(null),
    recipients: z.array(Recipient).max(200).default([]),
    retention: z
      .object({
        period: z
          .string()
          .regex(/^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?$/, 'an ISO 8601 period such as P2Y or P30D')
          .openapi({ example: 'P2Y' }),
        description: z.string().trim().max(1000).optional(),
      })
      .strict(),
    source: z
      .object({
        kind: z.enum(['data_subject', 'third_party', 'publicly_available', 'observed']),
        description: z.string().trim().max(1000).optional(),
      })
      .strict(),
    automatedDecisionMaking: z
      .object({ used: z.boolean(), logic: z.string().trim().max(4000).optional() })
      .strict()
      .default({ used: false }),
    legitimateInterest: z.string().trim().min(1).max(2000).nullable().default(null),
    liaReference: z.string().trim().min(1).max(300).nullable().default(null),
    directMarketing: z.boolean().default(false),
  })
  .strict();

const checkDefinition = (p: z.infer<typeof definitionShape>, ctx: z.RefinementCtx) => {
  const dup = p.allowedBases.find((b, i) => p.allowedBases.indexOf(b) !== i);
  if (dup) ctx.addIssue({ code: 'custom', path: ['allowedBases'], message: `${dup} is listed twice` });
  // Check 3: a special category needs an Art. 9(2) condition.
  if (p.dataCategories.some(isSpecialCategory) && !p.art9Condition) {
    ctx.addIssue({
      code: 'custom',
      path: ['art9Condition'],
      message: 'special-category data (Art. 9(1)) needs an Art. 9(2) condition',
    });
  }
  // Check 2: (f) needs the stated interest and a legitimate-interest assessment.
  if (p.allowedBases.includes('legitimate_interests')) {
    if (!p.legitimateInterest)
      ctx.addIssue({ code: 'custom', path: ['legitimateInterest'], message: 'basis (f) needs the stated interest' });
    if (!p.liaReference)
      ctx.addIssue({
        code: 'custom',
        path: ['liaReference'],
        message: 'basis (f) needs a legitimate-interest assessment reference',
      });
  }
  if (p.automatedDecisionMaking.used && !p.automatedDecisionMaking.logic) {
    ctx.addIssue({
      code: 'custom',
      path: ['automatedDecisionMaking', 'logic'],
      message: 'automated decision-making needs meaningful information about the logic (Art. 13(2)(f))',
    });
  }
  p.recipients.forEach((r, i) => {
    const inEea = eeaCountries.has(r.country);
    if (!inEea && r.transferSafeguard === 'none_needed_eea') {
      ctx.addIssue({
        code: 'custom',
        path: ['recipients', i, 'transferSafeguard'],
        message: `${r.country} is outside the EEA: name the Chapter V safeguard`,
      });
    }
  });
};

export const PurposeDefinition = definitionShape.superRefine(checkDefinition);
export type PurposeDefinition = z.infer<typeof PurposeDefinition>;
export type PurposeDefinitionInput = z.input<typeof PurposeDefinition>;

export const CreatePurpose = definitionShape
  .extend({ key: PurposeKey })
  .strict()
  .superRefine(checkDefinition)
  .openapi('CreatePurpose', { description: 'A processing purpose; its key never changes' });
export type CreatePurpose = z.infer<typeof CreatePurpose>;

export const UpdatePurpose = PurposeDefinition.openapi('UpdatePurpose', {
  description: 'A new version of the purpose; earlier versions stay readable',
});

export const Purpose = definitionShape
  .extend({
    id: prefixedId('pur'),
    key: PurposeKey,
    version: z.number().int().min(1),
    createdAt: Timestamp,
    createdBy: z.string(),
  })
  .openapi('Purpose');
export type Purpose = z.infer<typeof Purpose>;

/** Who the controller is and how to reach the DPO: the head of the Art. 30 record. */
export const RopaController = z
  .object({
    controller: z
      .object({
        name: z.string().trim().min(1).max(200),
        address: z.string().trim().min(1).max(500),
        email: z.string().email(),
        phone: z.string().trim().max(50).optional(),
        representative: z
          .string()
          .trim()
          .max(500)
          .optional()
          .openapi({ description: 'Art. 27 representative, when the controller is outside the Union' }),
      })
      .strict(),
    dpo: z
      .object({
        name: z.string().trim().min(1).max(200),
        email: z.string().email(),
        phone: z.string().max(50).optional(),
      })
      .strict()
      .nullable(),
    securityMeasures: z
      .array(z.string().trim().min(1).max(500))
      .max(100)
      .default([])
      .openapi({ description: 'Art. 32(1) measures beyond the ones Lawful itself applies' }),
    processorActivities: z
      .array(
        z
          .object({
            controllerName: z.string().trim().min(1).max(200),
            controllerContact: z.string().trim().min(1).max(300),
            processingCategories: z.array(z.string().trim().min(1).max(300)).min(1).max(50),
            transfers: z
              .array(z.object({ country: z.string().regex(/^[A-Z]{2}$/), safeguard: TransferSafeguard }).strict())
              .max(50)
              .default([]),
          })
          .strict(),
      )
      .max(200)
      .default([])
      .openapi({ description: 'Art. 30(2): processing done on behalf of other controllers' }),
  })
  .strict()
  .openapi('RopaController');
export type RopaController = z.infer<typeof RopaController>;
