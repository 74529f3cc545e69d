'use client';
/**
 * The portal's session: the signed-in user's access token in sessionStorage (one tab, gone when
 * the tab closes), who they are and what their role may do. `request()` adds the token; a 401
 * sends the user to `/sign-in/`. Two ways to sign in, as `GET /api/auth/config` says: the local
 * issuer (pick a demo user) or the Cognito hosted UI (authorization code with PKCE).
 */
import { useCallback, useSyncExternalStore } from 'react';
import type { Action, Role } from '../../functions/src/core/auth/model';
import { MINIMUM_ROLE, roleMay, sessionOf, type StoredSession } from './policy';

export type { Action, Role, StoredSession };
export { claimsOf, MINIMUM_ROLE, roleMay, sessionOf } from './policy';

const KEY = 'signalbox.session';
const CHANGED = 'signalbox:session';

let cachedRaw: string | null | undefined;
let cached: StoredSession | null = null;

/** The current session, or null (none, unreadable, or expired). */
export function currentSession(): StoredSession | null {
  if (typeof window === 'undefined') return null;
  let raw: string | null = null;
  try {
    raw = window.sessionStorage.getItem(KEY);
  } catch {
    raw = null;
  }
  if (raw !== cachedRaw) {
    cachedRaw = raw;
    try {
      cached = raw ? (JSON.parse(raw) as StoredSession) : null;
    } catch {
      cached = null;
    }
  }
  if (cached && Date.parse(cached.expiresAt) <= Date.now()) return null;
  return cached;
}

/** The bearer token for API calls, or null. */
export function sessionToken(): string | null {
  return currentSession()?.token ?? null;
}

export function saveSession(session: StoredSession): void {
  window.sessionStorage.setItem(KEY, JSON.stringify(session));
  window.dispatchEvent(new Event(CHANGED));
}

export function clearSession(): void {
  try {
    window.sessionStorage.removeItem(KEY);
  } catch {
    // Storage unavailable: nothing to clear.
  }
  window.dispatchEvent(new Event(CHANGED));
}

let signingOut = false;
let redirecting = false;

/** Sends the browser to the sign-in page, coming back to where it was afterwards. */
export function goToSignIn(): void {
  // An explicit sign-out is already on its way to a plain /sign-in/: a request answered 401 in the
  // meantime must not turn that into a sign-in that returns to this page. Several requests of one
  // page answered 401 together send the browser once: a second assign would abort the first
  // navigation while it is under way.
  if (signingOut || redirecting || window.location.pathname.startsWith('/sign-in')) return;
  redirecting = true;
  const next = `${window.location.pathname}${window.location.search}`;
  window.location.assign(`/sign-in/?next=${encodeURIComponent(next)}`);
}

function subscribe(onChange: () => void): () => void {
  window.addEventListener(CHANGED, onChange);
  window.addEventListener('storage', onChange);
  return () => {
    window.removeEventListener(CHANGED, onChange);
    window.removeEventListener('storage', onChange);
  };
}

/** The signed-in user, what their role may do, and sign-out. */
export function useSession(): { user: { name: string; role: Role } | null; can(action: Action): boolean; signOut(): void } {
  const session = useSyncExternalStore(subscribe, currentSession, () => null);
  const role = session?.user.role ?? null;
  const can = useCallback((action: Action) => roleMay(role, action), [role]);
  const signOut = useCallback(() => {
    signingOut = true;
    clearSession();
    window.location.assign('/sign-in/');
  }, []);
  // A user without a role is signed in but may do nothing beyond public actions.
  const user = session && session.user.role ? { name: session.user.name, role: session.user.role } : null;
  return { user, can, signOut };
}

/** The title of a control the role may not use. */
export function notAllowedTitle(action: Action): string {
  const need = MINIMUM_ROLE[action];
  return `Your role may not do this (${action} needs ${need === 'token' ? 'a token' : `role ${need}`} or higher)`;
}

// ---- sign-in flows ------------------------------------------------------------------------------

export type AuthConfig =
  | { mode: 'local'; signInUrl: string; tokenUrl: string; usersUrl: string }
  | { mode: 'cognito'; domain: string; clientId: string; redirectPath: string; scopes: string[]; region: string; userPoolId: string };

export interface DemoUser {
  email: string;
  name: string;
  role: Role | null;
}

async function json<T>(response: Response): Promise<T> {
  const body = (await response.json().catch(() => null)) as T & { error?: { message?: string } };
  if (!response.ok) throw new Error(body?.error?.message ?? `HTTP ${response.status}`);
  return body;
}

export async function loadAuthConfig(): Promise<AuthConfig> {
  return json<AuthConfig>(await fetch('/api/auth/config', { headers: { accept: 'application/json' }, cache: 'no-store' }));
}

export async function loadDemoUsers(config: Extract<AuthConfig, { mode: 'local' }>): Promise<DemoUser[]> {
  return (await json<{ items: DemoUser[] }>(await fetch(config.usersUrl, { cache: 'no-store' }))).items;
}

/** Local mode: signs in as a demo user and keeps the session. */
export async function signInLocal(config: Extract<AuthConfig, { mode: 'local' }>, email: string): Promise<StoredSession> {
  const body = await json<{ token: string }>(
    await fetch(config.signInUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email }), cache: 'no-store' }),
  );
  const session = sessionOf(body.token);
  if (!session) throw new Error('the sign-in answer is not a token');
  saveSession(session);
  return session;
}

const PKCE_KEY = 'signalbox.pkce';

function randomString(bytes = 32): string {
  const data = crypto.getRandomValues(new Uint8Array(bytes));
  return btoa(String.fromCharCode(...data)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

async function challengeOf(verifier: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
  return btoa(String.fromCharCode(...digest)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** Cognito: redirects to the hosted UI (authorization code + PKCE S256, `state` against CSRF). */
export async function startCognitoSignIn(config: Extract<AuthConfig, { mode: 'cognito' }>, next: string): Promise<void> {
  const verifier = randomString(48);
  const state = randomString(16);
  window.sessionStorage.setItem(PKCE_KEY, JSON.stringify({ verifier, state, next }));
  const params = new URLSearchParams({
    response_type: 'code',
    client_id: config.clientId,
    redirect_uri: `${window.location.origin}${config.redirectPath}`,
    scope: config.scopes.join(' '),
    state,
    code_challenge: await challengeOf(verifier),
    code_challenge_method: 'S256',
  });
  window.location.assign(`${config.domain}/oauth2/authorize?${params}`);
}

/** Cognito: the callback — checks `state`, exchanges the code with the PKCE verifier, keeps the session. Returns where to go next. */
export async function finishCognitoSignIn(config: Extract<AuthConfig, { mode: 'cognito' }>, code: string, state: string): Promise<string> {
  const saved = JSON.parse(window.sessionStorage.getItem(PKCE_KEY) ?? 'null') as { verifier: string; state: string; next: string } | null;
  window.sessionStorage.removeItem(PKCE_KEY);
  if (!saved || saved.state !== state) throw new Error('the sign-in answer does not match this tab (state); sign in again');
  const body = await json<{ access_token: string; id_token?: string }>(
    await fetch(`${config.domain}/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        client_id: config.clientId,
        code,
        redirect_uri: `${window.location.origin}${config.redirectPath}`,
        code_verifier: saved.verifier,
      }),
    }),
  );
  // The id token carries the email and the groups (an access token only a username); the API
  // accepts both (audience = this app client).
  const session = sessionOf(body.id_token ?? body.access_token);
  if (!session) throw new Error('the identity provider sent no usable token');
  saveSession(session);
  return saved.next;
}
