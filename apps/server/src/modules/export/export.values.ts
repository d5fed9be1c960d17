/**
 * One value, three renderings. data.json keeps structure; CSV and XLSX cells are text or scalars. The rules are
 * deliberately few and written down (docs/export.md), so a person can trust that the three files say the same thing.
 */

export type JsonValue = string | number | boolean | null | JsonValue[] | { [k: string]: JsonValue };
/** The JSON Schema types a value was seen with, to describe data.json exactly. */
export type JsonType = 'string' | 'number' | 'integer' | 'boolean' | 'null' | 'array' | 'object';

const isBinary = (v: unknown): v is Uint8Array => v instanceof Uint8Array;

/**
 * A faithful JSON rendering of a database value: Dates as ISO 8601, bigints and non-finite numbers as strings
 * (JSON has no way to hold them), bytes as base64, nested objects kept.
 * @example toJsonValue({ at: new Date(0), n: 10n }) // { at: '1970-01-01T00:00:00.000Z', n: '10' }
 */
export const toJsonValue = (v: unknown): JsonValue => {
  if (v === null || v === undefined) return null;
  switch (typeof v) {
    case 'string':
    case 'boolean':
      return v;
    case 'number':
      return Number.isFinite(v) ? v : String(v);
    case 'bigint':
      return v.toString();
    case 'object':
      break;
    default:
      // Functions and symbols are not data a database returns; say what they are rather than dropping them.
      return String(v);
  }
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : v.toISOString();
  if (isBinary(v)) return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64');
  if (Array.isArray(v)) return v.map(toJsonValue);
  if (v instanceof Map) return Object.fromEntries([...v].map(([k, x]) => [String(k), toJsonValue(x)]));
  if (v instanceof Set) return [...v].map(toJsonValue);
  const withToJson = v as { toJSON?: () => unknown };
  if (typeof withToJson.toJSON === 'function') return toJsonValue(withToJson.toJSON());
  const out: Record<string, JsonValue> = {};
  for (const [k, x] of Object.entries(v)) out[k] = toJsonValue(x);
  return out;
};

export const jsonType = (v: JsonValue): JsonType => {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v as 'string' | 'boolean' | 'object';
};

/**
 * The text of a CSV cell. `null` stays null so the writer can tell "no value" (an empty, unquoted field) from an
 * empty string (`""`): the one distinction RFC 4180 leaves open.
 */
export const cellText = (v: JsonValue): string | null => {
  if (v === null) return null;
  if (typeof v === 'string') return v;
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
};

/** Excel refuses cells over 32,767 characters; the full value stays in data.json and the CSV. */
export const XLSX_CELL_MAX = 32_767;
const TRUNCATED = ' […]';

export type XlsxCell = string | number | boolean | null;

export const xlsxCell = (v: JsonValue): XlsxCell => {
  if (v === null || typeof v === 'boolean') return v;
  // Excel holds doubles only; integers past 2^53 would silently change, so they go in as text.
  if (typeof v === 'number') return Number.isSafeInteger(v) || !Number.isInteger(v) ? v : String(v);
  // XML parsers turn CR LF into LF (XML 1.0 §2.11), and LF is what Excel uses for a line break in a cell: say so
  // up front rather than let the reader differ from the writer.
  const raw = typeof v === 'string' ? v : JSON.stringify(v);
  // Most cells hold no CR at all: looking for one is cheaper than a replace that finds nothing.
  const text = raw.includes('\r') ? raw.replace(/\r\n?/g, '\n') : raw;
  return text.length > XLSX_CELL_MAX ? text.slice(0, XLSX_CELL_MAX - TRUNCATED.length) + TRUNCATED : text;
};
