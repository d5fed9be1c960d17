import { createRoute, type RouteConfig, z } from '@hono/zod-openapi';
import { ErrorBody, type Role } from '@lawful/contract';
import type { MiddlewareHandler } from 'hono';
import { AppError } from '../lib/errors.ts';
import type { AppEnv } from './context.ts';

export const ADMIN: readonly Role[] = ['admin'];
export const OFFICER: readonly Role[] = ['admin', 'privacy_officer'];
export const STAFF: readonly Role[] = ['admin', 'privacy_officer', 'agent'];
export const READER: readonly Role[] = ['admin', 'privacy_officer', 'agent', 'read_only'];
export const BROWSER: readonly Role[] = ['admin', 'privacy_officer', 'agent', 'publishable'];

/** Every guarded route, for the access tests that cover each route × role × tenant automatically. */
export type GuardedRoute = { method: string; path: string; roles: readonly Role[]; keysOnly?: boolean };
export const guardedRoutes: GuardedRoute[] = [];

const requireRole =
  (roles: readonly Role[]): MiddlewareHandler<AppEnv> =>
  async (c, next) => {
    const p = c.get('principal');
    if (!p) throw new AppError('UNAUTHENTICATED', 'an API key is required: send Authorization: Bearer <key>');
    if (!roles.includes(p.role)) {
      throw new AppError('FORBIDDEN', `this action needs one of the roles: ${roles.join(', ')}; the key has ${p.role}`);
    }
    await next();
  };

/**
 * Data minimisation in the console: a signed-in person (a session, `usr_…`) is refused the routes that hand out
 * identifiers without a stated reason; integrations' keys keep them.
 */
const requireKey: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (c.get('principal').keyId.startsWith('usr_'))
    throw new AppError(
      'FORBIDDEN',
      'in the console, identifiers are shown only for a stated reason: POST /v1/subjects:find or /v1/subjects/{id}/reveal',
    );
  await next();
};

const requireOwned =
  (
    owned: (tenantId: string, params: Record<string, string>) => Promise<boolean>,
    params: { safeParse(v: unknown): { success: boolean } } | undefined,
  ): MiddlewareHandler<AppEnv> =>
  async (c, next) => {
    // A malformed id (a NUL byte, a bad escape) is not looked up: the param validator answers 400 naming it.
    if (params && !params.safeParse(c.req.param()).success) return next();
    if (!(await owned(c.get('principal').tenantId, c.req.param()))) throw new AppError('NOT_FOUND', 'not found');
    await next();
  };

const errorResponses = {
  400: { description: 'Invalid input', content: { 'application/json': { schema: ErrorBody } } },
  401: { description: 'Missing or invalid API key', content: { 'application/json': { schema: ErrorBody } } },
  403: { description: 'The key lacks the role', content: { 'application/json': { schema: ErrorBody } } },
  404: { description: 'Not found (or another tenant’s)', content: { 'application/json': { schema: ErrorBody } } },
} as const;

/**
 * A route that needs an API key with one of `roles`. Registers itself for the route-guard tests.
 * @example guarded(ADMIN, { method: 'get', path: '/v1/keys', responses: {...} })
 */
export const guarded = <const R extends Omit<RouteConfig, 'middleware' | 'security'>>(
  roles: readonly Role[],
  config: R,
  opts: {
    /**
     * Whether the path's object belongs to the caller's tenant, checked before the body is validated: another
     * tenant's id is a 404 whatever the body says (check 54).
     */
    owned?: (tenantId: string, params: Record<string, string>) => Promise<boolean>;
    /** API keys only: console sessions are refused (routes that return identifiers without a reason). */
    keysOnly?: boolean;
  } = {},
) => {
  const honoPath = config.path.replace(/\{(\w+)\}/g, ':$1');
  if (!guardedRoutes.some((r) => r.method === config.method && r.path === honoPath)) {
    guardedRoutes.push({ method: config.method, path: honoPath, roles, ...(opts.keysOnly ? { keysOnly: true } : {}) });
  }
  return createRoute({
    ...config,
    security: [{ apiKey: [] }],
    middleware: [
      requireRole(roles),
      ...(opts.keysOnly ? [requireKey] : []),
      ...(opts.owned ? [requireOwned(opts.owned, config.request?.params as Parameters<typeof requireOwned>[1])] : []),
    ] as const,
    responses: { ...errorResponses, ...config.responses },
    description:
      `${config.description ?? ''}\n\nRoles: ${roles.join(', ')}${opts.keysOnly ? ' (API keys only, not console sessions)' : ''}`.trim(),
  });
};

/** A JSON body that must be present and must be JSON (a form post or missing body is a 400, not `{}`). */
export const jsonBody = <T extends z.ZodType>(schema: T) => ({
  body: { content: { 'application/json': { schema } }, required: true },
});

export const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});

export const IdParam = <N extends string>(name: N, prefix: string) =>
  z.object({
    [name]: z
      .string()
      .regex(new RegExp(`^${prefix}_[0-9A-HJKMNP-TV-Z]{26}$`), `must be a ${prefix}_… id`)
      .openapi({ param: { name, in: 'path' }, example: `${prefix}_01JDQ2M3ZV9G7X6S5R4Q3P2N1M` }),
  } as Record<N, z.ZodString>);
