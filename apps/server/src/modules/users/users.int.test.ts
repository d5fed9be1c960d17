import type { UserRole } from '@lawful/contract';
import { Secret, TOTP } from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../../../test/harness.ts';
import { fixedClock } from '../../lib/clock.ts';

const PASSWORD = 'correct horse battery staple';
const clock = fixedClock('2026-11-29T10:00:00.000Z');
let ipSeq = 0;
/** Each sign-in from its own address, so the per-address limit is tested only where meant. */
const nextIp = () => `10.0.${Math.floor(++ipSeq / 250)}.${ipSeq % 250}`;

describe('console users and sessions (checks 56, 62, 64)', () => {
  let h: Harness;
  let tenantId: string;
  let slug: string;
  let admin: string;

  const signIn = async (body: Record<string, unknown>, ip = nextIp()) => {
    const res = await h.app.request(
      '/v1/session',
      { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) },
      { incoming: { socket: { remoteAddress: ip } } },
    );
    const json = (await res.json()) as Record<string, unknown> & { csrfToken?: string; error?: { code: string } };
    const cookie = res.headers.get('set-cookie') ?? '';
    return { res, json, cookie, jar: cookie.split(';')[0] ?? '' };
  };
  const newUser = async (role: UserRole, extra: { totp?: boolean } = {}) => {
    const email = `User.${++ipSeq}@Example.org`;
    const u = await h.rt.services.users.create(
      tenantId,
      { email, password: PASSWORD, role, totp: false, ...extra },
      'test',
    );
    return { ...u, address: email };
  };
  const auditOf = async (action: string) =>
    (await h.request('GET', `/v1/audit?action=${action}`, { key: admin })).body.items as {
      actor: string;
      target: string | null;
      details: Record<string, unknown>;
    }[];

  beforeAll(async () => {
    h = await createHarness({ clock });
    const t = await h.newTenant('Console Org');
    tenantId = t.tenant.id;
    slug = t.tenant.slug;
    admin = t.admin;
  });
  afterAll(() => h.close());

  it('check 64: signing in sets a __Host- HttpOnly Secure SameSite=Strict cookie on path /', async () => {
    const u = await newUser('admin');
    const r = await signIn({ tenant: slug, email: u.address.toUpperCase(), password: PASSWORD });
    expect(r.res.status).toBe(201);
    expect(r.cookie).toMatch(/^__Host-lawful_session=[A-Za-z0-9_-]{43};/);
    expect(r.cookie).toContain('HttpOnly');
    expect(r.cookie).toContain('Secure');
    expect(r.cookie).toContain('SameSite=Strict');
    expect(r.cookie).toContain('Path=/');
    expect(r.cookie).not.toContain('Domain');
    expect(r.res.headers.get('cache-control')).toBe('no-store');
    expect(r.json).toMatchObject({ user: { id: u.id, role: 'admin', email: 'u•••@example.org' }, tenant: { slug } });
    const me = await h.request('GET', '/v1/session', { headers: { cookie: r.jar } });
    expect(me.status).toBe(200);
    expect(me.body.csrfToken).toBe(r.json.csrfToken);
  });

  it('stores the address sealed with a blind index, and the password as argon2id', async () => {
    const u = await newUser('agent');
    const row = (
      await h.rt.db.raw.query<{ email_sealed: Buffer | Uint8Array; email_index: string; password_hash: string }>(
        'select email_sealed, email_index, password_hash from users where id = $1',
        [u.id],
      )
    ).rows[0]!;
    expect(Buffer.from(row.email_sealed).toString('latin1')).not.toContain('example.org');
    expect(row.email_index).not.toContain('example');
    expect(row.password_hash).toMatch(/^\$argon2id\$/);
    expect(row.password_hash).not.toContain(PASSWORD);
  });

  it('check 56: a session gives its role’s rights and no more, on the existing guarded routes', async () => {
    const ro = await newUser('read_only');
    const s = await signIn({ tenant: slug, email: ro.address, password: PASSWORD });
    expect((await h.request('GET', '/v1/purposes', { headers: { cookie: s.jar } })).status).toBe(200);
    const keys = await h.request('GET', '/v1/keys', { headers: { cookie: s.jar } });
    expect(keys.status).toBe(403);
    expect(keys.body.error.code).toBe('FORBIDDEN');
  });

  it('CSRF: a cookie-authenticated write needs the x-csrf-token header; the actor is the user id', async () => {
    const u = await newUser('admin');
    const s = await signIn({ tenant: slug, email: u.address, password: PASSWORD });
    const body = { name: 'made in the console', role: 'read_only' };
    const none = await h.request('POST', '/v1/keys', { headers: { cookie: s.jar }, body });
    expect(none.status).toBe(403);
    expect(none.body.error.field).toBe('x-csrf-token');
    const wrong = await h.request('POST', '/v1/keys', {
      headers: { cookie: s.jar, 'x-csrf-token': `${s.json.csrfToken}x` },
      body,
    });
    expect(wrong.status).toBe(403);
    const ok = await h.request('POST', '/v1/keys', {
      headers: { cookie: s.jar, 'x-csrf-token': s.json.csrfToken! },
      body,
    });
    expect(ok.status).toBe(201);
    const created = (await auditOf('key.create')).find((e) => e.target === ok.body.id);
    expect(created?.actor).toBe(u.id);
    // A bearer key still works alongside (no CSRF for keys: browsers do not attach them by themselves).
    expect((await h.request('GET', '/v1/keys', { key: admin })).status).toBe(200);
  });

  it('check 62: sign-ins and failed sign-ins are audited with ids and reasons, never the address', async () => {
    const u = await newUser('agent');
    expect((await signIn({ tenant: slug, email: u.address, password: 'wrong password!' })).res.status).toBe(401);
    const unknown = await signIn({ tenant: slug, email: 'nobody@example.org', password: PASSWORD });
    expect(unknown.res.status).toBe(401);
    expect(unknown.json.error).toMatchObject({
      code: 'UNAUTHENTICATED',
      message: 'the organisation, address or password is wrong',
    });
    const ok = await signIn({ tenant: slug, email: u.address, password: PASSWORD });
    expect(ok.res.status).toBe(201);
    const failed = await auditOf('session.sign_in_failed');
    expect(failed.find((e) => e.target === u.id)).toMatchObject({
      actor: 'anonymous',
      details: { reason: 'bad_password' },
    });
    expect(failed.find((e) => e.details.reason === 'unknown_user')).toMatchObject({ actor: 'anonymous', target: null });
    expect((await auditOf('session.sign_in')).find((e) => e.actor === u.id)).toBeDefined();
    const all = JSON.stringify((await h.request('GET', '/v1/audit?limit=500', { key: admin })).body);
    expect(all).not.toMatch(/example\.org|nobody|wrong password|10\.0\./i);
    expect(h.logs.join('')).not.toMatch(/example\.org|correct horse/i);
  });

  it('locks an account after 5 failures for 15 minutes, even for the right password', async () => {
    const u = await newUser('agent');
    for (let i = 0; i < 5; i++) {
      expect((await signIn({ tenant: slug, email: u.address, password: `guess number ${i}` })).res.status).toBe(401);
    }
    const locked = await signIn({ tenant: slug, email: u.address, password: PASSWORD });
    expect(locked.res.status).toBe(429);
    expect(Number(locked.res.headers.get('retry-after'))).toBe(900);
    expect((await auditOf('user.locked')).find((e) => e.target === u.id)).toBeDefined();
    clock.advance(15 * 60_000 + 1000);
    expect((await signIn({ tenant: slug, email: u.address, password: PASSWORD })).res.status).toBe(201);
  });

  it('check 58: an address without an account locks exactly like an account, so a lock-out tells nobody which exists', async () => {
    const u = await newUser('agent');
    const run = async (email: string, ip: string, password: (i: number) => string, n: number) => {
      const out: { status: number; retry: string | null; body: unknown }[] = [];
      for (let i = 0; i < n; i++) {
        const r = await signIn({ tenant: slug, email, password: password(i) }, ip);
        out.push({
          status: r.res.status,
          retry: r.res.headers.get('retry-after'),
          body: (r.json.error as { message?: string } | undefined)?.message,
        });
      }
      return out;
    };
    const guess = (i: number) => `guess number ${i}`;
    const real = await run(u.address, '192.0.2.21', guess, 6);
    const ghost = await run('no-such-person@example.org', '192.0.2.22', guess, 6);
    expect(real.map((x) => x.status)).toEqual([401, 401, 401, 401, 401, 429]);
    expect(ghost).toEqual(real);
    // When the lock has run out, both start counting again from zero.
    clock.advance(15 * 60_000 + 1000);
    const realAgain = await run(u.address, '192.0.2.23', guess, 6);
    const ghostAgain = await run('no-such-person@example.org', '192.0.2.24', guess, 6);
    expect(realAgain.map((x) => x.status)).toEqual([401, 401, 401, 401, 401, 429]);
    expect(ghostAgain).toEqual(realAgain);
    const stored = await h.rt.db.raw.query<{ t: string }>('select row_to_json(f)::text as t from sign_in_failures f');
    expect(stored.rows.map((r) => r.t).join('')).not.toContain('example.org');
  });

  it('a console session reaches identifiers only through the reasoned find and reveal, not the plain reads', async () => {
    const u = await newUser('admin');
    const s = await signIn({ tenant: slug, email: u.address, password: PASSWORD });
    const person = await h.rt.services.subjects.create(
      tenantId,
      [{ kind: 'email', value: 'seen@example.net' }],
      'test',
    );
    const plain = await h.request('GET', `/v1/subjects/${person.subject.id}`, { headers: { cookie: s.jar } });
    expect(plain.status).toBe(403);
    expect(plain.text).not.toContain('seen@example.net');
    const lookup = await h.request('POST', '/v1/subjects:lookup', {
      headers: { cookie: s.jar, 'x-csrf-token': s.json.csrfToken! },
      body: { identity: { kind: 'email', value: 'seen@example.net' } },
    });
    expect(lookup.status).toBe(403);
    // An integration's key still reads them (audited), as before.
    expect((await h.request('GET', `/v1/subjects/${person.subject.id}`, { key: admin })).status).toBe(200);
    const reveal = await h.request('POST', `/v1/subjects/${person.subject.id}/reveal`, {
      headers: { cookie: s.jar, 'x-csrf-token': s.json.csrfToken! },
      body: { reason: 'the person asked us by phone to confirm their address' },
    });
    expect(reveal.status, reveal.text).toBe(200);
    expect(reveal.text).toContain('seen@example.net');
  });

  it('limits sign-in attempts per address to 10 a minute', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) {
      statuses.push(
        (await signIn({ tenant: slug, email: `x${i}@example.org`, password: 'nope nope' }, '192.0.2.7')).res.status,
      );
    }
    expect(statuses.slice(0, 10).every((s) => s === 401)).toBe(true);
    expect(statuses[10]).toBe(429);
  });

  it('TOTP: asks for the code, accepts it once, refuses a replay', async () => {
    const u = await newUser('privacy_officer', { totp: true });
    expect(u.totpUri).toMatch(/^otpauth:\/\/totp\/Lawful:/);
    expect(u.totpUri).not.toContain('example.org');
    const totp = new TOTP({ secret: Secret.fromBase32(new URL(u.totpUri!).searchParams.get('secret')!) });
    const missing = await signIn({ tenant: slug, email: u.address, password: PASSWORD });
    expect(missing.res.status).toBe(401);
    expect((missing.json.error as { field?: string }).field).toBe('totp');
    const code = totp.generate({ timestamp: clock.now().getTime() });
    expect((await signIn({ tenant: slug, email: u.address, password: PASSWORD, totp: code })).res.status).toBe(201);
    const replay = await signIn({ tenant: slug, email: u.address, password: PASSWORD, totp: code });
    expect(replay.res.status).toBe(401);
    expect(
      (await auditOf('session.sign_in_failed')).find((e) => e.target === u.id && e.details.reason === 'bad_totp'),
    ).toBeDefined();
  });

  it('sign-out, idle timeout, absolute expiry and disabling each end a session', async () => {
    const u = await newUser('agent');
    const a = await signIn({ tenant: slug, email: u.address, password: PASSWORD });
    const noCsrf = await h.request('DELETE', '/v1/session', { headers: { cookie: a.jar } });
    expect(noCsrf.status).toBe(403);
    const out = await h.request('DELETE', '/v1/session', {
      headers: { cookie: a.jar, 'x-csrf-token': a.json.csrfToken! },
    });
    expect(out.status).toBe(204);
    expect(out.headers.get('set-cookie')).toMatch(/__Host-lawful_session=;.*Max-Age=0/);
    expect((await h.request('GET', '/v1/purposes', { headers: { cookie: a.jar } })).status).toBe(401);
    // Signing out of a session that has already ended just clears the cookie.
    expect((await h.request('DELETE', '/v1/session', { headers: { cookie: a.jar } })).status).toBe(204);
    expect((await auditOf('session.sign_out')).filter((e) => e.actor === u.id)).toHaveLength(1);

    const b = await signIn({ tenant: slug, email: u.address, password: PASSWORD });
    clock.advance(121 * 60_000);
    expect((await h.request('GET', '/v1/session', { headers: { cookie: b.jar } })).status).toBe(401);

    const c = await signIn({ tenant: slug, email: u.address, password: PASSWORD });
    for (let i = 0; i < 7; i++) {
      clock.advance(100 * 60_000);
      expect((await h.request('GET', '/v1/purposes', { headers: { cookie: c.jar } })).status).toBe(200);
    }
    clock.advance(100 * 60_000); // 800 min after sign-in: past the 12 h limit though never idle
    expect((await h.request('GET', '/v1/purposes', { headers: { cookie: c.jar } })).status).toBe(401);

    const d = await signIn({ tenant: slug, email: u.address, password: PASSWORD });
    const dis = await h.request('DELETE', `/v1/users/${u.id}`, { key: admin });
    expect(dis.status).toBe(200);
    expect(dis.body.disabledAt).not.toBeNull();
    expect((await h.request('GET', '/v1/purposes', { headers: { cookie: d.jar } })).status).toBe(401);
    expect((await signIn({ tenant: slug, email: u.address, password: PASSWORD })).res.status).toBe(401);
  });

  it('admins create and list users over the API; bad input names the field and writes nothing', async () => {
    const before = (await h.request('GET', '/v1/users', { key: admin })).body.items.length;
    const short = await h.request('POST', '/v1/users', {
      key: admin,
      body: { email: 'a@example.org', password: 'short', role: 'agent' },
    });
    expect(short.status).toBe(400);
    expect(short.body.error.field).toBe('password');
    const publishable = await h.request('POST', '/v1/users', {
      key: admin,
      body: { email: 'a@example.org', password: PASSWORD, role: 'publishable' },
    });
    expect(publishable.body.error.field).toBe('role');
    const extra = await h.request('POST', '/v1/users', {
      key: admin,
      body: { email: 'a@example.org', password: PASSWORD, role: 'agent', tenantId: 'tnt_x' },
    });
    expect(extra.status).toBe(400);
    const ok = await h.request('POST', '/v1/users', {
      key: admin,
      body: { email: 'Dana@Example.org', password: PASSWORD, role: 'agent' },
    });
    expect(ok.status).toBe(201);
    expect(ok.body).toMatchObject({ email: 'd•••@example.org', role: 'agent', totp: false, totpUri: null });
    const dup = await h.request('POST', '/v1/users', {
      key: admin,
      body: { email: 'dana@example.org', password: PASSWORD, role: 'agent' },
    });
    expect(dup.status).toBe(409);
    const list = (await h.request('GET', '/v1/users', { key: admin })).body.items;
    expect(list.length).toBe(before + 1);
    expect(JSON.stringify(list)).not.toContain('dana@');
    const count = await h.rt.db.raw.query<{ n: number }>('select count(*)::int as n from users');
    expect(count.rows[0]).toEqual({ n: before + 1 });
  });
});
