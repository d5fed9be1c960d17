import { ConsentMethod, Timestamp } from '@lawful/contract';
import { parse } from 'csv-parse/sync';
import { z } from 'zod';
import type { Database } from '../../db/client.ts';
import { AppError } from '../../lib/errors.ts';
import type { PreferencesRepo } from '../preferences/preferences.repo.ts';
import type { SubjectsService } from '../subjects/subjects.service.ts';
import type { ConsentService } from './consent.service.ts';

/** The columns of `lawful import consents`; header names are case-insensitive, order free, unknown ones refused. */
export const consentImportColumns = [
  'email',
  'purpose',
  'granted',
  'recorded_at',
  'method',
  'evidence_reference',
  'locale',
] as const;
const REQUIRED = ['email', 'purpose', 'granted', 'recorded_at'] as const;
export const BATCH = 1000;

export type ImportError = { line: number; column: string; message: string };
export type ConsentImportRow = {
  line: number;
  email: string;
  purpose: string;
  granted: boolean;
  recordedAt: string;
  method: string;
  reference: string | undefined;
  locale: string | undefined;
};

const Email = z.string().trim().toLowerCase().email().max(320);
const TRUE = new Set(['true', 'yes', '1', 'granted']);
const FALSE = new Set(['false', 'no', '0', 'refused', 'withdrawn']);

/** Parses the whole file first: every error with its line number, or rows ready to write. */
export const parseConsentsCsv = (text: string): { rows: ConsentImportRow[]; errors: ImportError[] } => {
  const errors: ImportError[] = [];
  let records: { record: Record<string, string>; info: { lines: number } }[];
  try {
    records = parse(text, {
      columns: (h: string[]) => h.map((c) => c.trim().toLowerCase()),
      skip_empty_lines: true,
      trim: true,
      bom: true,
      info: true,
    }) as never;
  } catch (e) {
    return {
      rows: [],
      errors: [{ line: (e as { lines?: number }).lines ?? 1, column: '(file)', message: (e as Error).message }],
    };
  }
  const header = text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/, 1)[0]!
    .split(',')
    .map((c) => c.trim().toLowerCase());
  for (const c of header) {
    if (!(consentImportColumns as readonly string[]).includes(c)) {
      errors.push({ line: 1, column: c, message: `unknown column; expected ${consentImportColumns.join(', ')}` });
    }
  }
  for (const c of REQUIRED) if (!header.includes(c)) errors.push({ line: 1, column: c, message: 'column missing' });
  if (errors.length > 0) return { rows: [], errors };
  const rows: ConsentImportRow[] = [];
  for (const { record: r, info } of records) {
    const line = info.lines;
    const bad = (column: string, message: string) => errors.push({ line, column, message });
    const email = Email.safeParse(r.email ?? '');
    if (!email.success) bad('email', 'not an e-mail address');
    if (!/^[a-z0-9][a-z0-9-]{0,63}$/.test(r.purpose ?? '')) bad('purpose', 'not a purpose key');
    const g = (r.granted ?? '').toLowerCase();
    if (!TRUE.has(g) && !FALSE.has(g)) bad('granted', 'must be true or false');
    if (!Timestamp.safeParse(r.recorded_at ?? '').success)
      bad('recorded_at', 'must be an ISO 8601 date-time with offset');
    else if (new Date(r.recorded_at!).getTime() > Date.now() + 60_000) bad('recorded_at', 'is in the future');
    const method = r.method || 'form_checkbox';
    if (!ConsentMethod.safeParse(method).success || method === 'import' || method === 'gpc') {
      bad(
        'method',
        `the original method: one of ${ConsentMethod.options.filter((m) => m !== 'import' && m !== 'gpc').join(', ')}`,
      );
    }
    if ((r.evidence_reference ?? '').length > 500) bad('evidence_reference', 'longer than 500 characters');
    if (r.locale && !/^[a-z]{2}(-[A-Z]{2})?$/.test(r.locale)) bad('locale', 'a locale such as en or fr-CA');
    if (email.success) {
      rows.push({
        line,
        email: email.data,
        purpose: r.purpose ?? '',
        granted: TRUE.has(g),
        recordedAt: r.recorded_at ?? '',
        method,
        reference: r.evidence_reference || undefined,
        locale: r.locale || undefined,
      });
    }
  }
  return { rows: errors.length > 0 ? [] : rows, errors };
};

export type ImportSummary = { imported: number; suppressed: number; skipped: number; batches: number };

