import { Identity } from '@lawful/contract';
import { AppError } from '../../lib/errors.ts';

/** The most identifiers one audience call may carry. */
export const MAX_AUDIENCE_LINES = 10_000_000;
const MAX_LINE_BYTES = 2048;

/**
 * Splits a byte stream into lines, whatever the chunk boundaries (a line may span chunks, a chunk many lines).
 * Empty lines and a trailing `\r` are dropped.
 */
export async function* lines(body: AsyncIterable<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let rest = '';
  for await (const bytes of body) {
    const text = rest + decoder.decode(bytes, { stream: true });
    const parts = text.split('\n');
    rest = parts.pop()!;
    if (rest.length > MAX_LINE_BYTES)
      throw new AppError('VALIDATION_FAILED', 'a line is too long', { field: '(body)' });
    for (const p of parts) {
      const l = p.endsWith('\r') ? p.slice(0, -1) : p;
      if (l.trim() !== '') yield l;
    }
  }
  const last = (rest + decoder.decode()).replace(/\r$/, '');
  if (last.trim() !== '') yield last;
}

const kinds = new Set<string>(['email', 'phone', 'user_id', 'device_id']);

/**
 * The common case checked by hand, because zod costs microseconds a line and an audience has millions of lines; it
 * accepts exactly what Identity accepts for well-formed input, and anything it doubts goes to zod for the verdict.
 */
const quick = (v: unknown): Identity | null => {
  if (typeof v !== 'object' || v === null) return null;
  const o = v as Record<string, unknown>;
  const { kind, value } = o;
  if (typeof kind !== 'string' || typeof value !== 'string' || !kinds.has(kind)) return null;
  let keys = 0;
  for (const _ in o) keys++;
  if (keys !== 2) return null;
  const t = value.trim();
  if (t.length === 0 || t.length > 320) return null;
  if (kind === 'email' && !/^[^\s@]+@[^\s@]+$/.test(t)) return null;
  if (kind === 'phone') return null;
  return { kind: kind as Identity['kind'], value: t };
};

/** One NDJSON line to an identity, or a VALIDATION_FAILED naming `line <n>.<field>` (1-based). */
export const parseIdentityLine = (line: string, n: number): Identity => {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    throw new AppError('VALIDATION_FAILED', `line ${n} is not JSON`, { field: `line ${n}` });
  }
  const fast = quick(v);
  if (fast) return fast;
  const r = Identity.safeParse(v);
  if (!r.success) {
    const i = r.error.issues[0]!;
    const field = `line ${n}.${i.path.map(String).join('.') || (i.code === 'unrecognized_keys' ? i.keys.join(',') : '(line)')}`;
    throw new AppError('VALIDATION_FAILED', `${field}: ${i.message}`, { field });
  }
  return r.data;
};

/** NDJSON identities in chunks of `size`. Fails on the first bad line, naming it. */
export async function* identityChunks(body: AsyncIterable<Uint8Array>, size: number): AsyncGenerator<Identity[]> {
  let chunk: Identity[] = [];
  let n = 0;
  for await (const l of lines(body)) {
    n++;
    if (n > MAX_AUDIENCE_LINES)
      throw new AppError('PAYLOAD_TOO_LARGE', `at most ${MAX_AUDIENCE_LINES} identifiers per call`, {
        field: '(body)',
      });
    chunk.push(parseIdentityLine(l, n));
    if (chunk.length === size) {
      yield chunk;
      chunk = [];
    }
  }
  if (chunk.length > 0) yield chunk;
}
