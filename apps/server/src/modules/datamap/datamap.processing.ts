import {
  type DataMap,
  dataCategories,
  type ExportPackageMetaInput,
  eeaCountries,
  isSpecialCategory,
  type JurisdictionCode,
  type LawfulBasis,
  type PurposeDefinition,
  type RequestLocale,
  type RopaController,
} from '@lawful/contract';
import { and, asc, eq, inArray } from 'drizzle-orm';
import type { Queryable } from '../../db/client.ts';
import {
  consentRecords,
  lawfulBases,
  lawfulBasisHistory,
  noticeVersions,
  purposeVersions,
  requests,
  ropaControllers,
  tenants,
} from '../../db/schema/index.ts';

type Meta = ExportPackageMetaInput;
type ProcessingInput = Meta['processing'];

/** The authority a person complains to (Art. 15(1)(f)), by the tenant's jurisdiction. */
const AUTHORITIES: Record<JurisdictionCode, { name: string; url: string; country: string }> = {
  eu: {
    name: 'The supervisory authority of your EU/EEA country (list kept by the European Data Protection Board)',
    url: 'https://www.edpb.europa.eu/about-edpb/about-edpb/members_en',
    country: 'BE',
  },
  fr: {
    name: 'Commission nationale de l’informatique et des libertés (CNIL)',
    url: 'https://www.cnil.fr',
    country: 'FR',
  },
  de: {
    name: 'Der Bundesbeauftragte für den Datenschutz und die Informationsfreiheit (BfDI)',
    url: 'https://www.bfdi.bund.de',
    country: 'DE',
  },
  uk: { name: 'Information Commissioner’s Office (ICO)', url: 'https://ico.org.uk', country: 'GB' },
  'us-ca': { name: 'California Privacy Protection Agency', url: 'https://cppa.ca.gov', country: 'US' },
};

const categoryName = (key: string) =>
  key
    .split('.')
    .slice(1)
    .map((p) => p.replace(/_/g, ' '))
    .join(' › ') || key;

/** A field category serves a purpose when the purpose lists it or one of its ancestors (user.contact ⊇ user.contact.email). */
const covers = (purposeCategory: string, fieldCategory: string) =>
  fieldCategory === purposeCategory || fieldCategory.startsWith(`${purposeCategory}.`);

const ROLE: Record<string, 'processor' | 'controller' | 'joint_controller'> = {
  processor: 'processor',
  third_party: 'controller',
  joint_controller: 'joint_controller',
};
const SAFEGUARD = {
  adequacy_decision: 'adequacy_decision',
  standard_contractual_clauses: 'standard_contractual_clauses',
  binding_corporate_rules: 'binding_corporate_rules',
  art49_derogation: 'art49_derogation',
} as const;

const latestPurposes = async (q: Queryable, tenantId: string) => {
  const rows = await q
    .select()
    .from(purposeVersions)
    .where(eq(purposeVersions.tenantId, tenantId))
    .orderBy(asc(purposeVersions.purposeKey), asc(purposeVersions.version));
  const byKey = new Map<string, (typeof rows)[number]>();
  for (const r of rows) byKey.set(r.purposeKey, r);
  return [...byKey.values()];
};

const localised = (def: PurposeDefinition, locale: string) =>
  def.locales[locale] ?? def.locales.en ?? Object.values(def.locales)[0]!;

/**
 * Everything the access package says besides the rows: Art. 15(1)(a)–(h) and 15(2) as they apply to this person
 * (purposes from the record of processing with this person's own basis, recipients by name, transfers), and what
 * Lawful itself recorded about them (consents with the notice text seen, bases, requests).
 */
