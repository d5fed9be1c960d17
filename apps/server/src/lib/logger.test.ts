import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, scrub } from './logger.ts';

describe('logger scrubbing (no personal data in logs)', () => {
  it('drops the bound values drizzle appends to a failed query, and the values PostgreSQL quotes', () => {
    const drizzle = 'Failed query: insert into "subjects" ("name") values ($1, $2)\nparams: Ada Lovelace,tnt_01';
    expect(scrub(drizzle)).toBe('Failed query: insert into "subjects" ("name") values ($1, $2)\nparams: [redacted]');
    expect(scrub('invalid input syntax for type integer: "Ada Lovelace"')).toBe(
      'invalid input syntax for type integer: "[redacted]"',
    );
    expect(scrub('Key (tenant_id, name)=(tnt_1, Ada Lovelace) already exists.')).toBe(
      'Key (tenant_id, name)=([redacted]) already exists.',
    );
    expect(scrub('relation "subjects" does not exist')).toBe('relation "subjects" does not exist');
  });

  it('scrubs an error logged whole, message and stack', async () => {
    const lines: string[] = [];
    const logger = createLogger({
      destination: new Writable({
        write: (c, _e, cb) => {
          lines.push(String(c));
          cb();
        },
      }),
    });
    const err = new Error('Failed query: select 1 where name = $1\nparams: Grace Hopper');
    logger.error({ err }, 'request failed');
    await new Promise((r) => setTimeout(r, 10));
    expect(lines.join('')).toContain('params: [redacted]');
    expect(lines.join('')).not.toContain('Grace Hopper');
  });
});
