import {
  basisArticle,
  eeaCountries,
  isSpecialCategory,
  type Purpose,
  type Recipient,
  type RopaController,
  type SubprocessorListVersion,
} from '@lawful/contract';

/** Art. 32 measures Lawful itself applies to what it stores; the tenant adds its own. */
export const builtInMeasures = [
  'Identifiers encrypted with AES-256-GCM under a per-subject data key, wrapped by a tenant key and a master key; erasure destroys the subject key (crypto-shredding)',
  'Lookups by keyed HMAC blind index; identifiers never stored or logged in clear',
  'Tenant isolation enforced by PostgreSQL row-level security',
  'Append-only, hash-chained audit log with signed checkpoints, covering every change and sensitive read',
  'API keys of 256 random bits, stored hashed, role-scoped and revocable',
];

export type RopaActivity = {
  purpose: string;
  version: number;
  name: string;
  description: string;
  lawfulBases: { basis: string; article: string }[];
  legitimateInterest: string | null;
  liaReference: string | null;
  subjectCategories: string[];
  dataCategories: string[];
  specialCategories: string[];
  art9Condition: string | null;
  recipients: Recipient[];
  transfers: { recipient: string; country: string; safeguard: string }[];
  retention: string;
  source: string;
  automatedDecisionMaking: string;
  directMarketing: boolean;
};

/** The Art. 30(1)(a)–(g) record of processing activities. */
export type ControllerRecord = {
  article: 'Art. 30(1)';
  generatedAt: string;
  controller: RopaController['controller'];
  dpo: RopaController['dpo'];
  activities: RopaActivity[];
  securityMeasures: string[];
  /** The install's sub-processors in effect and announced (Art. 28(2), check 53), when the install keeps a list. */
  subprocessors?: RopaSubprocessors;
};

/** The Art. 30(2) record the tenant keeps as a processor for other controllers. */
export type ProcessorRecord = {
  article: 'Art. 30(2)';
  generatedAt: string;
  processor: RopaController['controller'];
  dpo: RopaController['dpo'];
  activities: RopaController['processorActivities'];
  securityMeasures: string[];
  subprocessors?: RopaSubprocessors;
};

export type RopaSubprocessors = { current: SubprocessorListVersion | null; upcoming: SubprocessorListVersion[] };

const localised = (p: Purpose, locale: string) => p.locales[locale] ?? Object.values(p.locales)[0]!;

export const toActivity = (p: Purpose, locale: string): RopaActivity => ({
  purpose: p.key,
  version: p.version,
  name: localised(p, locale).name,
  description: localised(p, locale).description,
  lawfulBases: p.allowedBases.map((b) => ({ basis: b, article: basisArticle[b] })),
  legitimateInterest: p.legitimateInterest,
  liaReference: p.liaReference,
  subjectCategories: p.subjectCategories,
  dataCategories: p.dataCategories,
  specialCategories: p.dataCategories.filter(isSpecialCategory),
  art9Condition: p.art9Condition,
  recipients: p.recipients,
  // Art. 30(1)(e): transfers are the recipients outside the EEA, each with its Chapter V safeguard.
  transfers: p.recipients
    .filter((r) => !eeaCountries.has(r.country))
    .map((r) => ({ recipient: r.name, country: r.country, safeguard: r.transferSafeguard })),
  retention: [p.retention.period, p.retention.description].filter(Boolean).join(' — '),
  source: [p.source.kind, p.source.description].filter(Boolean).join(' — '),
  automatedDecisionMaking: p.automatedDecisionMaking.used ? (p.automatedDecisionMaking.logic ?? 'yes') : 'none',
  directMarketing: p.directMarketing,
});

export const controllerRecord = (
  c: RopaController,
  purposes: Purpose[],
  locale: string,
  at: Date,
): ControllerRecord => ({
  article: 'Art. 30(1)',
  generatedAt: at.toISOString(),
  controller: c.controller,
  dpo: c.dpo,
  activities: purposes.map((p) => toActivity(p, locale)),
  securityMeasures: [...builtInMeasures, ...c.securityMeasures],
});

export const processorRecord = (c: RopaController, at: Date): ProcessorRecord => ({
  article: 'Art. 30(2)',
  generatedAt: at.toISOString(),
  processor: c.controller,
  dpo: c.dpo,
  activities: c.processorActivities,
  securityMeasures: [...builtInMeasures, ...c.securityMeasures],
});
