import type { MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import type { Redis } from 'ioredis';
import { type RateLimiterAbstract, RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { AppError } from '../lib/errors.ts';
import { newId } from '../lib/ids.ts';
import type { Logger } from '../lib/logger.ts';
import type { KeysService } from '../modules/keys/keys.service.ts';
import { CSRF_HEADER, SESSION_COOKIE } from '../modules/users/users.cookie.ts';
import type { UsersService } from '../modules/users/users.service.ts';
import type { AppEnv } from './context.ts';

export const requestId = (): MiddlewareHandler<AppEnv> => async (c, next) => {
  const id = newId('http');
  c.set('requestId', id);
  c.header('X-Request-Id', id);
  await next();
};

/** One line per request: the route pattern (never the URL, which may hold tokens), status, latency, tenant. */
export const requestLog =
  (logger: Logger): MiddlewareHandler<AppEnv> =>
  async (c, next) => {
    const start = performance.now();
    await next();
    logger.info({
      requestId: c.get('requestId'),
      tenant: c.get('principal')?.tenantId,
      method: c.req.method,
      route: c.req.routePath,
      status: c.res.status,
      ms: Math.round((performance.now() - start) * 10) / 10,
    });
  };

const bearer = (header: string | undefined) => {
  const m = header?.match(/^Bearer\s+(\S+)$/i);
  return m?.[1];
};

/** What the console's session cookie resolves through (modules/users); absent where no console is served. */
export type SessionAuth = Pick<UsersService, 'authenticate' | 'csrfOk'>;
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Resolves `Authorization: Bearer <key>`, or else the console's `__Host-lawful_session` cookie, which yields the same
 * Principal as a key of the user's role. Cookie-authenticated writes need the x-csrf-token header (a browser sends
 * cookies on cross-site requests; it cannot send a header it cannot read). Keys in URLs are refused outright: URLs
 * end up in logs and histories.
 */
export const authenticate =
  (keys: Pick<KeysService, 'authenticate'>, sessions?: SessionAuth): MiddlewareHandler<AppEnv> =>
  async (c, next) => {
    const url = new URL(c.req.url);
    for (const p of ['api_key', 'apikey', 'key', 'token', 'access_token']) {
      if (url.searchParams.has(p)) {
        throw new AppError('UNAUTHENTICATED', 'API keys are never accepted in URLs; send Authorization: Bearer <key>', {
          field: p,
        });
      }
    }
    const secret = bearer(c.req.header('authorization'));
    const cookie = !secret && sessions ? getCookie(c, SESSION_COOKIE, 'host') : undefined;
    if (cookie && sessions) {
      const principal = await sessions.authenticate(cookie);
      if (!principal) throw new AppError('UNAUTHENTICATED', 'the session has ended; sign in again');
      if (!SAFE_METHODS.has(c.req.method) && !sessions.csrfOk(cookie, c.req.header(CSRF_HEADER))) {
        throw new AppError('FORBIDDEN', 'the x-csrf-token header is missing or wrong', { field: CSRF_HEADER });
      }
      c.set('principal', principal);
      await next();
      return;
    }
    if (!secret) throw new AppError('UNAUTHENTICATED', 'an API key is required: send Authorization: Bearer <key>');
    const principal = await keys.authenticate(secret);
    if (!principal) throw new AppError('UNAUTHENTICATED', 'the API key is invalid or revoked');
    c.set('principal', principal);
    await next();
  };

export type RateLimits = { check(bucket: string, cost?: number): Promise<void> };

/**
 * Per key and per IP. In memory by default; shared through Redis when REDIS_URL is set, so replicas agree. Each use
 * has its own `keyPrefix`: limits with different budgets must never count against each other's keys.
 */
export const createRateLimits = (opts: {
  /** Requests allowed per window (a minute unless `windowSeconds` says otherwise). */
  perMinute: number;
  windowSeconds?: number;
  keyPrefix?: string;
  redis?: Redis;
}): RateLimits => {
  const points = opts.perMinute;
  const duration = opts.windowSeconds ?? 60;
  const keyPrefix = opts.keyPrefix ?? 'lawful_rl';
  const limiter: RateLimiterAbstract = opts.redis
    ? new RateLimiterRedis({ storeClient: opts.redis, points, duration, keyPrefix })
    : new RateLimiterMemory({ points, duration, keyPrefix });
  return {
    async check(bucket, cost = 1) {
      try {
        await limiter.consume(bucket, cost);
      } catch (e) {
        if (e instanceof RateLimiterRes) {
          const retry = Math.max(1, Math.ceil(e.msBeforeNext / 1000));
          throw new AppError('RATE_LIMITED', `too many requests; retry in ${retry} s`, {
            headers: { 'Retry-After': String(retry) },
          });
        }
        throw e;
      }
    },
  };
};

/** The caller's address as the socket saw it (the node adapter puts it on env.incoming). */
export const clientIp = (c: { env: unknown; req: { header(n: string): string | undefined } }) => {
  const incoming = (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming;
  return incoming?.socket?.remoteAddress ?? 'local';
};

export const rateLimit =
  (limits: RateLimits, scope: 'ip' | 'key'): MiddlewareHandler<AppEnv> =>
  async (c, next) => {
    const bucket = scope === 'key' ? `key:${c.get('principal')?.keyId ?? 'none'}` : `ip:${clientIp(c)}`;
    await limits.check(bucket);
    await next();
  };