/**
 * Writes parsed rows through the consent service (method `import`, the original evidence kept), one transaction per
 * batch of 1,000: a batch commits whole or not at all. Every row is checked against the notice before anything is
 * written. A person on the direct-marketing suppression list is never re-subscribed (check 15), and a subject who
 * already has a decision for the purpose keeps it: what they said since beats an old list.
 */
export const createConsentImport = (deps: {
  db: Database;
  consent: Pick<ConsentService, 'recordIn' | 'state'>;
  subjects: Pick<SubjectsService, 'hash' | 'find'>;
  repo: Pick<PreferencesRepo, 'isSuppressed'>;
  notice: (
    tenantId: string,
    noticeVersionId: string,
  ) => Promise<{
    rendered: Record<string, { sha256: string }>;
    purposes: { key: string; consent: boolean; directMarketing: boolean }[];
  }>;
}) => ({
  run: async (
    tenantId: string,
    noticeVersionId: string,
    rows: ConsentImportRow[],
    o: { actor: string; defaultLocale: string; progress?: (done: number) => void },
  ): Promise<ImportSummary> => {
    const notice = await deps.notice(tenantId, noticeVersionId);
    const asked = new Map(notice.purposes.map((p) => [p.key, p]));
    const errors: ImportError[] = [];
    for (const r of rows) {
      const p = asked.get(r.purpose);
      if (!p) errors.push({ line: r.line, column: 'purpose', message: `the notice does not ask about "${r.purpose}"` });
      else if (!p.consent)
        errors.push({ line: r.line, column: 'purpose', message: `"${r.purpose}" does not rest on consent` });
      if (r.locale && !notice.rendered[r.locale]) {
        errors.push({ line: r.line, column: 'locale', message: `the notice has no "${r.locale}" text` });
      }
    }
    if (errors.length > 0) {
      throw new AppError('VALIDATION_FAILED', `${errors.length} row(s) do not fit the notice; nothing imported`, {
        issues: errors.map((e) => ({ field: `line ${e.line}, ${e.column}`, message: e.message })),
        field: `line ${errors[0]!.line}, ${errors[0]!.column}`,
      });
    }
    const summary: ImportSummary = { imported: 0, suppressed: 0, skipped: 0, batches: 0 };
    for (let i = 0; i < rows.length; i += BATCH) {
      const batch = rows.slice(i, i + BATCH);
      const counts = await deps.db.tenant(tenantId, async (tx) => {
        const c = { imported: 0, suppressed: 0, skipped: 0 };
        for (const r of batch) {
          const identity = { kind: 'email' as const, value: r.email };
          const [h] = await deps.subjects.hash(tx, tenantId, [identity]);
          if (
            r.granted &&
            asked.get(r.purpose)!.directMarketing &&
            (await deps.repo.isSuppressed(tx, tenantId, 'email', h!.blindIndex))
          ) {
            c.suppressed++;
            continue;
          }
          const existing = await deps.subjects.find(tx, tenantId, identity);
          if (existing && (await deps.consent.state(tx, tenantId, existing)).some((s) => s.purpose === r.purpose)) {
            c.skipped++;
            continue;
          }
          const locale =
            r.locale ?? (notice.rendered[o.defaultLocale] ? o.defaultLocale : Object.keys(notice.rendered)[0]!);
          try {
            await deps.consent.recordIn(
              tx,
              tenantId,
              {
                subject: { identity },
                noticeVersionId,
                noticeHash: notice.rendered[locale]!.sha256,
                locale,
                decisions: [{ purpose: r.purpose, granted: r.granted }],
                method: 'import',
                affirmativeAction: { kind: 'imported_evidence', preTicked: false },
                collectionPoint: {},
                evidence: { originalRecordedAt: r.recordedAt, originalMethod: r.method, reference: r.reference },
              },
              { actor: o.actor },
            );
          } catch (e) {
            if (e instanceof AppError) {
              throw new AppError(e.code, `line ${r.line}: ${e.message}; batch not imported`, {
                field: `line ${r.line}, ${e.field ?? '(row)'}`,
              });
            }
            throw e;
          }
          c.imported++;
        }
        return c;
      });
      summary.imported += counts.imported;
      summary.suppressed += counts.suppressed;
      summary.skipped += counts.skipped;
      summary.batches++;
      o.progress?.(Math.min(i + BATCH, rows.length));
    }
    return summary;
  },
});
export type ConsentImport = ReturnType<typeof createConsentImport>;
