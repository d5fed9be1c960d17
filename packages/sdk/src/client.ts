import type * as C from '@lawful/contract';
import type { z } from 'zod';
import { configApi } from './config-api.ts';
import { LawfulError } from './errors.ts';

/** What the API answers with (after defaults and coercion). */
type Out<S extends z.ZodType> = z.infer<S>;
/** What a caller may send (before defaults: optional fields may be left out). */
type In<S extends z.ZodType> = z.input<S>;

export type LawfulClientOptions = {
  /** Where the API lives; '' (the default) is the page's own origin, as in the admin console. */
  baseUrl?: string;
  /** An API key, for server-side callers. Without one the browser's session cookie is used. */
  apiKey?: string;
  /** A fetch implementation (tests, or a runtime without a global one). */
  fetch?: typeof fetch;
};

type Query = Record<string, string | number | boolean | undefined>;
/** A list's query string: its filters, and `limit` as a number (the schema coerces it from text). */
type ListQuery<S extends z.ZodType> = Partial<Omit<In<S>, 'limit'>> & { limit?: number };
type Call = { query?: Query; body?: unknown; as?: 'json' | 'blob' | 'none' };

const qs = (q?: Query) => {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(q ?? {})) if (v !== undefined) p.set(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : '';
};

export type Download = { blob: Blob; filename: string };

/** An access or portability package (its schema is still declared in the server's datamap routes, not the contract). */
export type ExportPackage = {
  id: string;
  requestId: string;
  subjectId: string | null;
  kind: 'access' | 'portability';
  state: 'building' | 'ready' | 'failed' | 'purged';
  bytes: number | null;
  summary: Record<string, unknown> | null;
  expiresAt: string;
  downloads: number;
  createdAt: string;
};

/**
 * A typed client for the Lawful API. Types come from @lawful/contract; nothing else is bundled.
 * In a browser it uses the session cookie and sends the CSRF token on writes.
 * @example
 * const lawful = createLawfulClient();
 * await lawful.session.signIn({ tenant: 'acme', email: 'dpo@acme.test', password });
 * const { items } = await lawful.purposes.list();
 */
