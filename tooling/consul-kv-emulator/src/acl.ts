import type { IncomingHttpHeaders } from 'node:http';

import { goQuote } from './go-format.js';

/** `key:read` or `key:write`. */
export type KeyAccess = 'read' | 'write';

/**
 * Who a request acts as. With ACLs enabled (an `aclToken` configured) and a default-deny policy:
 * the configured token may do everything, a request without a token is the anonymous token (no
 * permission at all), and any other token does not exist (`ACL not found`). Without ACLs, everything
 * is allowed and tokens are ignored, as in Consul.
 */
export type Caller = { readonly kind: 'allowed' } | { readonly kind: 'anonymous' } | { readonly kind: 'unknown-token' };

/** The error Consul answers (403) when a token does not exist. */
export const ACL_NOT_FOUND = 'ACL not found';

/**
 * The token a request carries, looked up as Consul does: `?token=`, then `X-Consul-Token`, then
 * `Authorization: Bearer <token>`. Empty when none.
 */
export function requestToken(query: URLSearchParams, headers: IncomingHttpHeaders): string {
  const fromQuery = query.get('token');
  if (fromQuery) return fromQuery;
  const header = headers['x-consul-token'];
  if (typeof header === 'string' && header !== '') return header;
  const parts = (headers.authorization ?? '').split(' ');
  if (parts.length > 1 && parts[0]!.toLowerCase() === 'bearer') return parts.slice(1).join(' ').trim();
  return '';
}

/** Resolves the token of a request against the configured one (`undefined`: ACLs disabled). */
export function resolveCaller(configured: string | undefined, token: string): Caller {
  if (configured === undefined || token === configured) return { kind: 'allowed' };
  return token === '' ? { kind: 'anonymous' } : { kind: 'unknown-token' };
}

/** Whether the caller may access keys at all (the anonymous token may not, under default deny). */
export function allows(caller: Caller): boolean {
  return caller.kind === 'allowed';
}

/** Consul's permission-denied text for the anonymous token, e.g. for `key:write` on `"a/b"`. */
export function permissionDenied(access: KeyAccess, key: string): string {
  const on = key === '' ? '' : ` on ${goQuote(key)}`;
  return (
    `Permission denied: anonymous token lacks permission 'key:${access}'${on}. ` +
    'The anonymous token is used implicitly when a request does not specify a token.'
  );
}
