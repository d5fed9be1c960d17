import { useEffect, useState } from 'react';

export const routes = [
  { path: 'overview', title: 'Overview' },
  { path: 'purposes', title: 'Purposes & ROPA' },
  { path: 'audit', title: 'Audit log' },
  { path: 'access', title: 'Keys & users' },
] as const;
export type RoutePath = (typeof routes)[number]['path'];

const current = (): RoutePath => {
  const p = window.location.hash.replace(/^#\/?/, '');
  return routes.find((r) => r.path === p)?.path ?? 'overview';
};

/** Hash routes: every screen has a link of its own, and the server needs to serve one file only. */
export const useRoute = () => {
  const [route, setRoute] = useState<RoutePath>(current);
  useEffect(() => {
    const on = () => setRoute(current());
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return route;
};