export const processingFor = async (
  q: Queryable,
  input: { tenantId: string; subjectId: string | null; requestId: string; map: DataMap },
): Promise<Omit<Meta, 'kind' | 'subjectRef' | 'generatedAt' | 'completeness'>> => {
  const { tenantId, subjectId } = input;
  const [tenant] = await q.select().from(tenants).where(eq(tenants.id, tenantId));
  const [request] = await q
    .select({ locale: requests.locale })
    .from(requests)
    .where(and(eq(requests.tenantId, tenantId), eq(requests.id, input.requestId)));
  const locale = (request?.locale ?? tenant?.settings.defaultLocale ?? 'en') as RequestLocale;
  const [ropa] = await q.select().from(ropaControllers).where(eq(ropaControllers.tenantId, tenantId));
  const controller: RopaController['controller'] | null = ropa?.record.controller ?? null;
  const purposes = await latestPurposes(q, tenantId);
  const current = subjectId
    ? await q
        .select({ purposeKey: lawfulBases.purposeKey, basis: lawfulBases.basis })
        .from(lawfulBases)
        .where(and(eq(lawfulBases.tenantId, tenantId), eq(lawfulBases.subjectId, subjectId)))
    : [];
  const basisOf = new Map(current.map((b) => [b.purposeKey, b.basis as LawfulBasis]));

  const mapCategories = new Set(
    input.map.systems.flatMap((s) => s.collections.flatMap((c) => c.fields.map((f) => f.category))),
  );
  const categoryKeys = new Set<string>(mapCategories);
  const recipients = new Map<string, ProcessingInput['recipients'][number]>();
  const outPurposes: ProcessingInput['purposes'] = [];
  const sources: ProcessingInput['sources'] = [];
  const decisions: ProcessingInput['automatedDecisions'] = [];
  for (const p of purposes) {
    const def = p.definition;
    // A purpose counts for this person when it holds a basis for them, or when their data in our systems serves it.
    const basis = basisOf.get(p.purposeKey);
    const served = [...mapCategories].some((fc) => def.dataCategories.some((pc) => covers(pc, fc)));
    if (!basis && !served) continue;
    const text = localised(def, locale);
    for (const c of def.dataCategories) categoryKeys.add(c);
    const ids: string[] = [];
    for (const r of def.recipients) {
      const id = `r${recipients.size + 1}`;
      const key = `${r.name}\0${r.country}`;
      const existing = [...recipients.entries()].find(([, v]) => `${v.name}\0${v.country}` === key);
      if (existing) {
        ids.push(existing[0]);
        continue;
      }
      const outside = !eeaCountries.has(r.country);
      recipients.set(id, {
        id,
        name: r.name,
        role: ROLE[r.role] ?? 'controller',
        country: r.country,
        ...(outside && r.transferSafeguard !== 'none_needed_eea'
          ? {
              transfer: {
                safeguard: SAFEGUARD[r.transferSafeguard],
                detail: `Transfer to ${r.country} under ${r.transferSafeguard.replace(/_/g, ' ')}`,
              },
            }
          : {}),
      });
      ids.push(id);
    }
    outPurposes.push({
      key: p.purposeKey,
      name: text.name,
      description: text.description,
      lawfulBasis: basis ?? def.allowedBases[0]!,
      ...(def.legitimateInterest ? { legitimateInterest: def.legitimateInterest } : {}),
      categories: def.dataCategories,
      recipients: ids,
      retention: {
        period: def.retention.period,
        ...(def.retention.description ? { criteria: def.retention.description } : {}),
      },
    });
    if (def.source.kind !== 'data_subject') {
      sources.push({
        description: def.source.description ?? `Data for "${text.name}" (${def.source.kind.replace(/_/g, ' ')})`,
        publiclyAvailable: def.source.kind === 'publicly_available',
        categories: def.dataCategories,
      });
    }
    if (def.automatedDecisionMaking.used) {
      decisions.push({
        name: text.name,
        logic: def.automatedDecisionMaking.logic ?? text.description,
        significance: text.description,
        consequences: text.description,
        humanReview: 'You may ask for a person to review the decision.',
      });
    }
  }
  const locations = input.map.systems.flatMap((s) =>
    s.collections.flatMap((c) => {
      const keys = outPurposes
        .filter((p) => c.fields.some((f) => p.categories.some((pc) => covers(pc, f.category))))
        .map((p) => p.key);
      return keys.length > 0 ? [{ system: s.id, collection: c.name, purposes: keys }] : [];
    }),
  );
  const known = new Set<string>(dataCategories as readonly string[]);
  const processing: ProcessingInput = {
    controller: {
      name: controller?.name ?? tenant?.name ?? 'The controller',
      contact: controller?.email ?? 'see the privacy notice',
      ...(controller?.address ? { address: controller.address } : {}),
    },
    ...(ropa?.record.dpo ? { dpoContact: ropa.record.dpo.email } : {}),
    rightsContact: controller?.email ?? 'see the privacy notice',
    purposes: outPurposes,
    categories: [...categoryKeys].map((k) => ({
      key: k,
      name: categoryName(k),
      special: isSpecialCategory(k),
      ...(known.has(k) ? {} : { description: 'a category defined by the controller' }),
    })),
    recipients: [...recipients.values()],
    sources,
    automatedDecisions: decisions,
    supervisoryAuthority: AUTHORITIES[tenant?.settings.jurisdiction ?? 'eu'],
    locations,
  };
  return { locale, processing, lawfulRecords: await lawfulRecordsFor(q, input) };
};

