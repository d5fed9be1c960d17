import { OpenAPIHono } from '@hono/zod-openapi';
import { type SubprocessorListVersion, SubprocessorView } from '@lawful/contract';
import type { AppEnv } from '../../http/context.ts';
import { guarded, json, READER } from '../../http/route.ts';
import { AppError, notFound } from '../../lib/errors.ts';
import { escapeHtml } from '../email/email.html.ts';
import type { SubprocessorsService } from './subprocessors.service.ts';

const safeguardLabels: Record<string, string> = {
  none_needed_eea: 'Inside the EEA (no transfer)',
  adequacy_decision: 'Adequacy decision (Art. 45)',
  standard_contractual_clauses: 'Standard contractual clauses (Art. 46(2)(c))',
  binding_corporate_rules: 'Binding corporate rules (Art. 47)',
  art49_derogation: 'Derogation (Art. 49)',
};

const table = (v: SubprocessorListVersion) =>
  v.subprocessors.length === 0
    ? '<p>No sub-processors.</p>'
    : `<table><thead><tr><th>Name</th><th>Country</th><th>Purpose</th><th>Safeguards</th></tr></thead><tbody>${v.subprocessors
        .map(
          (s) =>
            `<tr><td>${escapeHtml(s.name)}</td><td>${escapeHtml(s.country)}</td><td>${escapeHtml(s.purpose)}${s.details ? `<br><small>${escapeHtml(s.details)}</small>` : ''}</td><td>${s.safeguards.map((g) => escapeHtml(safeguardLabels[g] ?? g)).join('<br>')}</td></tr>`,
        )
        .join('')}</tbody></table>`;

const page = (v: SubprocessorView) => `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>Sub-processors — ${escapeHtml(v.organisation)}</title>
<style>body{font-family:system-ui,sans-serif;line-height:1.5;color:#111;max-width:900px;margin:0 auto;padding:24px}table{border-collapse:collapse;width:100%}th,td{border:1px solid #ddd;padding:6px 8px;text-align:left;vertical-align:top}.note{background:#fef3c7;padding:8px 12px}</style>
</head>
<body>
<h1>Sub-processors</h1>
<p>The sub-processors the privacy platform of ${escapeHtml(v.organisation)} uses to process personal data (GDPR Art. 28(2), (4)).</p>
${v.current ? `<p>In effect since ${escapeHtml(v.current.effectiveAt)}.</p>${table(v.current)}` : '<p>No list has been published yet.</p>'}
${v.upcoming
  .map(
    (u) =>
      `<h2>Announced change</h2><p class="note">Announced ${escapeHtml(u.announcedAt)}; takes effect ${escapeHtml(u.effectiveAt)}.</p>${table(u)}`,
  )
  .join('\n')}
<p><a href="?format=json">JSON</a></p>
</body>
</html>
`;

const missing = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>Page not found</title></head>
<body><h1>Page not found</h1><p>No organisation publishes a sub-processor list at this address.</p></body>
</html>
`;

const isNotFound = (e: unknown) => e instanceof AppError && e.status === 404;

/**
 * `GET /subprocessors/{tenantSlug}` (HTML) and `/subprocessors/{tenantSlug}.json`: public, stable, no key. The slug
 * is already public (it names the tenant's other public pages); an unknown one is a 404.
 */
export const subprocessorsRoutes = (svc: SubprocessorsService) => {
  const app = new OpenAPIHono<AppEnv>();
  app.get('/subprocessors/:file', async (c) => {
    const file = c.req.param('file');
    const asJson = file.endsWith('.json') || c.req.query('format') === 'json';
    const slug = file.replace(/\.json$/, '');
    const wellFormed = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(slug);
    if (asJson) {
      if (!wellFormed) throw notFound('organisation');
      c.header('Cache-Control', 'public, max-age=300');
      return c.json(await svc.viewFor(slug), 200);
    }
    c.header('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'");
    // A person following a wrong link gets a page, not a JSON error body.
    const v = wellFormed ? await svc.viewFor(slug).catch((e) => (isNotFound(e) ? null : Promise.reject(e))) : null;
    if (!v) return c.html(missing, 404);
    c.header('Cache-Control', 'public, max-age=300');
    return c.html(page(v), 200);
  });
  app.openapi(
    guarded(READER, {
      method: 'get',
      path: '/v1/subprocessors',
      tags: ['Sub-processors'],
      summary: 'The install’s sub-processors in effect and the announced changes',
      responses: { 200: json(SubprocessorView.omit({ organisation: true }), 'The list') },
    }),
    async (c) => c.json(await svc.lists(), 200),
  );
  return app;
};
