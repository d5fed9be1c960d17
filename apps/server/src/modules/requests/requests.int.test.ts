import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../../../test/harness.ts';
import { requestEvents } from '../../db/schema/index.ts';
import { fixedClock } from '../../lib/clock.ts';
import { transitions } from './requests.states.ts';

const email = () => `ada.${randomUUID().slice(0, 8)}@example.com`;

describe('data-subject requests over HTTP (checks 32–35, 37)', () => {
  let h: Harness;
  let admin: string;
  let tenantId: string;
  const clock = fixedClock('2025-01-31T10:00:00.000Z');

  beforeAll(async () => {
    h = await createHarness({ clock });
    const t = await h.newTenant();
    admin = t.admin;
    tenantId = t.tenant.id;
    await h.rt.services.tenants.updateSettings(tenantId, { timezone: 'Europe/Paris', jurisdiction: 'eu' }, 'test');
  });
  afterAll(() => h.close());

  const create = (body: Record<string, unknown>, key = admin) =>
    h.request('POST', '/v1/requests', { key, body: { identities: [{ type: 'email', value: email() }], ...body } });

  it('check 32: due_at is one calendar month from receipt in the tenant time zone (31 Jan → 28 Feb)', async () => {
    const r = await create({ types: ['access'] });
    expect(r.status).toBe(201);
    expect(r.body.receivedAt).toBe('2025-01-31T10:00:00.000Z');
    expect(r.body.dueAt).toBe('2025-02-28T22:59:59.999Z');
    expect(r.body.state).toBe('identity_pending');
    // Check 37: in the EU the clock is not paused while identity is checked.
    expect(r.body.clockPausedAt).toBeNull();
  });

  it('bad input → 400 naming the field, and nothing is written', async () => {
    const before = (await h.request('GET', '/v1/requests?limit=200', { key: admin })).body.items.length;
    for (const [body, field] of [
      [{ types: [] }, 'types'],
      [{ types: ['access', 'access'] }, 'types'],
      [{ types: ['teleport'] }, 'types.0'],
      [{ types: ['access'], identities: [] }, 'identities'],
      [{ types: ['access'], locale: 'xx' }, 'locale'],
      [{ types: ['access'], surprise: 1 }, 'surprise'],
    ] as const) {
      const r = await create(body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.error.field).toBe(field);
    }
    expect((await h.request('GET', '/v1/requests?limit=200', { key: admin })).body.items.length).toBe(before);
  });

  it('a platform-verified erasure waits for approval, then an officer approves it', async () => {
    const r = await create({ types: ['erasure'], identityVerified: true });
    expect(r.body.state).toBe('awaiting_approval');
    const agent = (await h.newKey(tenantId, 'agent')).secret;
    expect((await h.request('POST', `/v1/requests/${r.body.id}/approve`, { key: agent, body: {} })).status).toBe(403);
    const ok = await h.request('POST', `/v1/requests/${r.body.id}/approve`, { key: admin, body: {} });
    expect(ok.status).toBe(200);
    expect(ok.body.state).toBe('in_progress');
    const detail = await h.request('GET', `/v1/requests/${r.body.id}`, { key: admin });
    expect(detail.body.timeline.map((e: { kind: string; toState: string | null }) => e.toState ?? e.kind)).toEqual([
      'receive',
      'verified',
      'awaiting_approval',
      'in_progress',
    ]);
  });

  it('duplicate: a second open request for the same subject and type is linked, not run twice', async () => {
    const who = email();
    const first = await create({ types: ['access'], identities: [{ type: 'email', value: who }] });
    const second = await create({ types: ['access', 'objection'], identities: [{ type: 'email', value: who }] });
    expect(second.status).toBe(201);
    expect(second.body.duplicateOf).toBe(first.body.id);
    expect(second.body.state).toBe('cancelled');
    const d = await h.request('GET', `/v1/requests/${first.body.id}`, { key: admin });
    expect(d.body.timeline.some((e: { kind: string }) => e.kind === 'duplicate_linked')).toBe(true);
  });

  it('check 33: one extension with a reason before the original due date; a second is refused', async () => {
    const r = await create({ types: ['access'], identityVerified: true });
    const noReason = await h.request('POST', `/v1/requests/${r.body.id}/extend`, { key: admin, body: { reason: '' } });
    expect(noReason.status).toBe(400);
    expect(noReason.body.error.field).toBe('reason');
    clock.set('2025-02-10T09:00:00.000Z');
    const ok = await h.request('POST', `/v1/requests/${r.body.id}/extend`, {
      key: admin,
      body: { reason: 'Records sit in three archived systems', months: 2 },
    });
    expect(ok.status).toBe(200);
    expect(ok.body.dueAt).toBe('2025-04-30T21:59:59.999Z');
    expect(ok.body.originalDueAt).toBe('2025-02-28T22:59:59.999Z');
    const again = await h.request('POST', `/v1/requests/${r.body.id}/extend`, {
      key: admin,
      body: { reason: 'Still more archived systems' },
    });
    expect(again.status).toBe(422);
    expect(again.body.error.field).toBe('extension');
    clock.set('2025-01-31T10:00:00.000Z');
  });

  it('check 33: an extension after the original due date is refused', async () => {
    const r = await create({ types: ['objection'] });
    clock.set('2025-03-01T09:00:00.000Z');
    const late = await h.request('POST', `/v1/requests/${r.body.id}/extend`, {
      key: admin,
      body: { reason: 'We looked at it too late' },
    });
    expect(late.status).toBe(422);
    clock.set('2025-01-31T10:00:00.000Z');
  });

  it('check 34: refusal needs grounds that fit; Art. 17(3) grounds only answer an erasure', async () => {
    const r = await create({ types: ['access'] });
    const wrong = await h.request('POST', `/v1/requests/${r.body.id}/reject`, {
      key: admin,
      body: { grounds: ['art17_3_e_legal_claims'], explanation: 'We need the records for a court case' },
    });
    expect(wrong.status).toBe(422);
    expect(wrong.body.error.field).toBe('grounds');
    const none = await h.request('POST', `/v1/requests/${r.body.id}/reject`, {
      key: admin,
      body: { grounds: [], explanation: 'No reason at all given here' },
    });
    expect(none.status).toBe(400);
    const ok = await h.request('POST', `/v1/requests/${r.body.id}/reject`, {
      key: admin,
      body: { grounds: ['manifestly_excessive'], explanation: 'This is the twelfth identical request this month' },
    });
    expect(ok.status).toBe(200);
    expect(ok.body.state).toBe('rejected');
    expect(ok.body.refusal.grounds).toEqual(['manifestly_excessive']);
  });

  it('check 35: a fee needs a finding on an allowed basis, recorded once', async () => {
    const r = await create({ types: ['access'] });
    const bad = await h.request('POST', `/v1/requests/${r.body.id}/fee`, {
      key: admin,
      body: { basis: 'manifestly_excessive', explanation: 'short', amountMinor: 1000, currency: 'EUR' },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.field).toBe('explanation');
    const ok = await h.request('POST', `/v1/requests/${r.body.id}/fee`, {
      key: admin,
      body: {
        basis: 'further_copies',
        explanation: 'A third copy of the same export',
        amountMinor: 1000,
        currency: 'EUR',
      },
    });
    expect(ok.status).toBe(200);
    expect(ok.body.fee.basis).toBe('further_copies');
    const twice = await h.request('POST', `/v1/requests/${r.body.id}/fee`, {
      key: admin,
      body: { basis: 'further_copies', explanation: 'A fourth copy of the export', amountMinor: 1, currency: 'EUR' },
    });
    expect(twice.status).toBe(409);
  });

  it('every illegal transition over HTTP is refused with 409 and changes nothing', async () => {
    // Reach each state, then try every action the state machine does not allow from it.
    const actions: Record<string, { event: string; body: Record<string, unknown> }> = {
      verify: { event: 'verify_identity', body: { method: 'account_login' } },
      approve: { event: 'approve', body: {} },
      complete: {
        event: 'complete',
        body: { partial: true, download: { url: 'https://x.example/d', expiresAt: '2025-03-01T00:00:00Z' } },
      },
      reject: {
        event: 'reject',
        body: { grounds: ['manifestly_unfounded'], explanation: 'Plainly not a real request' },
      },
      cancel: { event: 'cancel', body: { reason: 'The subject withdrew the request' } },
    };
    const reach: Record<string, () => Promise<string>> = {
      received: async () =>
        (await create({ types: ['access'], identities: [{ type: 'phone', value: '+33 1 23 45 67 89' }] })).body.id,
      identity_pending: async () => (await create({ types: ['access'] })).body.id,
      awaiting_approval: async () => (await create({ types: ['erasure'], identityVerified: true })).body.id,
      in_progress: async () => (await create({ types: ['access'], identityVerified: true })).body.id,
      rejected: async () => {
        const id = (await create({ types: ['access'] })).body.id;
        await h.request('POST', `/v1/requests/${id}/reject`, { key: admin, body: actions.reject!.body });
        return id;
      },
      cancelled: async () => {
        const id = (await create({ types: ['access'] })).body.id;
        await h.request('POST', `/v1/requests/${id}/cancel`, { key: admin, body: actions.cancel!.body });
        return id;
      },
    };
    let refused = 0;
    for (const [state, make] of Object.entries(reach)) {
      for (const [name, a] of Object.entries(actions)) {
        const allowed = (transitions as Record<string, Record<string, string>>)[state]![a.event] !== undefined;
        if (allowed) continue;
        const id = await make();
        const before = await h.request('GET', `/v1/requests/${id}`, { key: admin });
        const r = await h.request('POST', `/v1/requests/${id}/${name}`, { key: admin, body: a.body });
        expect(r.status, `${name} from ${state}`).toBe(409);
        const after = await h.request('GET', `/v1/requests/${id}`, { key: admin });
        expect(after.body.state).toBe(before.body.state);
        expect(after.body.timeline.length).toBe(before.body.timeline.length);
        refused++;
      }
    }
    expect(refused).toBeGreaterThan(15);
  });

  it('list filters, cursor pagination and SLA figures', async () => {
    const page1 = await h.request('GET', '/v1/requests?limit=3&status=in_progress', { key: admin });
    expect(page1.status).toBe(200);
    expect(page1.body.items.every((r: { state: string }) => r.state === 'in_progress')).toBe(true);
    if (page1.body.nextCursor) {
      const page2 = await h.request('GET', `/v1/requests?limit=3&status=in_progress&cursor=${page1.body.nextCursor}`, {
        key: admin,
      });
      const ids = new Set(page1.body.items.map((r: { id: string }) => r.id));
      expect(page2.body.items.some((r: { id: string }) => ids.has(r.id))).toBe(false);
    }
    const erasures = await h.request('GET', '/v1/requests?type=erasure', { key: admin });
    expect(erasures.body.items.every((r: { types: string[] }) => r.types.includes('erasure'))).toBe(true);
    expect((await h.request('GET', '/v1/requests?overdue=maybe', { key: admin })).status).toBe(400);
    clock.set('2025-03-05T10:00:00.000Z');
    const overdue = await h.request('GET', '/v1/requests?overdue=true', { key: admin });
    expect(overdue.body.items.length).toBeGreaterThan(0);
    const stats = await h.request('GET', '/v1/requests/stats', { key: admin });
    expect(stats.status).toBe(200);
    expect(stats.body.overdue).toBeGreaterThan(0);
    expect(stats.body.closed).toBeGreaterThan(0);
    expect(stats.body.medianDaysToClose).toBe(0);
    clock.set('2025-01-31T10:00:00.000Z');
  });

  it('check 37: the UK profile pauses the clock until identity, then restarts the month', async () => {
    const t = await h.newTenant('UK Org');
    await h.rt.services.tenants.updateSettings(t.tenant.id, { timezone: 'Europe/London', jurisdiction: 'uk' }, 'test');
    const r = await h.request('POST', '/v1/requests', {
      key: t.admin,
      body: { types: ['access'], identities: [{ type: 'email', value: email() }] },
    });
    expect(r.body.clockPausedAt).toBe('2025-01-31T10:00:00.000Z');
    clock.set('2025-02-20T12:00:00.000Z');
    const v = await h.request('POST', `/v1/requests/${r.body.id}/verify`, {
      key: t.admin,
      body: { method: 'knowledge_check' },
    });
    expect(v.status).toBe(200);
    expect(v.body.clockPausedAt).toBeNull();
    expect(v.body.dueAt).toBe('2025-03-20T23:59:59.999Z');
    clock.set('2025-01-31T10:00:00.000Z');
  });

  it('the timeline is append-only for the app role', async () => {
    const r = await create({ types: ['objection'] });
    await expect(
      h.rt.db.tenant(tenantId, (tx) => tx.update(requestEvents).set({ actor: 'someone else' })),
    ).rejects.toThrow();
    const d = await h.request('GET', `/v1/requests/${r.body.id}`, { key: admin });
    expect(d.body.timeline[0].actor).not.toBe('someone else');
  });
});
