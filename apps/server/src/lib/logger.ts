import { type DestinationStream, type Logger, pino } from 'pino';

export type { Logger };

/**
 * Our logs never carry personal data, keys or tokens. Known fields are redacted by path; anything that still looks
 * like an email, an IP address, a phone number or a Lawful secret is scrubbed from every string as a last defence.
 */
const REDACT_PATHS = [
  'email',
  '*.email',
  'ip',
  '*.ip',
  'token',
  '*.token',
  'secret',
  '*.secret',
  'password',
  '*.password',
  'authorization',
  '*.authorization',
  'headers.authorization',
  'headers.cookie',
  'identifier',
  '*.identifier',
  'identifiers',
  '*.identifiers',
  'name',
  'value',
];

const PATTERNS: [RegExp, string][] = [
  // Database errors quote what was sent: drizzle appends every bound value ("params: …"), PostgreSQL quotes the
  // offending input and the duplicate key. Names and free text match no pattern below, so these go whole.
  [/\bparams: [^\n]*/g, 'params: [redacted]'],
  [/(invalid input (?:syntax|value) for [^:\n]*: )"[^"\n]*"/g, '$1"[redacted]"'],
  [/(Key \([^)\n]*\)=)\([^\n]*?\)( already exists| is not present| is still referenced|\s|$)/g, '$1([redacted])$2'],
  [/[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g, '[email]'],
  [/\blf_(?:sk|pk)_[A-Za-z0-9_-]+/g, '[key]'],
  [/\b(?:Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi, '[credential]'],
  [/\b(?:\d{1,3}\.){3}\d{1,3}\b/g, '[ip]'],
  [/\b(?:[0-9a-f]{1,4}:){2,7}[0-9a-f]{0,4}\b/gi, '[ip]'],
  [/\+?\d[\d -]{8,}\d/g, '[phone]'],
];

export const scrub = (s: string): string => {
  let out = s;
  for (const [re, rep] of PATTERNS) out = out.replace(re, rep);
  return out;
};

const scrubDeep = (v: unknown, depth = 0): unknown => {
  if (typeof v === 'string') return scrub(v);
  if (depth > 6 || v === null || typeof v !== 'object') return v;
  if (v instanceof Error)
    return { type: v.name, message: scrub(v.message), stack: v.stack ? scrub(v.stack) : undefined };
  if (Array.isArray(v)) return v.map((x) => scrubDeep(x, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) out[k] = scrubDeep(x, depth + 1);
  return out;
};

export const createLogger = (opts: { level?: string; destination?: DestinationStream } = {}): Logger =>
  pino(
    {
      level: opts.level ?? 'info',
      base: undefined,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      formatters: { log: (obj) => scrubDeep(obj) as Record<string, unknown> },
      hooks: {
        logMethod(args, method) {
          const mapped = args.map((a) => (typeof a === 'string' ? scrub(a) : a)) as Parameters<typeof method>;
          method.apply(this, mapped);
        },
      },
    },
    opts.destination,
  );
