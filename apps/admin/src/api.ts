import { createLawfulClient, LawfulError } from '@lawful/sdk';

/** The one client: same origin, session cookie, CSRF header on writes. */
export const lawful = createLawfulClient();
export type Session = NonNullable<Awaited<ReturnType<typeof lawful.session.current>>>;

/** A sentence for people, from whatever went wrong. */
export const describeError = (e: unknown) => {
  if (e instanceof LawfulError) {
    if (e.status === 403) return `You are not allowed to do this: ${e.message}.`;
    return e.field ? `${e.message} (${e.field})` : e.message;
  }
  return 'The server could not be reached. Check your connection and try again.';
};
export { LawfulError };
