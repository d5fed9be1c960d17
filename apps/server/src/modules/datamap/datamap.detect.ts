import { isIP } from 'node:net';
import type { ColumnInfo } from '../connectors/connector.ts';
import type { DataCategory, IdentityKind } from './datamap.contract.ts';

/** Why a column looks personal: its name, its sampled values, or both. */
export type Detection = {
  column: string;
  category: DataCategory;
  identity?: IdentityKind;
  reasons: string[];
  confidence: 'high' | 'medium';
};

type NameRule = { re: RegExp; category: DataCategory; identity?: IdentityKind };

// Matched against the snake_case form of the name, so `BillingPostalCode` and `billing_postal_code` read alike.
const NAME_RULES: NameRule[] = [
  { re: /(^|_)e?_?mail(_?addr(ess)?)?$/, category: 'user.contact.email', identity: 'email' },
  {
    re: /(^|_)(phone|mobile|cell|tel|telephone|msisdn)(_?(no|number))?$/,
    category: 'user.contact.phone',
    identity: 'phone',
  },
  { re: /(^|_)fax$/, category: 'user.contact.fax' },
  { re: /(^|_)(ip|ip_?addr(ess)?|remote_?addr|last_?ip)$/, category: 'user.device.ip_address' },
  { re: /(^|_)(first|given|fore)_?name$/, category: 'user.name.first' },
  { re: /(^|_)(last|sur|family)_?name$/, category: 'user.name.last' },
  { re: /(^|_)(full|display|real|contact)_?name$/, category: 'user.name' },
  { re: /(^|_)(street|address(_?line)?_?\d?|addr)$/, category: 'user.contact.address.street' },
  { re: /(^|_)(city|town)$/, category: 'user.contact.address.city' },
  { re: /(^|_)(postal_?code|post_?code|zip(_?code)?)$/, category: 'user.contact.address.postal_code' },
  { re: /(^|_)(state|province|county)$/, category: 'user.contact.address.state' },
  { re: /(^|_)country(_?code)?$/, category: 'user.contact.address.country' },
  { re: /(^|_)(birth_?date|date_?of_?birth|dob|birthday)$/, category: 'user.demographic.date_of_birth' },
  { re: /(^|_)(gender|sex)$/, category: 'user.demographic.gender' },
  { re: /(^|_)(ssn|passport(_?no)?|national_?id|tax_?id|id_?number)$/, category: 'user.government_id' },
  { re: /(^|_)(iban|bank_?account|account_?number)$/, category: 'user.financial.bank_account' },
  { re: /(^|_)(card_?(number|no)|pan|cc_?number)$/, category: 'user.financial.payment_card' },
  { re: /(^|_)(password|password_?hash|passwd|pwd_?hash)$/, category: 'user.authentication.credentials' },
  { re: /(^|_)(username|user_?name|login|handle)$/, category: 'user.account.username' },
  { re: /(^|_)(company|employer|organisation|organization)(_?name)?$/, category: 'user.workplace.employer' },
  { re: /(^|_)(job_?title|position|occupation)$/, category: 'user.workplace.job_title' },
  { re: /(^|_)(latitude|longitude|lat|lng|lon|geo_?point)$/, category: 'user.location.precise' },
  { re: /(^|_)(user_?agent|device_?id)$/, category: 'user.device.identifier' },
  { re: /(^|_)(opened|clicked)_?(at|count)?$|(^|_)(open|click)_?count$/, category: 'user.behavior.email_tracking' },
];

export const snakeCase = (name: string) =>
  name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[\s-]+/g, '_')
    .toLowerCase();

export const detectByName = (column: string): NameRule | undefined => {
  const s = snakeCase(column);
  return NAME_RULES.find((r) => r.re.test(s));
};

const EMAIL = /^[^\s@]{1,64}@[^\s@]+\.[^\s@]{2,}$/;
const PHONE = /^\+?[\d\s().\-/]{7,24}$/;
const STREET_WORD =
  /\b(street|st\.|avenue|ave\.?|av\.|road|rd\.|boulevard|blvd|lane|drive|way|rue|straße|strasse|str\.|gasse|weg|via|calle|rua|plaza|platz|veien|gatan|vej|laan)\b/iu;
const NUMBER_THEN_WORDS = /^\d+[a-z]?,?\s+\p{L}{2,}/iu;
const WORDS_THEN_NUMBER = /\p{L}{2,}\.?,?\s+\d+[a-z]?(\/\d+[a-z]?)?(,.*)?$/iu;

type ValueTest = { test: (v: unknown) => boolean; category: DataCategory; identity?: IdentityKind; what: string };

let nameSet: Set<string> | undefined;

/**
 * First and last names in many languages, from faker's locale data; loaded once, on the first discovery that
 * samples text.
 */