/** What Lawful holds about the person: it is personal data too (Art. 15), with the exact notice text for each consent. */
const lawfulRecordsFor = async (
  q: Queryable,
  input: { tenantId: string; subjectId: string | null },
): Promise<Meta['lawfulRecords']> => {
  const { tenantId, subjectId } = input;
  if (!subjectId) return { consents: [], lawfulBases: [], requests: [] };
  const consents = await q
    .select()
    .from(consentRecords)
    .where(and(eq(consentRecords.tenantId, tenantId), eq(consentRecords.subjectId, subjectId)))
    .orderBy(asc(consentRecords.recordedAt));
  const noticeIds = [...new Set(consents.map((c) => c.noticeVersionId))];
  const notices = noticeIds.length
    ? await q
        .select()
        .from(noticeVersions)
        .where(and(eq(noticeVersions.tenantId, tenantId), inArray(noticeVersions.id, noticeIds)))
    : [];
  const noticeById = new Map(notices.map((n) => [n.id, n]));
  const withdrawnAt = new Map<string, string>();
  for (const c of consents) if (c.decision === 'withdraw') withdrawnAt.set(c.purposeKey, c.recordedAt.toISOString());
  const history = await q
    .select()
    .from(lawfulBasisHistory)
    .where(and(eq(lawfulBasisHistory.tenantId, tenantId), eq(lawfulBasisHistory.subjectId, subjectId)))
    .orderBy(asc(lawfulBasisHistory.setAt));
  const byPurpose = new Map<string, typeof history>();
  for (const h of history) byPurpose.set(h.purposeKey, [...(byPurpose.get(h.purposeKey) ?? []), h]);
  const reqs = await q
    .select({
      id: requests.id,
      types: requests.types,
      state: requests.state,
      receivedAt: requests.receivedAt,
      closedAt: requests.closedAt,
    })
    .from(requests)
    .where(and(eq(requests.tenantId, tenantId), eq(requests.subjectId, subjectId)))
    .orderBy(asc(requests.receivedAt));
  return {
    consents: consents
      .filter((c) => c.decision !== 'withdraw')
      .map((c) => {
        const n = noticeById.get(c.noticeVersionId);
        const text = n?.texts[c.locale] ?? (n ? Object.values(n.texts)[0] : undefined);
        const rendered = n?.rendered?.[c.locale];
        return {
          id: c.id,
          purpose: c.purposeKey,
          granted: c.decision === 'grant',
          recordedAt: c.recordedAt.toISOString(),
          withdrawnAt: c.decision === 'grant' ? (withdrawnAt.get(c.purposeKey) ?? null) : null,
          channel: c.method,
          notice: {
            versionId: c.noticeVersionId,
            title: text?.title ?? 'Notice',
            locale: c.locale,
            text: rendered?.html ?? text?.markdown ?? '',
            sha256: c.noticeHash,
          },
        };
      }),
    lawfulBases: [...byPurpose.entries()].map(([purpose, rows]) => ({
      purpose,
      history: rows.map((r, i) => ({
        basis: r.basis,
        from: r.setAt.toISOString(),
        to: rows[i + 1]?.setAt.toISOString() ?? null,
      })),
    })),
    requests: reqs.map((r) => ({
      id: r.id,
      types: r.types,
      state: r.state,
      receivedAt: r.receivedAt.toISOString(),
      closedAt: r.closedAt?.toISOString() ?? null,
    })),
  };
};
