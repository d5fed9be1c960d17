import { createHash } from 'node:crypto';

/**
 * A hash chain over audit entries: each entry's hash commits to the previous hash and to the entry's content,
 * so editing, deleting or reordering any entry breaks every hash after it.
 */

export const GENESIS = '0'.repeat(64);

/** JSON with object keys sorted, so the same content always hashes the same. */
export const canonicalJson = (value: unknown): string => {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
};

export type ChainedContent = {
  tenantId: string;
  seq: number;
  id: string;
  at: string;
  actor: string;
  action: string;
  target: string | null;
  subjectId: string | null;
  requestId: string | null;
  details: Record<string, unknown>;
};

/**
 * Hashes exactly the chained fields, whatever else the object carries: the fixed fields as a JSON array in a fixed
 * order (cheap, unambiguous), then the details as canonical JSON.
 */
export const entryHash = (prevHash: string, c: ChainedContent): string =>
  createHash('sha256')
    .update(prevHash)
    .update('\n')
    .update(JSON.stringify([c.tenantId, c.seq, c.id, c.at, c.actor, c.action, c.target, c.subjectId, c.requestId]))
    .update(canonicalJson(c.details))
    .digest('hex');

export type ChainEntry = ChainedContent & { prevHash: string; hash: string };
export type ChainFault = { seq: number; reason: 'edited' | 'missing' | 'reordered' };

/**
 * Walks entries in seq order and names the first one that does not fit.
 * Feed it with `push` batch by batch so a long chain never sits in memory.
 */
export const createChainVerifier = (start: { seq: number; hash: string } = { seq: 0, hash: GENESIS }) => {
  let expectedSeq = start.seq + 1;
  let prev = start.hash;
  let count = 0;
  let fault: ChainFault | null = null;
  const check = (e: ChainEntry): ChainFault | null => {
    if (e.seq < expectedSeq) return { seq: e.seq, reason: 'reordered' };
    if (e.seq > expectedSeq) return { seq: expectedSeq, reason: 'missing' };
    // Linked to something else: an earlier entry vanished or moved.
    if (e.prevHash !== prev) return { seq: e.seq, reason: 'reordered' };
    if (entryHash(prev, e) !== e.hash) return { seq: e.seq, reason: 'edited' };
    return null;
  };
  return {
    push(entries: Iterable<ChainEntry>): ChainFault | null {
      if (fault) return fault;
      for (const e of entries) {
        fault = check(e);
        if (fault) return fault;
        prev = e.hash;
        expectedSeq++;
        count++;
      }
      return null;
    },
    get head() {
      return { seq: expectedSeq - 1, hash: prev };
    },
    get count() {
      return count;
    },
    get fault() {
      return fault;
    },
  };
};
