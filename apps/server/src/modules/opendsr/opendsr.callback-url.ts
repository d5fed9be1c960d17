import { AppError } from '../../lib/errors.ts';
import {
  inspectOutboundUrl,
  isBlockedAddress,
  type OutboundProblem,
  type ResolvedAddress,
  type Resolver,
} from '../webhooks/webhooks.url.ts';

/**
 * Status callback URLs come from whoever submits an OpenDSR request, and Lawful will POST to them: without care
 * that is a server-side request forgery primitive. A URL is accepted only if it is https, carries no credentials,
 * and every address its host resolves to is public unicast. Connect to one of the returned addresses (see
 * `pinnedLookup`) so a DNS answer that changes after the check (rebinding) cannot redirect the request.
 */

export type { ResolvedAddress, Resolver } from '../webhooks/webhooks.url.ts';
export { systemResolver } from '../webhooks/webhooks.url.ts';

/**
 * Whether an IP address is one Lawful must never call: private, loopback, link-local, unique-local, CGNAT,
 * multicast, reserved, documentation or cloud metadata, including IPv4 hidden inside IPv6. One list for every
 * outbound URL (webhooks.url.ts).
 * @example isForbiddenAddress('::ffff:169.254.169.254') // true
 */
export const isForbiddenAddress = isBlockedAddress;

export type CallbackUrlOptions = {
  resolve?: Resolver;
  /**
   * Development only: accept `http://127.0.0.1[:port]/…` (that exact literal, nothing else private) so a local
   * controller can receive callbacks. Never set in production.
   */
  dangerouslyAllowHttpLoopbackForDev?: boolean;
};

const messages: Record<OutboundProblem, string> = {
  not_url: 'a status callback URL is not a valid URL',
  credentials: 'a status callback URL must not carry credentials',
  scheme: 'a status callback URL must use https',
  private_literal: 'a status callback URL must point to a public address',
  private_name: 'a status callback URL must point to a public address',
  unresolved: 'the host of a status callback URL does not resolve',
};

const refuse = (message: string) => new AppError('VALIDATION_FAILED', message, { field: 'status_callback_urls' });

/**
 * Validates one status callback URL and returns it with the addresses it may be called on.
 * Messages never echo the URL: it may carry tokens.
 * @example const { url, addresses } = await validateCallbackUrl('https://controller.example/opendsr/callbacks')
 */
export const validateCallbackUrl = async (
  raw: string,
  opts: CallbackUrlOptions = {},
): Promise<{ url: URL; addresses: ResolvedAddress[] }> => {
  // The development option is exactly `127.0.0.1`, the one host exempt from https and the address rules.
  const r = await inspectOutboundUrl(raw, {
    allowHosts: opts.dangerouslyAllowHttpLoopbackForDev ? ['127.0.0.1'] : [],
    resolve: opts.resolve,
  });
  if ('problem' in r) throw refuse(messages[r.problem]);
  return r;
};

/**
 * A `lookup` for `http.request`/`https.request` that answers with the validated addresses only, so the connection
 * goes where the check looked.
 */
export const pinnedLookup =
  (addresses: readonly ResolvedAddress[]) =>
  (
    _hostname: string,
    options: { all?: boolean } | number | undefined,
    callback: (err: Error | null, address: string | ResolvedAddress[], family?: number) => void,
  ): void => {
    const first = addresses[0];
    if (!first) callback(new Error('no validated address'), '', 4);
    else if (typeof options === 'object' && options?.all) callback(null, [...addresses]);
    else callback(null, first.address, first.family);
  };
