import { type FormEvent, useRef, useState } from 'react';
import { describeError, LawfulError, lawful, type Session } from '../api.ts';
import { Alert } from '../ui/bits.tsx';

export const SignIn = ({ onSignedIn }: { onSignedIn: (s: Session) => void }) => {
  const [error, setError] = useState<string | null>(null);
  const [needCode, setNeedCode] = useState(false);
  const [busy, setBusy] = useState(false);
  const codeRef = useRef<HTMLInputElement>(null);

  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const totp = String(f.get('totp') ?? '').trim();
    setBusy(true);
    setError(null);
    try {
      onSignedIn(
        await lawful.session.signIn({
          tenant: String(f.get('tenant') ?? ''),
          email: String(f.get('email') ?? ''),
          password: String(f.get('password') ?? ''),
          ...(totp ? { totp } : {}),
        }),
      );
    } catch (x) {
      if (x instanceof LawfulError && x.field === 'totp') {
        setNeedCode(true);
        setTimeout(() => codeRef.current?.focus(), 0);
      }
      setError(describeError(x));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main id="main" className="signin">
      <h1>Sign in to Lawful</h1>
      <p className="muted">The privacy console of your organisation.</p>
      {error && <Alert>{error}</Alert>}
      <form onSubmit={submit} className="stack">
        <label>
          Organisation
          <input name="tenant" required autoComplete="organization" placeholder="acme" />
        </label>
        <label>
          Email
          <input name="email" type="email" required autoComplete="username" />
        </label>
        <label>
          Password
          <input name="password" type="password" required autoComplete="current-password" />
        </label>
        {needCode && (
          <label>
            Code from your authenticator app
            <input
              ref={codeRef}
              name="totp"
              inputMode="numeric"
              pattern="[0-9]{6}"
              maxLength={6}
              required
              autoComplete="one-time-code"
            />
          </label>
        )}
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
};
