import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import type { RequestIdentity, RequestState, RequestType } from '@lawful/contract';
import type { Database, Tx } from '../../db/client.ts';
import type { Clock } from '../../lib/clock.ts';
import { AppError, notFound } from '../../lib/errors.ts';
import type { Jobs } from '../../lib/jobs.ts';
import type { Logger } from '../../lib/logger.ts';
import { REQUEST_JOBS } from '../requests/requests.core.ts';
import type { RequestsRepo } from '../requests/requests.repo.ts';
import type { RequestsService } from '../requests/requests.service.ts';
import type { Vault } from '../vault/vault.service.ts';
import { pinnedLookup, validateCallbackUrl } from './opendsr.callback-url.ts';
import {
  generateDevCertificate,
  loadSigningMaterial,
  type OpenDsrHeaderVersion,
  type SigningMaterial,
  signatureHeaders,
  signBody,
} from './opendsr.crypto.ts';

export const API_VERSION = '2.0';
export type OpenDsrStatus = 'pending' | 'in_progress' | 'completed' | 'cancelled';

/** Lawful's states as the four OpenDSR statuses. */
export const statusOf = (s: RequestState): OpenDsrStatus =>
  s === 'in_progress'
    ? 'in_progress'
    : s === 'completed' || s === 'partially_completed'
      ? 'completed'
      : s === 'rejected' || s === 'cancelled'
        ? 'cancelled'
        : 'pending';

export type OpenDsrSubmission = {
  regulation: 'gdpr' | 'ccpa';
  subject_request_id: string;
  subject_request_type: 'access' | 'portability' | 'erasure';
  submitted_time: string;
  subject_identities: {
    identity_type: string;
    identity_value: string;
    identity_format: 'raw' | 'sha1' | 'md5' | 'sha256';
  }[];
  status_callback_urls: string[];
  extensions?: Record<string, unknown>;
};

export type CallbackJob = { tenantId: string; requestId: string; url: number; status: OpenDsrStatus };

/**
 * The signing key and certificate: from the configured PEM files, else a self-signed pair generated once into the
 * data folder (development only; partners refuse self-signed certificates, spec § 4.1).
 */
export const loadOpenDsrSigning = (opts: {
  keyFile: string | undefined;
  certFile: string | undefined;
  dataDir: string;
  domain: string;
  clock: Clock;
  logger: Logger;
}): SigningMaterial => {
  if (opts.keyFile && opts.certFile) {
    return loadSigningMaterial({
      privateKeyPem: readFileSync(opts.keyFile, 'utf8'),
      certificatePem: readFileSync(opts.certFile, 'utf8'),
    });
  }
  const keyPath = join(opts.dataDir, 'opendsr-key.pem');
  const certPath = join(opts.dataDir, 'opendsr-cert.pem');
  if (!existsSync(keyPath) || !existsSync(certPath)) {
    const pair = generateDevCertificate({ commonName: opts.domain, now: opts.clock.now() });
    writeFileSync(keyPath, pair.privateKeyPem, { mode: 0o600 });
    writeFileSync(certPath, pair.certificatePem, { mode: 0o600 });
    opts.logger.warn(
      `generated a self-signed OpenDSR key and certificate in the data folder ${opts.dataDir}; set LAWFUL_OPENDSR_KEY_FILE and LAWFUL_OPENDSR_CERT_FILE in production`,
    );
  }
  return loadSigningMaterial({
    privateKeyPem: readFileSync(keyPath, 'utf8'),
    certificatePem: readFileSync(certPath, 'utf8'),
  });
};

const identityOf = (i: OpenDsrSubmission['subject_identities'][number]): RequestIdentity => {
  if (i.identity_format === 'raw' && i.identity_type === 'email') return { type: 'email', value: i.identity_value };
  if (i.identity_format === 'raw' && i.identity_type === 'phone_number')
    return { type: 'phone', value: i.identity_value };
  if (i.identity_format === 'raw' && i.identity_type === 'controller_customer_id')
    return { type: 'customer_id', value: i.identity_value };
  if (
    i.identity_format === 'raw' &&
    (i.identity_type === 'ios_advertising_id' || i.identity_type === 'android_advertising_id')
  )
    return { type: 'device_id', value: i.identity_value };
  // Hashed identities cannot be blind-indexed: kept for the systems that store the same hash.
  return { type: 'other', value: `${i.identity_type}:${i.identity_format}:${i.identity_value}`.slice(0, 320) };
};

