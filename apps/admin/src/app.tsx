import { useEffect, useRef, useState } from 'react';
import { describeError, lawful, type Session } from './api.ts';
import { Access } from './screens/access.tsx';
import { Audit } from './screens/audit.tsx';
import { Banner } from './screens/banner.tsx';
import { DataMapScreen } from './screens/datamap.tsx';
import { Notices } from './screens/notices.tsx';
import { Overview } from './screens/overview.tsx';
import { People } from './screens/people.tsx';
import { Purposes } from './screens/purposes.tsx';
import { Requests } from './screens/requests.tsx';
import { SignIn } from './screens/sign-in.tsx';
import { Webhooks } from './screens/webhooks.tsx';
import { Alert } from './ui/bits.tsx';
import { type RoutePath, routes, useRoute } from './ui/router.ts';

export const App = () => {
  const [session, setSession] = useState<Session | null | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    lawful.session.current().then(setSession, (e: unknown) => {
      setError(describeError(e));
      setSession(null);
    });
  }, []);
  if (session === undefined) return <p className="muted center">Loading…</p>;
  if (!session)
    return (
      <>
        {error && <Alert>{error}</Alert>}
        <SignIn onSignedIn={setSession} />
      </>
    );
  return <Shell session={session} onSignedOut={() => setSession(null)} />;
};

const screens: Record<RoutePath, (p: { session: Session }) => React.JSX.Element> = {
  overview: Overview,
  requests: Requests,
  people: People,
  purposes: Purposes,
  notices: Notices,
  banner: Banner,
  datamap: DataMapScreen,
  webhooks: Webhooks,
  audit: Audit,
  access: Access,
};

const Shell = ({ session, onSignedOut }: { session: Session; onSignedOut: () => void }) => {
  const route = useRoute();
  const title = routes.find((r) => r.path === route)?.title ?? '';
  const heading = useRef<HTMLHeadingElement>(null);
  const first = useRef(true);
  useEffect(() => {
    document.title = `${title} · Lawful`;
    // Moving focus to the new heading tells screen-reader users the page changed (not on first load).
    if (!first.current) heading.current?.focus();
    first.current = false;
  }, [title]);
  const Screen = screens[route];
  const signOut = async () => {
    await lawful.session.signOut().catch(() => undefined);
    onSignedOut();
  };
  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="top">
        <span className="brand">Lawful</span>
        <span className="org">{session.tenant.name}</span>
        <span className="who">
          {session.user.email} · {session.user.role.replace('_', ' ')}
        </span>
        <button type="button" className="link" onClick={signOut}>
          Sign out
        </button>
      </header>
      <nav aria-label="Screens" className="nav">
        <ul>
          {routes.map((r) => (
            <li key={r.path}>
              <a href={`#/${r.path}`} aria-current={r.path === route ? 'page' : undefined}>
                {r.title}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <main id="main">
        <h1 ref={heading} tabIndex={-1}>
          {title}
        </h1>
        <Screen session={session} />
      </main>
    </>
  );
};
