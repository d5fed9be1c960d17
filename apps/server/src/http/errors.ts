import type { ErrorBody } from '@lawful/contract';
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { ZodError } from 'zod';
import { AppError } from '../lib/errors.ts';
import type { Logger } from '../lib/logger.ts';
import type { AppEnv } from './context.ts';

const fieldOf = (path: readonly PropertyKey[]) => path.map(String).join('.') || '(body)';

/** zod failures take the one error shape, naming every field at fault. */
export const validationError = (error: ZodError, target: string) => {
  const issues = error.issues.map((i) => {
    const field = fieldOf(i.path);
    const message = i.code === 'unrecognized_keys' ? `unknown field(s): ${i.keys.join(', ')}` : i.message;
    // An unknown key is named by its whole path (`subject.role`), not its bare name: nested ones must be findable.
    return {
      field: i.code === 'unrecognized_keys' && i.keys.length === 1 ? fieldOf([...i.path, i.keys[0]!]) : field,
      message,
    };
  });
  const first = issues[0] ?? { field: target, message: 'invalid' };
  return new AppError('VALIDATION_FAILED', `${first.field}: ${first.message}`, { field: first.field, issues });
};

// Connection failures mean the database is away for a moment: say 503 and when to retry, not 500.
const isUnavailable = (e: unknown): boolean => {
  const code = (e as { code?: string } | null)?.code;
  const cause = (e as { cause?: unknown } | null)?.cause;
  return (
    ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', '57P01', '57P02', '57P03', '08006', '08001', '08003'].includes(
      code ?? '',
    ) ||
    /Connection terminated|connection timeout|Client has encountered a connection error/i.test(
      (e as Error)?.message ?? '',
    ) ||
    (cause !== undefined && cause !== e && isUnavailable(cause))
  );
};

export const toAppError = (e: unknown): AppError => {
  if (e instanceof AppError) return e;
  if (e instanceof HTTPException) {
    if (e.status === 413) return new AppError('PAYLOAD_TOO_LARGE', 'the request body is larger than allowed');
    if (e.status === 401) return new AppError('UNAUTHENTICATED', e.message || 'authentication required');
    // The body's media type is not one the route declares (zod-openapi's check): a 400 as documented for every
    // route (check 59), naming the header at fault.
    if (e.status === 415)
      return new AppError('VALIDATION_FAILED', 'content-type: send the body as application/json', {
        field: 'content-type',
      });
    // Hono's validator: the body said JSON and was not.
    return new AppError('VALIDATION_FAILED', e.message || 'bad request', { field: '(body)' });
  }
  if (e instanceof SyntaxError)
    return new AppError('VALIDATION_FAILED', 'the body is not valid JSON', { field: '(body)' });
  if (isUnavailable(e)) {
    return new AppError('UNAVAILABLE', 'the database is unavailable; retry shortly', {
      headers: { 'Retry-After': '2' },
    });
  }
  const pgCode =
    (e as { code?: string; cause?: { code?: string } })?.code ?? (e as { cause?: { code?: string } })?.cause?.code;
  if (pgCode === '23505') return new AppError('CONFLICT', 'this already exists');
  // Text PostgreSQL cannot store (NUL, a lone surrogate) that got past validation: the input's fault, not ours.
  if (pgCode === '22021' || pgCode === '22P05')
    return new AppError('VALIDATION_FAILED', 'the input holds a character that cannot be stored', { field: '(body)' });
  return new AppError('INTERNAL', 'internal error');
};

export const errorResponse = (c: Context<AppEnv>, e: AppError) => {
  const body: ErrorBody = {
    error: {
      code: e.code,
      message: e.message,
      ...(e.field ? { field: e.field } : {}),
      ...(e.issues && e.issues.length > 1 ? { issues: e.issues } : {}),
      requestId: c.get('requestId'),
    },
  };
  for (const [k, v] of Object.entries(e.headers ?? {})) c.header(k, v);
  return c.json(body, e.status as ContentfulStatusCode);
};

export const onError = (logger: Logger) => (err: Error, c: Context<AppEnv>) => {
  const e = toAppError(err);
  if (e.status >= 500) logger.error({ err, requestId: c.get('requestId'), route: c.req.routePath }, 'request failed');
  return errorResponse(c, e);
};
