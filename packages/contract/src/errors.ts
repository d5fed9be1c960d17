import { z } from '@hono/zod-openapi';

/**
 * The closed set of error codes Lawful answers with, and the HTTP status of each.
 * Every 4xx/5xx body is `{ error: { code, message, field?, requestId? } }`.
 *
 * @example
 * throw new AppError('NOT_FOUND', 'tenant not found');
 */
export const errorStatus = {
  VALIDATION_FAILED: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  INVALID_TRANSITION: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RULE_VIOLATION: 422,
  RATE_LIMITED: 429,
  INTERNAL: 500,
  UNAVAILABLE: 503,
} as const;

export type ErrorCode = keyof typeof errorStatus;
export const ErrorCode = z.enum(Object.keys(errorStatus) as [ErrorCode, ...ErrorCode[]]);

export const ErrorBody = z
  .object({
    error: z.object({
      code: ErrorCode,
      message: z.string(),
      field: z.string().optional().openapi({ description: 'The input field at fault, as a dotted path' }),
      requestId: z.string().optional(),
      issues: z
        .array(z.object({ field: z.string(), message: z.string() }))
        .optional()
        .openapi({ description: 'Every validation problem, when there is more than one' }),
    }),
  })
  .openapi('Error');
export type ErrorBody = z.infer<typeof ErrorBody>;
