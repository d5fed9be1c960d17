/** The console session cookie, sent as `__Host-lawful_session` (hono's `prefix: 'host'`): this origin, path /, HTTPS. */
export const SESSION_COOKIE = 'lawful_session';
/** The header that must echo the session's CSRF token on every cookie-authenticated write. */
export const CSRF_HEADER = 'x-csrf-token';
