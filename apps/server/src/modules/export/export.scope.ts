import type {
  ExportField,
  ExportKind,
  ExportPurpose,
  ExportSectionMeta,
  LawfulBasis,
  ProcessingInfo,
} from './export.contract.ts';

/**
 * What of a section goes into the package.
 *
 * Access (Art. 15): everything, including values the source did not declare: a partial copy is not a copy.
 * Portability (Art. 20(1)): a section is in when at least one purpose its data serves (`processing.locations`) rests,
 * for this person, on consent or contract; then only its `provided` and `observed` fields (WP242: derived data is
 * not portable), never undeclared ones. A section linked to no purpose is left out: we cannot show the condition
 * holds, and the person sees it listed as left out, with the reason, in index.html and processing.json.
 */
export type SectionPlan = {
  system: string;
  collection: string;
  purposes: ExportPurpose[];
  included: boolean;
  /** Fields written, in the source's order. */
  fields: ExportField[];
  /** Portability only: fields left out because they are derived. */
  droppedFields: string[];
  /** Access only: undeclared keys are kept (data.json only, CSV/XLSX columns are fixed up front). */
  keepUndeclared: boolean;
  excluded?: { reason: 'unmapped' | 'basis' | 'no_fields'; bases: LawfulBasis[] };
};

export const PORTABLE_BASES: ReadonlySet<LawfulBasis> = new Set<LawfulBasis>(['consent', 'contract']);

export const planSection = (kind: ExportKind, meta: ExportSectionMeta, processing: ProcessingInfo): SectionPlan => {
  const location = processing.locations.find((l) => l.system === meta.system && l.collection === meta.collection);
  const purposes = (location?.purposes ?? [])
    .map((k) => processing.purposes.find((p) => p.key === k))
    .filter((p): p is ExportPurpose => p !== undefined);
  const base = { system: meta.system, collection: meta.collection, purposes };
  if (kind === 'access') {
    return { ...base, included: true, fields: meta.fields, droppedFields: [], keepUndeclared: true };
  }
  const bases = [...new Set(purposes.map((p) => p.lawfulBasis))];
  const out = (reason: 'unmapped' | 'basis' | 'no_fields'): SectionPlan => ({
    ...base,
    included: false,
    fields: [],
    droppedFields: meta.fields.map((f) => f.name),
    keepUndeclared: false,
    excluded: { reason, bases },
  });
  if (purposes.length === 0) return out('unmapped');
  if (!bases.some((b) => PORTABLE_BASES.has(b))) return out('basis');
  const fields = meta.fields.filter((f) => f.portable !== 'derived');
  if (fields.length === 0) return out('no_fields');
  return {
    ...base,
    included: true,
    fields,
    droppedFields: meta.fields.filter((f) => f.portable === 'derived').map((f) => f.name),
    keepUndeclared: false,
  };
};