export const createLawfulClient = (opts: LawfulClientOptions = {}) => {
  const base = (opts.baseUrl ?? '').replace(/\/$/, '');
  const doFetch = opts.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, init));
  let csrf: string | null = null;

  async function call<T>(method: string, path: string, o: Call = {}): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (o.body !== undefined) headers['content-type'] = 'application/json';
    if (opts.apiKey) headers.authorization = `Bearer ${opts.apiKey}`;
    else if (csrf && method !== 'GET') headers['x-csrf-token'] = csrf;
    const res = await doFetch(`${base}${path}${qs(o.query)}`, {
      method,
      headers,
      credentials: 'same-origin',
      ...(o.body !== undefined ? { body: JSON.stringify(o.body) } : {}),
    });
    if (!res.ok) {
      const text = await res.text();
      let body: unknown = null;
      try {
        body = JSON.parse(text);
      } catch {
        body = null;
      }
      throw LawfulError.from(res.status, body);
    }
    if (o.as === 'none' || res.status === 204) return undefined as T;
    if (o.as === 'blob') {
      const cd = res.headers.get('content-disposition') ?? '';
      const filename = /filename="([^"]+)"/.exec(cd)?.[1] ?? null;
      return { blob: await res.blob(), filename } as T;
    }
    return (await res.json()) as T;
  }

  const remember = (s: Out<typeof C.Session>) => {
    csrf = s.csrfToken;
    return s;
  };

  return {
    session: {
      signIn: async (input: In<typeof C.SignIn>) =>
        remember(await call<Out<typeof C.Session>>('POST', '/v1/session', { body: input })),
      /** The live session, or null when signed out. */
      current: async (): Promise<Out<typeof C.Session> | null> => {
        try {
          return remember(await call<Out<typeof C.Session>>('GET', '/v1/session'));
        } catch (e) {
          if (e instanceof LawfulError && e.status === 401) return null;
          throw e;
        }
      },
      signOut: async () => {
        await call<void>('DELETE', '/v1/session', { as: 'none' });
        csrf = null;
      },
    },
    overview: {
      consent: (q: Partial<Out<typeof C.OverviewQuery>> = {}) =>
        call<Out<typeof C.ConsentOverview>>('GET', '/v1/overview/consent', { query: q }),
      /** Open requests by deadline and requests received / closed per week. */
      requests: (q: Partial<Out<typeof C.OverviewWeeksQuery>> = {}) =>
        call<Out<typeof C.RequestsOverview>>('GET', '/v1/overview/requests', { query: q }),
      /** Banner choices per week by the control used. */
      banner: (q: Partial<Out<typeof C.OverviewWeeksQuery>> = {}) =>
        call<Out<typeof C.BannerOverview>>('GET', '/v1/overview/banner', { query: q }),
    },
    purposes: {
      list: () => call<{ items: Out<typeof C.Purpose>[] }>('GET', '/v1/purposes'),
      get: (key: string) => call<Out<typeof C.Purpose>>('GET', `/v1/purposes/${encodeURIComponent(key)}`),
      versions: (key: string) =>
        call<{ items: Out<typeof C.Purpose>[] }>('GET', `/v1/purposes/${encodeURIComponent(key)}/versions`),
    },
    ropa: {
      /** The Art. 30 record as a file (JSON, CSV or XLSX), for the browser to save. */
      download: async (format: 'json' | 'csv' | 'xlsx', view: 'controller' | 'processor' = 'controller') => {
        const r = await call<{ blob: Blob; filename: string | null }>('GET', '/v1/ropa', {
          query: { format, view },
          as: 'blob',
        });
        return { blob: r.blob, filename: r.filename ?? `ropa-${view}.${format}` } satisfies Download;
      },
    },
    subjects: {
      /** Finds a person by an identifier; the identifier travels in the body, never in the URL. */
      lookup: (identity: In<typeof C.Identity>) =>
        call<Out<typeof C.Subject>>('POST', '/v1/subjects:lookup', { body: { identity } }),
      get: (id: string) => call<Out<typeof C.Subject>>('GET', `/v1/subjects/${encodeURIComponent(id)}`),
      /** People, newest first, identifiers masked; `q` is a subject id or its start. */
      list: (q: ListQuery<typeof C.SubjectListQuery> = {}) =>
        call<Out<typeof C.SubjectList>>('GET', '/v1/subjects', { query: q }),
      /** Finds a person by an identifier, for a reason the audit log keeps (the answer is masked). */
      find: (input: In<typeof C.FindSubject>) =>
        call<Out<typeof C.SubjectSummary>>('POST', '/v1/subjects:find', { body: input }),
      profile: (id: string) =>
        call<Out<typeof C.SubjectProfile>>('GET', `/v1/subjects/${encodeURIComponent(id)}/profile`),
      /** The identifiers in full, for a reason the audit log keeps. */
      reveal: (id: string, reason: string) =>
        call<Out<typeof C.Subject>>('POST', `/v1/subjects/${encodeURIComponent(id)}/reveal`, { body: { reason } }),
      consents: (id: string) =>
        call<{ state: Out<typeof C.ConsentStateItem>[]; records: Out<typeof C.ConsentRecord>[] }>(
          'GET',
          `/v1/subjects/${encodeURIComponent(id)}/consents`,
        ),
    },
    bases: {
      history: (subject: string, purpose: string) =>
        call<{ items: Out<typeof C.BasisRecord>[] }>('GET', '/v1/bases/history', { query: { subject, purpose } }),
    },
    noticeVersions: {
      get: (id: string) => call<Out<typeof C.NoticeVersion>>('GET', `/v1/notice-versions/${encodeURIComponent(id)}`),
    },
    requests: {
      list: (q: ListQuery<typeof C.RequestListQuery> = {}) =>
        call<Out<typeof C.RequestList>>('GET', '/v1/requests', { query: q }),
      stats: () => call<Out<typeof C.RequestStats>>('GET', '/v1/requests/stats'),
      get: (id: string) => call<Out<typeof C.RequestDetail>>('GET', `/v1/requests/${encodeURIComponent(id)}`),
      extend: (id: string, input: In<typeof C.ExtendRequest>) =>
        call<Out<typeof C.DataSubjectRequest>>('POST', `/v1/requests/${encodeURIComponent(id)}/extend`, {
          body: input,
        }),
      reject: (id: string, input: In<typeof C.RefuseRequest>) =>
        call<Out<typeof C.DataSubjectRequest>>('POST', `/v1/requests/${encodeURIComponent(id)}/reject`, {
          body: input,
        }),
      complete: (id: string, input: In<typeof C.CompleteRequest>) =>
        call<Out<typeof C.DataSubjectRequest>>('POST', `/v1/requests/${encodeURIComponent(id)}/complete`, {
          body: input,
        }),
      certificate: (id: string) =>
        call<Out<typeof C.RequestCertificate>>('GET', `/v1/requests/${encodeURIComponent(id)}/certificate`),
      /** The request's access and portability packages (results to download). */
      exports: (requestId: string) => call<{ data: ExportPackage[] }>('GET', '/v1/exports', { query: { requestId } }),
      /** A fresh secret download link for a ready package. */
      exportLink: (exportId: string) =>
        call<{ url: string; expiresAt: string }>('POST', `/v1/exports/${encodeURIComponent(exportId)}/link`),
    },
    audit: {
      list: (q: { action?: string; subject?: string; before?: number; limit?: number } = {}) =>
        call<{ items: Out<typeof C.AuditEntry>[] }>('GET', '/v1/audit', { query: q }),
      verify: () => call<Out<typeof C.AuditVerification>>('GET', '/v1/audit/verify'),
    },
    keys: {
      list: () => call<{ items: Out<typeof C.ApiKey>[] }>('GET', '/v1/keys'),
      create: (input: In<typeof C.CreateApiKey>) =>
        call<Out<typeof C.CreatedApiKey>>('POST', '/v1/keys', { body: input }),
      revoke: (id: string) => call<Out<typeof C.ApiKey>>('DELETE', `/v1/keys/${encodeURIComponent(id)}`),
    },
    users: {
      list: () => call<{ items: Out<typeof C.User>[] }>('GET', '/v1/users'),
      create: (input: In<typeof C.CreateUser>) => call<Out<typeof C.CreatedUser>>('POST', '/v1/users', { body: input }),
      disable: (id: string) => call<Out<typeof C.User>>('DELETE', `/v1/users/${encodeURIComponent(id)}`),
    },
    ...configApi(call),
  };
};
export type LawfulClient = ReturnType<typeof createLawfulClient>;
