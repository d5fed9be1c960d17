import { buffer } from 'node:stream/consumers';
import type { TransferKey } from '@lawful/contract';
import { unzipSync } from 'fflate';
import type { Database, Queryable, Tx } from '../../db/client.ts';
import type { Clock } from '../../lib/clock.ts';
import { AppError } from '../../lib/errors.ts';
import type { Jobs } from '../../lib/jobs.ts';
import type { Logger } from '../../lib/logger.ts';
import type { AuditLog } from '../audit/audit.service.ts';
import { createMover, REQUEST_JOBS, type Sealing } from '../requests/requests.core.ts';
import type { RequestsRepo } from '../requests/requests.repo.ts';
import type { Vault } from '../vault/vault.service.ts';
import { DEFAULT_RETRY_DELAYS_SECONDS } from '../webhooks/webhooks.delivery.ts';
import { createSender, type Sender } from '../webhooks/webhooks.sender.ts';
import type { WebhooksService } from '../webhooks/webhooks.service.ts';
import { checkWebhookUrl, guardedLookup } from '../webhooks/webhooks.url.ts';
import type { ExportDelivery } from './datamap.exports.ts';

/** What a transfer job carries: ids and the attempt number this run records, never the destination. */
export type TransferJob = { tenantId: string; requestId: string; attempt: number };

/** The `webhook-id` of a request's transfer: the same on every attempt, so the receiver keeps one copy. */
export const transferMessageId = (requestId: string) => `transfer_${requestId}`;

/** A package's data.json is sent whole (the signature covers every byte); past this the transfer fails instead. */
const MAX_BODY_BYTES = 256 * 1024 * 1024;

/**
 * Direct transfer to another controller (Art. 20(2), check 44). When a portability request that names a destination
 * completes, `data.json` of its package — the `lawful-export/1` document, portable fields only, byte for byte what the
 * ZIP holds — is POSTed there with a Standard Webhooks signature (the webhooks' own sender and signer). The key is
 * derived per tenant and per receiving origin, so one receiver cannot forge transfers to another; staff hand it to
 * the receiver (`GET /v1/exports/transfer-key`).
 *
 * Every attempt is a pg-boss job, recorded on the request's timeline and in the audit log (outcome, status, error
 * class; never the URL). A run of a job whose attempt is already recorded does nothing, and the receiver sees one
 * `webhook-id` however often it is called. After the last retry the transfer is marked failed and staff are told
 * (`request.transfer_failed`); the request itself stays completed, with the person's own download link.
 */
