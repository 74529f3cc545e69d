'use client';
import { useSearchParams } from 'next/navigation';
import { useEffect, useState } from 'react';
import {
  finishCognitoSignIn,
  loadAuthConfig,
  loadDemoUsers,
  signInLocal,
  startCognitoSignIn,
  useSession,
  type AuthConfig,
  type DemoUser,
} from '../../lib/auth';

/** Only same-site paths are followed after sign-in (no open redirect). */
function safeNext(next: string | null): string {
  return next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/sign-in') ? next : '/';
}

/**
 * `/sign-in/`: locally, pick a demo user (one per role); with Cognito, go to the hosted UI
 * (authorization code + PKCE) and come back here with `?code=&state=`.
 */
export function SignIn() {
  const params = useSearchParams();
  const next = safeNext(params.get('next'));
  const { user, signOut } = useSession();
  const [config, setConfig] = useState<AuthConfig | null>(null);
  const [users, setUsers] = useState<DemoUser[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    loadAuthConfig()
      .then(async (c) => {
        if (!live) return;
        setConfig(c);
        if (c.mode === 'local') setUsers(await loadDemoUsers(c));
        const code = params.get('code');
        const state = params.get('state');
        if (c.mode === 'cognito' && code && state) {
          setBusy('callback');
          window.location.replace(safeNext(await finishCognitoSignIn(c, code, state)));
        }
      })
      .catch((e: Error) => live && setError(e.message));
    return () => {
      live = false;
    };
  }, [params]);

  const pick = async (email: string) => {
    if (config?.mode !== 'local') return;
    setBusy(email);
    setError(null);
    try {
      await signInLocal(config, email);
      window.location.assign(next);
    } catch (e) {
      setError((e as Error).message);
      setBusy(null);
    }
  };

  return (
    <section className="sign-in" aria-labelledby="sign-in-title">
      <h1 id="sign-in-title">Sign in</h1>
      {user ? (
        <p className="sign-in__current">
          Signed in as <strong>{user.name}</strong> ({user.role}).{' '}
          <button type="button" className="link-button" onClick={signOut}>
            Sign out
          </button>
        </p>
      ) : null}
      {error ? (
        <p role="alert" className="sign-in__error">
          {error}
        </p>
      ) : null}
      {!config && !error ? <p className="sign-in__status">Loading…</p> : null}
      {config?.mode === 'local' ? (
        <>
          <p>Local mode: choose a demo user. Each role sees what it may do.</p>
          <ul className="sign-in__users">
            {(users ?? []).map((u) => (
              <li key={u.email}>
                <button type="button" className="button sign-in__user" disabled={busy !== null} onClick={() => void pick(u.email)} data-role={u.role ?? 'none'}>
                  <span className="sign-in__name">{u.name}</span>
                  <span className="sign-in__email">{u.email}</span>
                  <span className={`role-badge role-badge--${u.role ?? 'none'}`}>{u.role ?? 'no role'}</span>
                </button>
              </li>
            ))}
          </ul>
          <p className="sign-in__hint">
            For scripts: <code>curl -s &apos;{typeof window === 'undefined' ? '' : window.location.origin}/local/token?role=operator&apos;</code>
          </p>
        </>
      ) : null}
      {config?.mode === 'cognito' ? (
        busy === 'callback' ? (
          <p className="sign-in__status">Signing you in…</p>
        ) : (
          <button type="button" className="button button--primary" onClick={() => void startCognitoSignIn(config, next)}>
            Sign in with your organisation account
          </button>
        )
      ) : null}
    </section>
  );
}

/** The header's session corner: who is signed in, their role, and sign-out (or a sign-in link). */
export function SessionMenu() {
  const { user, signOut } = useSession();
  const [mounted, setMounted] = useState(false);
  useEffect(() => setMounted(true), []);
  if (!mounted) return null;
  if (!user) {
    return (
      <a className="session-menu__sign-in nav__link" href="/sign-in/">
        Sign in
      </a>
    );
  }
  return (
    <div className="session-menu" aria-label="Signed-in user">
      <span className="session-menu__name">{user.name}</span>
      <span className={`role-badge role-badge--${user.role}`} data-testid="session-role">
        {user.role}
      </span>
      <button type="button" className="link-button session-menu__sign-out" onClick={signOut}>
        Sign out
      </button>
    </div>
  );
}
