import type { Role } from '../../functions/src/core/auth/model';
import type { LocalRuntime } from '../../local/runtime';

/** Anything with the local issuer (a `LocalRuntime`, a `LocalBackend`). */
type HasIssuer = Pick<LocalRuntime, 'issuer'>;

/** A fresh access token for the demo user of `role`, signed by the runtime's local issuer. */
export function tokenFor(rt: HasIssuer, role: Role = 'operator'): string {
  return rt.issuer.issue(rt.issuer.userFor(role));
}

/** `Authorization` (and JSON content type) headers for `role`. */
export function authHeaders(rt: HasIssuer, role: Role = 'operator', extra: Record<string, string> = {}): Record<string, string> {
  return { authorization: `Bearer ${tokenFor(rt, role)}`, 'content-type': 'application/json', ...extra };
}

/**
 * `fetch` signed in as `role`: adds the bearer header unless the caller set `authorization`
 * itself. Relative paths are resolved against `rt.url` when given one.
 */
export function fetchAs(rt: HasIssuer & Partial<Pick<LocalRuntime, 'url'>>, role: Role = 'operator'): typeof fetch {
  return (input, init = {}) => {
    const headers = new Headers(init.headers);
    if (!headers.has('authorization')) headers.set('authorization', `Bearer ${tokenFor(rt, role)}`);
    const target = typeof input === 'string' && input.startsWith('/') && rt.url ? `${rt.url}${input}` : input;
    return fetch(target, { ...init, headers });
  };
}

/** The username the demo user of `role` acts as (what `actor` fields show). */
export function userNameFor(rt: HasIssuer, role: Role = 'operator'): string {
  return rt.issuer.userFor(role).email;
}
