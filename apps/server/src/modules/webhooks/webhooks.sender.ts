import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import type { WebhookAttempt } from '@lawful/contract';
import { Webhook } from 'standardwebhooks';
import { type guardedLookup, hostOf, isBlockedAddress } from './webhooks.url.ts';

export type SendResult = {
  durationMs: number;
  statusCode: number | null;
  outcome: WebhookAttempt['outcome'];
  errorClass: WebhookAttempt['errorClass'];
};

export type SendInput = {
  url: string;
  secret: string;
  /** The `webhook-id`: the same on every attempt and replay, so the receiver can dedupe. */
  messageId: string;
  body: string;
  at: Date;
};

/** Reads at most this much of a response before hanging up; the body is never kept. */
const DRAIN_LIMIT = 64 * 1024;

const classify = (e: NodeJS.ErrnoException): NonNullable<WebhookAttempt['errorClass']> => {
  const code = e.code ?? '';
  if (code === 'EBLOCKEDADDRESS') return 'blocked_address';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'ENODATA') return 'dns';
  if (['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE'].includes(code)) return 'connection';
  if (code.startsWith('ERR_TLS') || code.startsWith('CERT_') || /SSL|TLS|CERT/.test(code)) return 'tls';
  return 'network';
};

/** The three Standard Webhooks headers. The timestamp is the attempt's own, so replays pass freshness checks. */
export const signatureHeaders = (secret: string, messageId: string, at: Date, body: string) => ({
  'webhook-id': messageId,
  'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
  'webhook-signature': new Webhook(secret).sign(messageId, at, body),
});

/**
 * POSTs one signed delivery. Never follows redirects (a 3xx is a failure: following one could lead inside the
 * network), gives up after `timeoutMs` in total, connects only to addresses `lookup` allows.
 */
export const createSender =
  (deps: { timeoutMs: number; lookup: ReturnType<typeof guardedLookup>; allowHosts: readonly string[] }) =>
  (input: SendInput): Promise<SendResult> => {
    const started = performance.now();
    const done = (statusCode: number | null, errorClass: SendResult['errorClass']): SendResult => ({
      durationMs: Math.round(performance.now() - started),
      statusCode,
      outcome: errorClass === null ? 'success' : 'failure',
      errorClass,
    });
    const url = new URL(input.url);
    const host = hostOf(url);
    // Literal addresses skip DNS, so the connect-time lookup never sees them: check them here.
    if (isIP(host) && isBlockedAddress(host) && !deps.allowHosts.includes(host)) {
      return Promise.resolve(done(null, 'blocked_address'));
    }
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise<SendResult>((resolve) => {
      let settled = false;
      const finish = (r: SendResult) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(r);
      };
      const req = send(url, {
        method: 'POST',
        lookup: deps.lookup as never,
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Lawful-Webhooks/1',
          ...signatureHeaders(input.secret, input.messageId, input.at, input.body),
        },
      });
      const timer = setTimeout(() => {
        finish(done(null, 'timeout'));
        req.destroy();
      }, deps.timeoutMs);
      req.on('error', (e: NodeJS.ErrnoException) => finish(done(null, classify(e))));
      req.on('response', (res) => {
        const status = res.statusCode ?? 0;
        let read = 0;
        res.on('data', (chunk: Buffer) => {
          read += chunk.length;
          if (read > DRAIN_LIMIT) res.destroy();
        });
        const end = () =>
          finish(
            done(
              status,
              status >= 200 && status < 300 ? null : status >= 300 && status < 400 ? 'redirect' : 'http_status',
            ),
          );
        res.on('end', end);
        res.on('close', end);
        res.on('error', end);
      });
      req.end(input.body);
    });
  };
export type Sender = ReturnType<typeof createSender>;
