import { createHash } from 'node:crypto';
import type { z } from '@hono/zod-openapi';
import type { ExportCategory, ExportField, ExportPackageMeta, LawfulRecords } from './export.contract.ts';
import type { JsonType } from './export.values.ts';

/**
 * data.json, written as it streams: an envelope, then one object per collection whose `rows` array is filled row by
 * row, then (access only) Lawful's own records. Each piece is a JSON fragment; concatenated they parse as one
 * document described by schema.json. Versioned, so an importing service knows what it reads (Art. 20 direct transfer).
 */
export const FORMAT = 'lawful-export/1';

/** What the builder learned about a collection while streaming it; feeds schema.json, processing.json, index.html. */
export type CollectionSummary = {
  system: string;
  collection: string;
  purposes: string[];
  csv: string;
  sheets: string[];
  fields: ExportField[];
  rowCount: number;
  /** JSON types seen per declared field. */
  fieldTypes: Map<string, Set<JsonType>>;
  /** Access only: keys found in rows that the source did not declare, with their types. */
  undeclared: Map<string, Set<JsonType>>;
  truncatedCells: number;
};

type Category = z.infer<typeof ExportCategory>;

const j = JSON.stringify;

export const dataJsonHead = (meta: ExportPackageMeta): string =>
  `{"format":${j(FORMAT)},"kind":${j(meta.kind)},"subjectRef":${j(meta.subjectRef)},` +
  `"generatedAt":${j(meta.generatedAt)},"locale":${j(meta.locale)},` +
  `"controller":${j(meta.processing.controller.name)},"schema":"schema.json","collections":[`;

export const describeField = (f: ExportField, categories: Category[]) => ({
  name: f.name,
  category: f.category,
  categoryName: categories.find((c) => c.key === f.category)?.name ?? f.category,
  portable: f.portable,
  ...(f.description ? { description: f.description } : {}),
});

export const collectionOpen = (
  first: boolean,
  c: Pick<CollectionSummary, 'system' | 'collection' | 'purposes' | 'csv' | 'fields'>,
  categories: Category[],
): string =>
  `${first ? '' : ','}\n{"system":${j(c.system)},"collection":${j(c.collection)},"purposes":${j(c.purposes)},` +
  `"csv":${j(c.csv)},"fields":${j(c.fields.map((f) => describeField(f, categories)))},"rows":[`;

/** Sheets are only known once a collection ends (a very long one continues on further sheets). */
export const collectionClose = (c: CollectionSummary): string =>
  `\n],"rowCount":${c.rowCount},"sheets":${j(c.sheets)},"undeclaredFields":${j([...c.undeclared.keys()])}}`;

/** SHA-256 of the notice text as the person saw it, so anyone can check the record against the text shown. */
export const consentsWithCheck = (records: LawfulRecords) =>
  records.consents.map((c) => ({
    ...c,
    notice: {
      ...c.notice,
      textMatchesHash: createHash('sha256').update(c.notice.text, 'utf8').digest('hex') === c.notice.sha256,
    },
  }));

export const dataJsonTail = (meta: ExportPackageMeta): string => {
  if (meta.kind === 'portability') return '\n]}\n';
  const lawful = { ...meta.lawfulRecords, consents: consentsWithCheck(meta.lawfulRecords) };
  return `\n],"lawfulRecords":${j(lawful)}}\n`;
};
