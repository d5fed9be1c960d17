import type { CreatePurpose, PurposeDefinitionInput } from '@lawful/contract';

/**
 * A complete, valid purpose for tests and the access matrix; override any field.
 * @example samplePurpose('newsletter', { directMarketing: true, allowedBases: ['consent'] })
 */
export const samplePurpose = (key: string, over: Partial<PurposeDefinitionInput> = {}): CreatePurpose =>
  ({
    key,
    locales: { en: { name: `Purpose ${key}`, description: `What ${key} is for` } },
    allowedBases: ['contract', 'legitimate_interests'],
    subjectCategories: ['customers'],
    dataCategories: ['user.contact.email'],
    art9Condition: null,
    recipients: [
      {
        name: 'Postmark (ActiveCampaign LLC)',
        role: 'processor',
        country: 'US',
        transferSafeguard: 'standard_contractual_clauses',
      },
    ],
    retention: { period: 'P2Y' },
    source: { kind: 'data_subject' },
    automatedDecisionMaking: { used: false },
    legitimateInterest: 'Keeping customers informed about their orders',
    liaReference: 'LIA-2026-01',
    directMarketing: false,
    ...over,
  }) as CreatePurpose;