/** OpenDSR 2.0 processor side: intake, status, cancellation, and signed status callbacks retried through pg-boss. */
export const createOpenDsrService = (deps: {
  db: Database;
  repo: RequestsRepo;
  requests: Pick<RequestsService, 'create' | 'cancel'>;
  vault: Pick<Vault, 'sealForTenant' | 'openForTenant'>;
  jobs: Pick<Jobs, 'send'>;
  clock: Clock;
  signing: () => SigningMaterial;
  domain: string;
  allowLoopbackCallbacks: boolean;
  timeoutMs?: number;
}) => {
  const { db, repo, clock } = deps;
  const urlOpts = { dangerouslyAllowHttpLoopbackForDev: deps.allowLoopbackCallbacks };

  /** Serialise once, sign those bytes, send those bytes. */
  const signed = (body: object, versions: readonly OpenDsrHeaderVersion[] = ['v2', 'v1']) => {
    const text = JSON.stringify(body);
    return { text, headers: signatureHeaders(text, deps.signing(), deps.domain, versions) };
  };

  const submit = async (tenantId: string, s: OpenDsrSubmission, actor: string) => {
    for (const u of s.status_callback_urls) await validateCallbackUrl(u, urlOpts);
    const received = clock.now();
    const encoded = Buffer.from(JSON.stringify(s)).toString('base64');
    const types: RequestType[] = [s.subject_request_type];
    const existing = await db.tenant(tenantId, (tx) => repo.openDsr(tx, tenantId, s.subject_request_id));
    if (existing)
      throw new AppError('CONFLICT', 'this subject_request_id was already submitted', { field: 'subject_request_id' });
    const { request } = await deps.requests.create(
      tenantId,
      {
        types,
        identities: s.subject_identities.map(identityOf),
        channel: 'opendsr',
        // The controller calling with its API key answers for the subject's identity.
        identityVerified: true,
        locale: 'en',
      },
      actor,
    );
    await db.tenant(tenantId, async (tx) => {
      const row = await repo.insertOpenDsr(tx, {
        tenantId,
        subjectRequestId: s.subject_request_id,
        requestId: request.id,
        regulation: s.regulation,
        subjectRequestType: s.subject_request_type,
        submittedTime: new Date(s.submitted_time),
        receivedTime: received,
        encodedRequest: encoded,
        callbackUrlsSealed: await deps.vault.sealForTenant(
          tx,
          tenantId,
          `opendsr:${s.subject_request_id}`,
          JSON.stringify(s.status_callback_urls),
        ),
        lastStatus: statusOf(request.state),
      });
      if (!row)
        throw new AppError('CONFLICT', 'this subject_request_id was already submitted', {
          field: 'subject_request_id',
        });
      if (statusOf(request.state) !== 'pending') await enqueueCallbacks(tx, tenantId, request.id);
    });
    return {
      controller_id: tenantId,
      expected_completion_time: request.dueAt,
      received_time: received.toISOString(),
      encoded_request: encoded,
      subject_request_id: s.subject_request_id,
      processor_signature: signBody(encoded, deps.signing().privateKey),
    };
  };

  const status = (tenantId: string, subjectRequestId: string) =>
    db.tenant(tenantId, async (tx) => {
      const o = await repo.openDsr(tx, tenantId, subjectRequestId);
      if (!o) throw notFound('request');
      const r = (await repo.get(tx, tenantId, o.requestId))!;
      const tasks = await repo.tasks(tx, tenantId, r.id);
      return {
        controller_id: tenantId,
        expected_completion_time: r.dueAt.toISOString(),
        subject_request_id: subjectRequestId,
        request_status: statusOf(r.state),
        api_version: API_VERSION,
        results_count: tasks.filter((t) => t.state === 'done').length,
        ...(r.certificate ? { results_url: `/v1/requests/${r.id}/certificate` } : {}),
      };
    });

  /** Cancellation is allowed only while the request is pending (nothing done yet). */
  const cancel = async (tenantId: string, subjectRequestId: string, actor: string) => {
    const current = await status(tenantId, subjectRequestId);
    if (current.request_status !== 'pending')
      throw new AppError('INVALID_TRANSITION', `a request that is ${current.request_status} cannot be cancelled`);
    const o = (await db.tenant(tenantId, (tx) => repo.openDsr(tx, tenantId, subjectRequestId)))!;
    await deps.requests.cancel(tenantId, o.requestId, { reason: 'cancelled by the controller over OpenDSR' }, actor);
    return {
      controller_id: tenantId,
      subject_request_id: subjectRequestId,
      received_time: clock.now().toISOString(),
      api_version: API_VERSION,
    };
  };

  /** One job per callback URL, so a failing receiver's retries do not repeat the others. */
  const enqueueCallbacks = async (tx: Tx, tenantId: string, requestId: string) => {
    const o = await repo.openDsrByRequest(tx, tenantId, requestId);
    const r = await repo.get(tx, tenantId, requestId);
    if (!o || !r) return;
    const st = statusOf(r.state);
    const urls = JSON.parse(
      await deps.vault.openForTenant(tx, tenantId, `opendsr:${o.subjectRequestId}`, o.callbackUrlsSealed),
    ) as string[];
    await repo.updateOpenDsr(tx, tenantId, o.subjectRequestId, st);
    for (const [i] of urls.entries())
      await deps.jobs.send<CallbackJob>(
        REQUEST_JOBS.opendsrCallback,
        { tenantId, requestId, url: i, status: st },
        { tx },
      );
  };

  const post = (
    url: URL,
    addresses: Parameters<typeof pinnedLookup>[0],
    body: string,
    headers: Record<string, string>,
  ) =>
    new Promise<number>((resolve, reject) => {
      const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
      const req = send(
        url,
        {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'content-length': String(Buffer.byteLength(body)),
            ...headers,
          },
          lookup: pinnedLookup(addresses) as never,
          timeout: deps.timeoutMs ?? 10_000,
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        },
      );
      req.on('timeout', () => req.destroy(new Error('callback timed out')));
      req.on('error', reject);
      req.end(body);
    });

  /** Sends one status callback; throws on failure so pg-boss retries with backoff. Re-validates the URL every time. */
  const deliver = async (job: CallbackJob | { tenantId: string; requestId: string }): Promise<void> => {
    if (!('url' in job)) {
      // Enqueued by the request engine on completion: expand into one job per URL.
      await db.tenant(job.tenantId, (tx) => enqueueCallbacks(tx, job.tenantId, job.requestId));
      return;
    }
    const plan = await db.tenant(job.tenantId, async (tx) => {
      const o = await repo.openDsrByRequest(tx, job.tenantId, job.requestId);
      const r = await repo.get(tx, job.tenantId, job.requestId);
      if (!o || !r) return null;
      const urls = JSON.parse(
        await deps.vault.openForTenant(tx, job.tenantId, `opendsr:${o.subjectRequestId}`, o.callbackUrlsSealed),
      ) as string[];
      return { o, r, url: urls[job.url] };
    });
    if (!plan?.url) return;
    const { url, addresses } = await validateCallbackUrl(plan.url, urlOpts);
    const body = {
      controller_id: job.tenantId,
      expected_completion_time: plan.r.dueAt.toISOString(),
      status_callback_url: plan.url,
      subject_request_id: plan.o.subjectRequestId,
      request_status: job.status,
      api_version: API_VERSION,
    };
    const { text, headers } = signed(body);
    const code = await post(url, addresses, text, headers);
    if (code < 200 || code >= 300) throw new Error(`status callback answered ${code}`);
  };

  return { submit, status, cancel, deliver, signed, enqueueCallbacks };
};
export type OpenDsrService = ReturnType<typeof createOpenDsrService>;
