import type { ExportKind } from './export.contract.ts';
import { type CollectionSummary, FORMAT } from './export.json.ts';
import type { JsonType } from './export.values.ts';

/**
 * schema.json: a JSON Schema (2020-12) for this package's data.json, exact to the collections, fields and value
 * types it holds. `prefixItems` pins each collection in order; a field's `type` lists what was seen in it (a field
 * with no rows is left open). Category and origin ride along as `x-lawful-*` annotations, which validators ignore.
 */
type Schema = Record<string, unknown>;

const typeOf = (seen: Set<JsonType> | undefined): Schema => {
  if (!seen || seen.size === 0) return {};
  // 'integer' is a subset of 'number': list it alone only when every number seen was whole.
  const types = [...seen].filter((t) => !(t === 'integer' && seen.has('number')));
  return { type: types.length === 1 ? types[0] : types.sort() };
};

const collectionSchema = (c: CollectionSummary, kind: ExportKind): Schema => {
  const properties: Record<string, Schema> = {};
  for (const f of c.fields) {
    properties[f.name] = {
      ...typeOf(c.fieldTypes.get(f.name)),
      ...(f.description ? { description: f.description } : {}),
      'x-lawful-category': f.category,
      'x-lawful-origin': f.portable,
    };
  }
  for (const [name, seen] of c.undeclared) properties[name] = { ...typeOf(seen), 'x-lawful-undeclared': true };
  const field = {
    type: 'object',
    required: ['name', 'category', 'categoryName', 'portable'],
    properties: {
      name: { type: 'string' },
      category: { type: 'string' },
      categoryName: { type: 'string' },
      portable: { enum: ['provided', 'observed', 'derived'] },
      description: { type: 'string' },
    },
    additionalProperties: false,
  };
  return {
    type: 'object',
    required: ['system', 'collection', 'purposes', 'csv', 'sheets', 'fields', 'rows', 'rowCount', 'undeclaredFields'],
    properties: {
      system: { const: c.system },
      collection: { const: c.collection },
      purposes: { type: 'array', items: { type: 'string' } },
      csv: { const: c.csv },
      sheets: { type: 'array', items: { type: 'string' } },
      fields: { type: 'array', items: field, minItems: c.fields.length, maxItems: c.fields.length },
      rows: {
        type: 'array',
        minItems: c.rowCount,
        maxItems: c.rowCount,
        items: {
          type: 'object',
          required: c.fields.map((f) => f.name),
          properties,
          // Portability: exactly the declared portable fields. Access: undeclared keys were seen and listed above.
          additionalProperties: kind === 'access' && c.undeclared.size > 0,
        },
      },
      rowCount: { const: c.rowCount },
      undeclaredFields: { type: 'array', items: { type: 'string' } },
    },
    additionalProperties: false,
  };
};

export const buildDataJsonSchema = (kind: ExportKind, collections: CollectionSummary[]): Schema => ({
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: `urn:lawful:${FORMAT}:${kind}`,
  title: 'Lawful personal data export (data.json)',
  description:
    'A copy of the personal data one controller holds about one person, by system and collection. Dates are ISO 8601 ' +
    'strings, binary values base64, integers beyond 2^53 and non-finite numbers strings.',
  type: 'object',
  required: ['format', 'kind', 'subjectRef', 'generatedAt', 'locale', 'controller', 'schema', 'collections'],
  properties: {
    format: { const: FORMAT },
    kind: { const: kind },
    subjectRef: { type: 'string' },
    generatedAt: { type: 'string', format: 'date-time' },
    locale: { type: 'string' },
    controller: { type: 'string' },
    schema: { const: 'schema.json' },
    collections: {
      type: 'array',
      prefixItems: collections.map((c) => collectionSchema(c, kind)),
      items: false,
      minItems: collections.length,
    },
    lawfulRecords: {
      type: 'object',
      description: 'Lawful’s own records about the person: consents with the notice text seen, lawful bases, requests',
      required: ['consents', 'lawfulBases', 'requests'],
      properties: {
        consents: { type: 'array', items: { type: 'object' } },
        lawfulBases: { type: 'array', items: { type: 'object' } },
        requests: { type: 'array', items: { type: 'object' } },
      },
    },
  },
  additionalProperties: false,
});
