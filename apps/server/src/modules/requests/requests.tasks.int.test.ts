import { randomUUID } from 'node:crypto';
import { compactVerify, createLocalJWKSet } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../../../test/harness.ts';
import type { OutboxMessage } from '../email/email.mailer.ts';
import { createMailer } from '../email/email.mailer.ts';
import { type Receiver, startReceiver } from '../webhooks/webhooks.test-receiver.ts';
import type { SystemTaskRunner } from './requests.core.ts';
import { createRequestsModule, type RequestsModule } from './requests.module.ts';
import type { TaskJob } from './requests.tasks.ts';

/**
 * Fan-out, crash-resume (check 66), recipients' callbacks (Art. 19, check 47) and the signed certificate.
 * The system runner is real: it writes to a table of its own, with the (request, system) pair unique, so doing a
 * system's work twice would show as a second row or a constraint error.
 */
describe('request tasks (checks 47, 66)', () => {
  let h: Harness;
  let admin: string;
  let tenantId: string;
  let m: RequestsModule;
  let receiver: Receiver;
  const sent: OutboxMessage[] = [];
  let crashOn: string | null = null;

  const runner: SystemTaskRunner = {
    systemsFor: async () => [
      { id: 'sys_crm', name: 'CRM' },
      { id: 'sys_shop', name: 'Shop' },
      { id: 'sys_mail', name: 'Mailing list' },
    ],
    run: async (_tenantId, request, systemId) => {
      if (crashOn === systemId) {
        crashOn = null;
        throw new Error('worker killed mid-run');
      }
      await h.rt.db.raw.query('insert into test_system_work (request_id, system_id) values ($1, $2)', [
        request.id,
        systemId,
      ]);
      return { status: 'done', recordsAffected: 1 };
    },
  };

  beforeAll(async () => {
    h = await createHarness({ env: { LAWFUL_ALLOW_INSECURE_WEBHOOKS: '127.0.0.1' } });
    const t = await h.newTenant('Tasks Org');
    admin = t.admin;
    tenantId = t.tenant.id;
    await h.rt.db.raw.query(
      'create table test_system_work (request_id text not null, system_id text not null, primary key (request_id, system_id))',
    );
    receiver = await startReceiver();
    const base = h.rt.services.requestsModule.deps;
    m = createRequestsModule({
      ...base,
      runner,
      mailer: createMailer({ from: 'p@acme.test', outbox: { put: async (x) => void sent.push(x) } }),
    });
  });
  afterAll(async () => {
    await receiver.close();
    await h.close();
  });

  const start = async (types: string[]) => {
    const { request } = await m.requests.create(
      tenantId,
      {
        types: types as never,
        identities: [{ type: 'email', value: `${randomUUID()}@example.com` }],
        channel: 'api',
        identityVerified: true,
        locale: 'en',
      },
      'test',
    );
    return request.id;
  };
  const taskJobs = async (requestId: string): Promise<TaskJob[]> =>
    (await m.requests.get(tenantId, requestId)).tasks
      .filter((t) => t.kind === 'system')
      .map((t) => ({ tenantId, requestId, taskId: t.id }));
  const work = async (requestId: string) =>
    (
      await h.rt.db.raw.query<{ system_id: string }>('select system_id from test_system_work where request_id = $1', [
        requestId,
      ])
    ).rows
      .map((r) => r.system_id)
      .sort();

  it('check 66: a worker killed after the first system resumes and finishes, doing nothing twice', async () => {
    const id = await start(['objection']);
    await m.tasks.fanout({ tenantId, requestId: id });
    await m.tasks.fanout({ tenantId, requestId: id }); // a re-delivered fan-out job adds nothing
    const jobs = await taskJobs(id);
    expect(jobs).toHaveLength(3);
    await m.tasks.runTask(jobs[0]!);
    crashOn = 'sys_shop';
    await expect(m.tasks.runTask(jobs[1]!)).rejects.toThrow('worker killed');
    expect((await m.requests.get(tenantId, id)).state).toBe('in_progress');
    // Restart: pg-boss hands every unfinished job out again, and the finished one may come back too.
    for (const j of [...jobs, jobs[0]!]) await m.tasks.runTask(j);
    expect(await work(id)).toEqual(['sys_crm', 'sys_mail', 'sys_shop']);
    const r = await m.requests.get(tenantId, id);
    expect(r.state).toBe('completed');
    expect(r.tasks.map((t) => t.state)).toEqual(['done', 'done', 'done']);
    expect(r.tasks.find((t) => t.targetId === 'sys_shop')?.attempts).toBe(2);
    expect(r.timeline.filter((e) => e.toState === 'completed')).toHaveLength(1);
  });

  // Before the next test starts real workers: from then on they would run these tasks too, beside the manual runs.
  it('the certificate is an EdDSA JWS over what was done where, verifiable with the tenant JWKS', async () => {
    const id = await start(['restriction']);
    await m.tasks.fanout({ tenantId, requestId: id });
    for (const j of await taskJobs(id)) await m.tasks.runTask(j);
    const res = await h.request('GET', `/v1/requests/${id}/certificate`, { key: admin });
    expect(res.status).toBe(200);
    const jwks = await h.request('GET', `/.well-known/lawful/${tenantId}/jwks.json`);
    const { payload } = await compactVerify(res.body.certificate, createLocalJWKSet(jwks.body));
    const record = JSON.parse(new TextDecoder().decode(payload));
    expect(record.requestId).toBe(id);
    expect(record.tasks.map((t: { targetId: string }) => t.targetId).sort()).toEqual([
      'sys_crm',
      'sys_mail',
      'sys_shop',
    ]);
    const open = await start(['objection']);
    expect((await h.request('GET', `/v1/requests/${open}/certificate`, { key: admin })).status).toBe(404);
  });

  it('the same flow through real pg-boss workers completes and sends one completion e-mail', async () => {
    await h.rt.jobs.work('request.fanout', m.tasks.fanout as never);
    await h.rt.jobs.work('request.task', m.tasks.runTask as never);
    await h.rt.jobs.work('request.notify', m.notifier.handle as never);
    const id = await start(['objection']);
    for (let i = 0; i < 100 && (await m.requests.get(tenantId, id)).state !== 'completed'; i++) {
      await new Promise((r) => setTimeout(r, 200));
    }
    expect((await m.requests.get(tenantId, id)).state).toBe('completed');
    const mailsOf = () => sent.filter((s) => s.headers?.['X-Lawful-Request'] === id);
    for (let i = 0; i < 50 && mailsOf().length < 2; i++) {
      await new Promise((r) => setTimeout(r, 200));
    }
    await new Promise((r) => setTimeout(r, 1500)); // longer than a worker poll: a duplicate would have arrived
    expect(mailsOf().length).toBe(2); // received + completion, once each
    expect(await work(id)).toHaveLength(3);
  });

  it('check 47: each recipient gets a signed request.task with its own token; its callback settles the task', async () => {
    const hook = await h.rt.services.webhooks.create(
      tenantId,
      {
        url: receiver.url('/recipient'),
        description: 'Newsletter provider',
        eventTypes: ['request.task'],
        enabled: true,
      },
      'test',
    );
    await h.rt.jobs.work('webhook.deliver', h.rt.services.webhooks.deliver as never);
    const id = await start(['erasure']);
    await h.request('POST', `/v1/requests/${id}/approve`, { key: admin, body: {} });
    for (let i = 0; i < 100 && receiver.at('/recipient').length === 0; i++)
      await new Promise((r) => setTimeout(r, 200));
    const [delivery] = receiver.at('/recipient');
    expect(delivery?.headers['webhook-signature']).toBeDefined();
    const data = JSON.parse(delivery!.body).data;
    expect(data.requestId).toBe(id);
    const path = new URL(data.callbackUrl).pathname;
    // Wrong token, another tenant's API key, then the real token.
    expect(
      (
        await h.request('POST', path, {
          headers: { authorization: `Bearer ${data.callbackToken.slice(0, -2)}xx` },
          body: { outcome: 'done' },
        })
      ).status,
    ).toBe(401);
    const other = await h.newTenant('Other');
    expect((await h.request('POST', path, { key: other.admin, body: { outcome: 'done' } })).status).toBe(404);
    const ok = await h.request('POST', path, {
      headers: { authorization: `Bearer ${data.callbackToken}` },
      body: { outcome: 'done' },
    });
    expect(ok.status).toBe(200);
    expect(ok.body.state).toBe('done');
    const again = await h.request('POST', path, {
      headers: { authorization: `Bearer ${data.callbackToken}` },
      body: { outcome: 'done' },
    });
    expect(again.status).toBe(200);
    await h.rt.services.webhooks.remove(tenantId, hook.id, 'test');
  });
});
