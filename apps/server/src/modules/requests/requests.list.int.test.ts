import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../../../test/harness.ts';
import { fixedClock } from '../../lib/clock.ts';

type Row = { id: string; dueAt: string; state: string; subjectId: string | null; closedAt: string | null };

describe('the request queue: filters, due-date order and keyset pages', () => {
  let h: Harness;
  let admin: string;
  const clock = fixedClock('2025-03-03T09:00:00.000Z');
  const made: Row[] = [];

  const page = async (query: string) => {
    const r = await h.request('GET', `/v1/requests?${query}`, { key: admin });
    expect(r.status, r.text).toBe(200);
    return r.body as { items: Row[]; nextCursor: string | null };
  };
  const all = async (query: string, limit = 2) => {
    const out: Row[] = [];
    let cursor: string | null = null;
    do {
      const p = await page(`${query}&limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`);
      out.push(...p.items);
      cursor = p.nextCursor;
    } while (cursor);
    return out;
  };

  beforeAll(async () => {
    h = await createHarness({ clock });
    const t = await h.newTenant();
    admin = t.admin;
    // Two requests a day for four days: due dates repeat (end of the due day), so the id must break ties.
    for (let day = 0; day < 4; day++) {
      for (const types of [['access'], ['erasure']]) {
        const r = await h.request('POST', '/v1/requests', {
          key: admin,
          body: {
            types,
            identities: [{ type: 'customer_id', value: randomUUID() }],
            identityVerified: true,
          },
        });
        expect(r.status, r.text).toBe(201);
        made.push(r.body);
      }
      clock.advance(86_400_000);
    }
    const cancelled = await h.request('POST', `/v1/requests/${made[1]!.id}/cancel`, {
      key: admin,
      body: { reason: 'The person withdrew the request by phone' },
    });
    expect(cancelled.status, cancelled.text).toBe(200);
  });
  afterAll(() => h.close());

  it('sort=due walks every request soonest first, ties by id, across pages', async () => {
    const rows = await all('sort=due');
    const expected = [...made].sort((a, b) => a.dueAt.localeCompare(b.dueAt) || a.id.localeCompare(b.id));
    expect(rows.map((r) => r.id)).toEqual(expected.map((r) => r.id));
    expect(new Set(rows.map((r) => r.dueAt)).size).toBe(4);
  });

  it('filters: open, status, type, subject and overdue, each with the due order', async () => {
    expect((await all('sort=due&open=true')).map((r) => r.id)).not.toContain(made[1]!.id);
    expect(await all('sort=due&open=false')).toHaveLength(1);
    expect((await all('sort=due&status=cancelled')).map((r) => r.id)).toEqual([made[1]!.id]);
    const erasures = await all('sort=due&type=erasure');
    expect(erasures.map((r) => r.id)).toEqual(made.filter((_, i) => i % 2 === 1).map((r) => r.id));
    const subject = made[2]!.subjectId!;
    expect((await all(`subjectId=${subject}`)).map((r) => r.id)).toEqual([made[2]!.id]);
    expect(await all('sort=due&overdue=true')).toHaveLength(0);
    clock.set('2025-04-04T12:00:00.000Z');
    // A month later the first three days' open requests are overdue; the cancelled one is not.
    const overdue = await all('sort=due&overdue=true');
    expect(overdue.map((r) => r.id)).toEqual(
      made.filter((r, i) => i !== 1 && r.dueAt < '2025-04-04T12:00:00.000Z').map((r) => r.id),
    );
    expect(overdue.length).toBeGreaterThan(0);
  });

  it('newest first stays the default; a cursor of the other order is a 400 naming cursor', async () => {
    expect((await all('')).map((r) => r.id)).toEqual([...made].reverse().map((r) => r.id));
    const due = await page('sort=due&limit=1');
    const wrong = await h.request('GET', `/v1/requests?cursor=${due.nextCursor}`, { key: admin });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.field).toBe('cursor');
    const wrong2 = await h.request('GET', `/v1/requests?sort=due&cursor=${made[0]!.id}`, { key: admin });
    expect(wrong2.body.error.field).toBe('cursor');
    const junk = await h.request('GET', '/v1/requests?sort=soonest', { key: admin });
    expect(junk.body.error.field).toBe('sort');
  });
});