export const loadNameSet = async (): Promise<Set<string>> => {
  if (nameSet) return nameSet;
  const locales = ['en', 'de', 'fr', 'es', 'it', 'pt_BR', 'nl', 'pl', 'sv', 'nb_NO', 'cs_CZ', 'da', 'fi', 'hu'];
  const out = new Set<string>();
  for (const l of locales) {
    const { faker } = (await import(`@faker-js/faker/locale/${l}`)) as { faker: { rawDefinitions: unknown } };
    const person = (faker.rawDefinitions as { person?: Record<string, unknown> }).person ?? {};
    for (const part of ['first_name', 'last_name']) {
      const v = person[part];
      const lists = Array.isArray(v) ? [v] : Object.values((v ?? {}) as Record<string, unknown>);
      for (const list of lists)
        if (Array.isArray(list)) for (const n of list) if (typeof n === 'string') out.add(n.toLowerCase());
    }
  }
  nameSet = out;
  return out;
};

const valueTests = (names: Set<string>, now: Date): ValueTest[] => [
  {
    test: (v) => typeof v === 'string' && EMAIL.test(v.trim()),
    category: 'user.contact.email',
    identity: 'email',
    what: 'email addresses',
  },
  {
    test: (v) =>
      typeof v === 'string' && PHONE.test(v.trim()) && /[+\s()-]/.test(v.trim()) && v.replace(/\D/g, '').length >= 7,
    category: 'user.contact.phone',
    identity: 'phone',
    what: 'phone numbers',
  },
  {
    test: (v) => typeof v === 'string' && isIP(v.trim()) !== 0,
    category: 'user.device.ip_address',
    what: 'IP addresses',
  },
  {
    test: (v) =>
      typeof v === 'string' &&
      /\d/.test(v) &&
      (STREET_WORD.test(v) || NUMBER_THEN_WORDS.test(v.trim()) || WORDS_THEN_NUMBER.test(v.trim())),
    category: 'user.contact.address.street',
    what: 'street addresses',
  },
  {
    test: (v) =>
      typeof v === 'string' &&
      v.trim().length > 1 &&
      v.trim().split(/\s+/).length <= 3 &&
      names.has(v.trim().split(/\s+/)[0]!.toLowerCase()),
    category: 'user.name',
    what: "people's names",
  },
  {
    test: (v) => {
      const d = v instanceof Date ? v : typeof v === 'string' && /^\d{4}-\d{2}-\d{2}/.test(v) ? new Date(v) : null;
      if (!d || Number.isNaN(d.getTime())) return false;
      const age = (now.getTime() - d.getTime()) / (365.25 * 86_400_000);
      return age >= 13 && age <= 120;
    },
    category: 'user.demographic.date_of_birth',
    what: 'plausible dates of birth',
  },
];

// Below this share of matching samples a column is not flagged by its values.
const VALUE_THRESHOLD = 0.6;

const yearSpread = (values: unknown[]) => {
  const years = values
    .map((v) => (v instanceof Date ? v : new Date(String(v))).getUTCFullYear())
    .filter((y) => !Number.isNaN(y));
  return years.length === 0 ? 0 : Math.max(...years) - Math.min(...years);
};

const distinctWords = (values: unknown[]) => {
  const words = values.map(
    (v) =>
      String(v)
        .match(/\p{L}{2,}/u)?.[0]
        ?.toLowerCase() ?? '',
  );
  return new Set(words).size / Math.max(1, words.length);
};

/**
 * Decides whether a column looks personal, by its name and by a sample of its values, and says why.
 * @example detectColumn(col, ['ada@example.com', 'bob@example.org'], names, clock.now())
 */
export const detectColumn = (
  col: ColumnInfo,
  samples: readonly unknown[],
  names: Set<string>,
  now: Date,
): Detection | null => {
  const reasons: string[] = [];
  const byName = detectByName(col.name);
  if (byName) reasons.push(`name "${col.name}" suggests ${byName.category}`);
  const present = samples.filter((v) => v !== null && v !== undefined && v !== '');
  let byValue: ValueTest | undefined;
  if (present.length >= 3 && (col.kind === 'text' || col.kind === 'temporal' || col.kind === 'other')) {
    for (const t of valueTests(names, now)) {
      const hits = present.filter((v) => t.test(v)).length;
      if (hits / present.length < VALUE_THRESHOLD) continue;
      // Hire dates and order dates are plausible birth dates too; a birth date column spans decades.
      if (t.category === 'user.demographic.date_of_birth' && yearSpread(present) < 10) continue;
      // Labels like "item 1, item 2…" look like "Street 12"; real addresses name many different streets.
      if (t.category === 'user.contact.address.street' && distinctWords(present) < 0.3) continue;
      byValue = t;
      reasons.push(`${hits} of ${present.length} sampled values look like ${t.what}`);
      break;
    }
  }
  if (!byName && !byValue) return null;
  // The name is usually more specific (first vs last name, fax vs phone); values override it only when they point
  // somewhere else entirely (a column named "state" full of email addresses).
  const group = (c: string) => c.split('.').slice(0, 2).join('.');
  const category =
    byName && !(byValue && group(byValue.category) !== group(byName.category)) ? byName.category : byValue!.category;
  const identity =
    category === 'user.contact.email' ? 'email' : category === 'user.contact.phone' ? 'phone' : undefined;
  return {
    column: col.name,
    category,
    ...(identity ? { identity } : {}),
    reasons,
    confidence: byName && byValue ? 'high' : 'medium',
  };
};
