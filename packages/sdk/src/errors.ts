import type { ErrorBody, ErrorCode } from '@lawful/contract';

/**
 * Every failed call throws this: the API's closed set of codes, the field at fault, the request id to quote.
 * @example
 * try { await lawful.session.signIn(input); } catch (e) { if (e instanceof LawfulError && e.field === 'totp') askForCode(); }
 */
export class LawfulError extends Error {
  override readonly name = 'LawfulError';
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly field?: string,
    readonly requestId?: string,
    readonly issues?: { field: string; message: string }[],
  ) {
    super(message);
  }

  /** Builds the error from a response body that may or may not be Lawful's error shape (a proxy's page, say). */
  static from(status: number, body: unknown): LawfulError {
    const e = (body as Partial<ErrorBody> | null)?.error;
    if (e && typeof e.code === 'string' && typeof e.message === 'string') {
      return new LawfulError(status, e.code, e.message, e.field, e.requestId, e.issues);
    }
    const code: ErrorCode =
      status === 401
        ? 'UNAUTHENTICATED'
        : status === 403
          ? 'FORBIDDEN'
          : status === 404
            ? 'NOT_FOUND'
            : status === 429
              ? 'RATE_LIMITED'
              : status >= 500
                ? 'UNAVAILABLE'
                : 'VALIDATION_FAILED';
    return new LawfulError(status, code, `HTTP ${status}`);
  }
}
