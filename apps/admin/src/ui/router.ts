import { useEffect, useState } from 'react';

export const routes = [
  { path: 'overview', title: 'Overview' },
  { path: 'requests', title: 'Requests' },
  { path: 'people', title: 'People' },
  { path: 'purposes', title: 'Purposes & ROPA' },
  { path: 'notices', title: 'Notices' },
  { path: 'banner', title: 'Cookie banner' },
  { path: 'datamap', title: 'Data map' },
  { path: 'webhooks', title: 'Webhooks' },
  { path: 'audit', title: 'Audit log' },
  { path: 'access', title: 'Keys & users' },
] as const;
export type RoutePath = (typeof routes)[number]['path'];

const current = (): RoutePath => {
  // `#/people/sub_…`: the first part picks the screen, the rest (see useRouteParam) the thing on it.
  const p = window.location.hash.replace(/^#\/?/, '').split('/')[0];
  return routes.find((r) => r.path === p)?.path ?? 'overview';
};

const param = () => window.location.hash.replace(/^#\/?/, '').split('/')[1] || null;

/** What follows the screen in the hash (`#/requests/req_…` → `req_…`), or null. */
export const useRouteParam = () => {
  const [value, setValue] = useState<string | null>(param);
  useEffect(() => {
    const on = () => setValue(param());
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return value;
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