export const createDataMapTransfer = (deps: {
  db: Database;
  requestsRepo: RequestsRepo;
  sealing: Sealing;
  exports: Pick<ExportDelivery, 'openForRequest'>;
  vault: Pick<Vault, 'tenantDerivedKey'>;
  audit: Pick<AuditLog, 'append'>;
  webhooks: Pick<WebhooksService, 'emit'>;
  jobs: Pick<Jobs, 'send'>;
  clock: Clock;
  logger: Logger;
  /** LAWFUL_ALLOW_INSECURE_WEBHOOKS: hosts exempt from https and the address rules, development only. */
  allowInsecureHosts: readonly string[];
  retryDelaysSeconds?: readonly number[];
  timeoutMs?: number;
  send?: Sender;
}) => {
  const { db, requestsRepo: repo, clock, jobs } = deps;
  const allowHosts = deps.allowInsecureHosts.map((h) => h.toLowerCase());
  const delays = deps.retryDelaysSeconds ?? DEFAULT_RETRY_DELAYS_SECONDS;
  const mover = createMover({ repo, audit: deps.audit, clock });
  const send =
    deps.send ?? createSender({ timeoutMs: deps.timeoutMs ?? 60_000, lookup: guardedLookup(allowHosts), allowHosts });

  const secretFor = async (q: Queryable, tenantId: string, origin: string) =>
    `whsec_${(await deps.vault.tenantDerivedKey(q, tenantId, `transfer-signing:${origin}`)).toString('base64')}`;

  /** The same rules as webhook URLs (https, public addresses after DNS); the message never echoes the URL. */
  const checkUrl = async (url: string) => {
    const problem = await checkWebhookUrl(url, allowHosts);
    if (problem) throw new AppError('VALIDATION_FAILED', `transfer.url ${problem.reason}`, { field: 'transfer.url' });
  };

  /** The verification secret a receiving origin gets from staff. Same origin, same secret, until the tenant key goes. */
  const key = (tenantId: string, origin: string): Promise<TransferKey> => {
    let o: string;
    try {
      o = new URL(origin).origin;
    } catch {
      throw new AppError('VALIDATION_FAILED', 'origin is not a URL', { field: 'origin' });
    }
    if (o === 'null') throw new AppError('VALIDATION_FAILED', 'origin must be http(s)', { field: 'origin' });
    return db.tenant(tenantId, async (tx) => ({
      origin: o,
      secret: await secretFor(tx, tenantId, o),
      scheme: 'standard-webhooks-v1' as const,
    }));
  };

  const attemptsOf = async (q: Queryable, tenantId: string, requestId: string) => {
    const events = await repo.events(q, tenantId, requestId);
    return {
      made: events.filter((e) => e.kind === 'transfer_attempt').length,
      settled: events.some((e) => e.kind === 'transfer_delivered' || e.kind === 'transfer_failed'),
    };
  };

  const fail = async (q: Tx, tenantId: string, requestId: string, attempts: number, reason: string) => {
    const r = (await repo.get(q, tenantId, requestId, { lock: true }))!;
    await mover.event(q, r, 'transfer_failed', 'lawful', { attempts, reason }, { attempts, reason });
    await deps.webhooks.emit(q, tenantId, {
      type: 'request.transfer_failed',
      data: { requestId, attempts, reason, at: clock.now().toISOString() },
    });
    deps.logger.warn({ tenantId, requestId, attempts, reason }, 'direct transfer failed for good; staff told');
  };

  /** One attempt. Reads the package and the sealed destination, sends outside any transaction, records under lock. */
  const deliver = async (job: TransferJob): Promise<void> => {
    const { tenantId, requestId, attempt } = job;
    const plan = await db.tenant(tenantId, async (tx) => {
      const r = await repo.get(tx, tenantId, requestId, { lock: true });
      if (!r) return null;
      const seen = await attemptsOf(tx, tenantId, requestId);
      if (seen.settled || seen.made !== attempt - 1) return null; // stale or repeated job
      const sealed = await deps.sealing.open(tx, r);
      // Erased meanwhile (key shredded) or never asked: nothing may be sent.
      if (!sealed?.transfer) {
        await fail(tx, tenantId, requestId, seen.made, 'destination_unavailable');
        return null;
      }
      const pkg = await deps.exports.openForRequest(tx, tenantId, requestId, 'portability');
      if (!pkg) {
        await fail(tx, tenantId, requestId, seen.made, 'no_ready_package');
        return null;
      }
      const url = sealed.transfer.url;
      return { url, pkg, secret: await secretFor(tx, tenantId, new URL(url).origin) };
    });
    if (!plan) return;
    const zip = await buffer(plan.pkg.body);
    const entry = unzipSync(new Uint8Array(zip.buffer, zip.byteOffset, zip.length), {
      filter: (f) => f.name === 'data.json',
    })['data.json'];
    const body = entry && entry.length <= MAX_BODY_BYTES ? Buffer.from(entry).toString('utf8') : null;
    const at = clock.now();
    const result = body
      ? await send({ url: plan.url, secret: plan.secret, messageId: transferMessageId(requestId), body, at })
      : null;

    await db.tenant(tenantId, async (tx) => {
      const r = await repo.get(tx, tenantId, requestId, { lock: true });
      const seen = await attemptsOf(tx, tenantId, requestId);
      if (!r || seen.settled || seen.made !== attempt - 1) return; // another run recorded this attempt first
      if (!result) return fail(tx, tenantId, requestId, seen.made, entry ? 'package_too_large' : 'no_data_json');
      const outcome = {
        attempt,
        exportId: plan.pkg.exportId,
        outcome: result.outcome,
        statusCode: result.statusCode,
        errorClass: result.errorClass,
        durationMs: result.durationMs,
      };
      await mover.event(tx, r, 'transfer_attempt', 'lawful', outcome, outcome);
      if (result.outcome === 'success') {
        await mover.event(
          tx,
          r,
          'transfer_delivered',
          'lawful',
          { attempts: attempt, bytes: body!.length },
          {
            attempts: attempt,
            bytes: body!.length,
          },
        );
        return;
      }
      const delay = delays[attempt - 1];
      if (delay === undefined) return fail(tx, tenantId, requestId, attempt, result.errorClass ?? 'failure');
      // pg-boss's own retries cover a crashed run; the schedule between attempts is ours, as for webhooks.
      const startAfter = new Date(clock.now().getTime() + delay * 1000);
      await jobs.send<TransferJob>(
        REQUEST_JOBS.transfer,
        { tenantId, requestId, attempt: attempt + 1 },
        { tx, startAfter },
      );
    });
  };

  return { checkUrl, key, deliver };
};
export type DataMapTransfer = ReturnType<typeof createDataMapTransfer>;
