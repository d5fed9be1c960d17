import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { CreatedUser, CreateUser, ErrorBody, Session, SignIn, User } from '@lawful/contract';
import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { type AppEnv, actorOf } from '../../http/context.ts';
import { clientIp, type RateLimits } from '../../http/middleware.ts';
import { ADMIN, guarded, IdParam, json, jsonBody } from '../../http/route.ts';
import { AppError } from '../../lib/errors.ts';
import { CSRF_HEADER, SESSION_COOKIE } from './users.cookie.ts';
import type { UsersService } from './users.service.ts';

/** The session cookie's value, or undefined. */
export const sessionToken = (c: Context) => getCookie(c, SESSION_COOKIE, 'host');

const UserParam = IdParam('userId', 'usr');
const errors = (codes: Record<number, string>) =>
  Object.fromEntries(
    Object.entries(codes).map(([s, d]) => [
      s,
      { description: d, content: { 'application/json': { schema: ErrorBody } } },
    ]),
  );

export const usersRoutes = (deps: { users: UsersService; signInLimits: RateLimits; sessionHours: number }) => {
  const { users } = deps;
  const app = new OpenAPIHono<AppEnv>();

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/session',
      tags: ['Session'],
      summary: 'Sign in to the console (sets the __Host-lawful_session cookie)',
      description:
        'Limited per address; an account locks after repeated failures. Every attempt is audited. ' +
        'Send the returned csrfToken as the x-csrf-token header on every non-GET request.',
      request: jsonBody(SignIn),
      responses: {
        201: json(Session, 'Signed in'),
        ...errors({ 400: 'Invalid input', 401: 'Wrong credentials or code', 429: 'Too many attempts' }),
      },
    }),
    async (c) => {
      await deps.signInLimits.check(`sign-in:${clientIp(c)}`);
      const { token, session } = await users.signIn(c.req.valid('json'));
      setCookie(c, SESSION_COOKIE, token, {
        prefix: 'host',
        httpOnly: true,
        secure: true,
        sameSite: 'Strict',
        path: '/',
        maxAge: deps.sessionHours * 3600,
      });
      c.header('Cache-Control', 'no-store');
      return c.json(session, 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/session',
      tags: ['Session'],
      summary: 'The current console session',
      responses: { 200: json(Session, 'The session'), ...errors({ 401: 'No live session' }) },
    }),
    async (c) => {
      const token = sessionToken(c);
      const session = token ? await users.current(token) : null;
      if (!session) throw new AppError('UNAUTHENTICATED', 'not signed in, or the session has ended');
      c.header('Cache-Control', 'no-store');
      return c.json(session, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/v1/session',
      tags: ['Session'],
      summary: 'Sign out (ends the session on the server and clears the cookie)',
      responses: { 204: { description: 'Signed out' }, ...errors({ 403: 'CSRF token missing or wrong' }) },
    }),
    async (c) => {
      const token = sessionToken(c);
      // A session that has already ended is simply forgotten; a live one needs the CSRF header to be ended.
      if (token && (await users.authenticate(token))) {
        if (!users.csrfOk(token, c.req.header(CSRF_HEADER))) {
          throw new AppError('FORBIDDEN', 'the x-csrf-token header is missing or wrong', { field: CSRF_HEADER });
        }
        await users.signOut(token);
      }
      deleteCookie(c, SESSION_COOKIE, { prefix: 'host', path: '/', secure: true });
      return c.body(null, 204);
    },
  );

  app.openapi(
    guarded(ADMIN, {
      method: 'get',
      path: '/v1/users',
      tags: ['Users'],
      summary: 'List console users (addresses masked)',
      responses: { 200: json(z.object({ items: z.array(User) }), 'The users') },
    }),
    async (c) => c.json({ items: await users.list(c.var.principal.tenantId) }, 200),
  );
  app.openapi(
    guarded(ADMIN, {
      method: 'post',
      path: '/v1/users',
      tags: ['Users'],
      summary: 'Create a console user; with totp, the otpauth URI is shown once',
      request: jsonBody(CreateUser),
      responses: { 201: json(CreatedUser, 'The new user') },
    }),
    async (c) => {
      const p = c.var.principal;
      return c.json(await users.create(p.tenantId, c.req.valid('json'), actorOf(p)), 201);
    },
  );
  app.openapi(
    guarded(ADMIN, {
      method: 'delete',
      path: '/v1/users/{userId}',
      tags: ['Users'],
      summary: 'Disable a console user and end their sessions at once',
      request: { params: UserParam },
      responses: { 200: json(User, 'The disabled user') },
    }),
    async (c) => {
      const p = c.var.principal;
      return c.json(await users.disable(p.tenantId, c.req.valid('param').userId, actorOf(p)), 200);
    },
  );
  return app;
};
