import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../lib/errors.ts';
import { identityChunks, lines } from './decisions.ndjson.ts';

/** Cuts bytes at the given points, as a network would. */
const chunked = async function* (bytes: Uint8Array, cuts: number[]) {
  let at = 0;
  for (const c of [...new Set(cuts.map((x) => x % (bytes.length + 1)))].sort((a, b) => a - b)) {
    yield bytes.slice(at, c);
    at = c;
  }
  yield bytes.slice(at);
};
const collect = async <T>(it: AsyncIterable<T>) => {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
};

const identity = fc.oneof(
  fc.record({
    kind: fc.constant('user_id' as const),
    value: fc.string({ minLength: 1, maxLength: 40 }).filter((s) => s.trim() === s && s.length > 0),
  }),
  fc.record({ kind: fc.constant('device_id' as const), value: fc.stringMatching(/^[a-zA-Z0-9ÿ€😀-]{1,30}$/u) }),
  fc.record({ kind: fc.constant('email' as const), value: fc.emailAddress() }),
);

describe('audience NDJSON parsing (check 59, property-based)', () => {
  it('the same identities come out whatever the chunk boundaries, line endings and blank lines', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(identity, { maxLength: 60 }),
        fc.array(fc.nat(), { maxLength: 20 }),
        fc.constantFrom('\n', '\r\n'),
        fc.integer({ min: 1, max: 7 }),
        async (ids, cuts, eol, size) => {
          const text =
            ids.map((i) => JSON.stringify(i)).join(`${eol}${eol === '\n' ? '' : ''}`) +
            (ids.length % 2 ? eol : `${eol}${eol}`);
          const bytes = new TextEncoder().encode(text);
          const chunks = await collect(identityChunks(chunked(bytes, cuts), size));
          expect(chunks.flat()).toEqual(ids.map((i) => ({ kind: i.kind, value: i.value.trim() })));
          expect(chunks.every((c) => c.length > 0 && c.length <= size)).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('multi-byte characters split across chunks survive', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 10 }), { maxLength: 20 }),
        fc.array(fc.nat()),
        async (ls, cuts) => {
          const clean = ls.map((l) => l.replace(/[\r\n]/g, 'x')).filter((l) => l.trim() !== '');
          const bytes = new TextEncoder().encode(clean.join('\n'));
          expect(await collect(lines(chunked(bytes, cuts)))).toEqual(clean);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('a bad line is named by number and field, whatever comes around it', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(identity, { minLength: 1, maxLength: 30 }),
        fc.nat(),
        fc.constantFrom(
          '{"kind":"fax","value":"1"}',
          'nope',
          '{"kind":"email"}',
          '{"kind":"user_id","value":"a","x":1}',
        ),
        async (ids, pos, bad) => {
          const at = pos % (ids.length + 1);
          const text = [
            ...ids.slice(0, at).map((i) => JSON.stringify(i)),
            bad,
            ...ids.slice(at).map((i) => JSON.stringify(i)),
          ].join('\n');
          const err = await collect(identityChunks(chunked(new TextEncoder().encode(text), []), 5)).then(
            () => null,
            (e: unknown) => e,
          );
          expect(err).toBeInstanceOf(AppError);
          expect((err as AppError).field).toMatch(new RegExp(`^line ${at + 1}(\\.|$)`));
        },
      ),
      { numRuns: 100 },
    );
  });
});
