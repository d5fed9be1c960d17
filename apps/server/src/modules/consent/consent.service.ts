import type {
  ConsentRecord,
  ConsentResult,
  ConsentStateItem,
  Purpose,
  RecordConsent,
  TenantSettings,
} from '@lawful/contract';
import type { Database, Queryable } from '../../db/client.ts';
import type { Clock } from '../../lib/clock.ts';
import { sha256Hex } from '../../lib/crypto.ts';
import { AppError } from '../../lib/errors.ts';
import { canonicalJson } from '../../lib/hash-chain.ts';
import { newId } from '../../lib/ids.ts';
import type { AuditLog } from '../audit/audit.service.ts';
import type { NoticesRepo } from '../notices/notices.repo.ts';
import type { NoticesService } from '../notices/notices.service.ts';
import type { PurposesService } from '../purposes/purposes.service.ts';
import { toPurpose } from '../purposes/purposes.service.ts';
import type { SubjectsService } from '../subjects/subjects.service.ts';
import type { Vault } from '../vault/vault.service.ts';
import { coarseUserAgent, truncateIp } from './consent.context.ts';
import { needsConfirmation, type PendingConfirmation, pendingToConfirm } from './consent.double-opt-in.ts';
import { buildReceipt, signReceipt, tenantJwks } from './consent.receipt.ts';
import type { ConsentRecordRow, ConsentRepo } from './consent.repo.ts';

export type ConsentChange = {
  subjectId: string;
  purposeKey: string;
  decision: 'grant' | 'refuse' | 'withdraw';
  recordId: string;
  method: string;
  /** A direct-marketing grant waiting for its double opt-in confirmation: not in force yet. */
  pending: boolean;
};

/** Where a submission came from: who sent it and the raw request context (truncated before storage). */
export type ConsentContext = { actor: string; ip?: string | null; userAgent?: string | null; idempotencyKey?: string };

// A grant needs an act of the person. A browser signal (GPC) or a pre-ticked box never grants (Recital 32; check 29).
const GRANTING_ACTIONS = new Set([
  'checkbox_ticked',
  'button_pressed',
  'toggle_switched',
  'link_clicked',
  'verbal_statement',
  'signature',
  'imported_evidence',
]);

export const toRecord = (r: ConsentRecordRow): ConsentRecord => ({
  id: r.id,
  subjectId: r.subjectId,
  purpose: r.purposeKey,
  purposeVersion: r.purposeVersion,
  decision: r.decision,
  status: r.pending === 'confirmation' ? 'pending_confirmation' : 'effective',
  noticeVersionId: r.noticeVersionId,
  noticeHash: r.noticeHash,
  locale: r.locale,
  method: r.method as ConsentRecord['method'],
  affirmativeAction: r.affirmativeAction,
  collectionPoint: r.collectionPoint,
  recordedAt: r.recordedAt.toISOString(),
  ipPrefix: r.ipPrefix,
  userAgent: r.userAgent,
  confirms: r.confirms,
});

const stateOf = (d: ConsentRecordRow['decision']) =>
  d === 'grant' ? 'granted' : d === 'refuse' ? 'refused' : 'withdrawn';

export const createConsentService = (deps: {
  db: Database;
  repo: ConsentRepo;
  notices: Pick<NoticesService, 'publishedVersion'>;
  noticesRepo: Pick<NoticesRepo, 'controller'>;
  purposes: Pick<PurposesService, 'current'>;
  subjects: Pick<SubjectsService, 'resolveRef'>;
  vault: Pick<Vault, 'tenantDerivedKey'>;
  tenantSettings: (q: Queryable, tenantId: string) => Promise<TenantSettings>;
  audit: Pick<AuditLog, 'append'>;
  clock: Clock;
  /** Told of every change inside its transaction: webhooks to recipients, lawful-basis evidence. */
  changed?: (tx: Queryable, tenantId: string, change: ConsentChange) => Promise<void>;
  /** Told, inside the transaction, of grants that wait for a double opt-in e-mail (enqueue the e-mail here). */
  pendingConfirmation?: (tx: Queryable, tenantId: string, p: PendingConfirmation) => Promise<void>;
}) => {
  const { db, repo, audit, clock } = deps;

  const validate = (input: RecordConsent) => {
    if (input.affirmativeAction.preTicked) {
      throw new AppError('RULE_VIOLATION', 'a pre-ticked box is not consent (CJEU C-673/17 Planet49; check 6)', {
        field: 'affirmativeAction.preTicked',
      });
    }
    const seen = new Set<string>();
    input.decisions.forEach((d, i) => {
      if (seen.has(d.purpose)) {
        throw new AppError(
          'VALIDATION_FAILED',
          `purpose "${d.purpose}" is decided twice: one decision per purpose (check 7)`,
          {
            field: `decisions.${i}.purpose`,
          },
        );
      }
      seen.add(d.purpose);
      if (d.granted && (input.method === 'gpc' || !GRANTING_ACTIONS.has(input.affirmativeAction.kind))) {
        throw new AppError(
          'RULE_VIOLATION',
          `"${input.affirmativeAction.kind}" by ${input.method} cannot grant consent: it needs an affirmative act (Art. 4(11); checks 6, 29)`,
          { field: 'affirmativeAction.kind' },
        );
      }
    });
  };

  const record = (tenantId: string, input: RecordConsent, ctx: ConsentContext): Promise<ConsentResult> =>
    db.tenant(tenantId, (tx) => recordIn(tx, tenantId, input, ctx));

  /** `record` inside the caller's transaction: an import commits a whole batch or none of it. */
  const recordIn = async (
    tx: Queryable,
    tenantId: string,
    input: RecordConsent,
    ctx: ConsentContext,
  ): Promise<ConsentResult> => {
    {
      validate(input);
      const key = ctx.idempotencyKey ?? input.idempotencyKey;
      const { idempotencyKey: _ignored, ...body } = input;
      const requestHash = sha256Hex(canonicalJson(body));
      const submissionId = newId('consent', clock.now().getTime()).replace('cns_', 'sbm_');
      if (key) {
        const earlier = await repo.claimKey(tx, {
          tenantId,
          idempotencyKey: key,
          submissionId,
          requestHash,
          response: {},
          createdAt: clock.now(),
        });
        if (earlier) {
          if (earlier.requestHash !== requestHash) {
            throw new AppError('CONFLICT', 'this idempotency key was used for a different submission', {
              field: 'idempotencyKey',
            });
          }
          return earlier.response as unknown as ConsentResult;
        }
      }
      const notice = await deps.notices.publishedVersion(tx, tenantId, input.noticeVersionId);
      const shown = notice.rendered?.[input.locale];
      if (!shown) {
        throw new AppError('RULE_VIOLATION', `notice version ${notice.id} has no "${input.locale}" text`, {
          field: 'locale',
        });
      }
      if (shown.sha256 !== input.noticeHash) {
        throw new AppError(
          'RULE_VIOLATION',
          'noticeHash does not match the published text: the person saw something else',
          {
            field: 'noticeHash',
          },
        );
      }
      const settings = await deps.tenantSettings(tx, tenantId);
      if (input.age !== undefined && input.age < settings.consentAgeOfMajority && !input.guardian) {
        throw new AppError(
          'RULE_VIOLATION',
          `under ${settings.consentAgeOfMajority}, consent needs the holder of parental responsibility (Art. 8(1); check 5)`,
          { field: 'guardian' },
        );
      }
      const asked = new Set(notice.purposes.map((p) => p.key));
      const purposes: Purpose[] = [];
      for (const [i, d] of input.decisions.entries()) {
        if (!asked.has(d.purpose)) {
          throw new AppError(
            'RULE_VIOLATION',
            `the notice does not ask about "${d.purpose}": the person was not told`,
            {
              field: `decisions.${i}.purpose`,
            },
          );
        }
        const p = toPurpose(await deps.purposes.current(tx, tenantId, d.purpose, `decisions.${i}.purpose`));
        if (!p.allowedBases.includes('consent')) {
          throw new AppError('RULE_VIOLATION', `purpose "${d.purpose}" does not rest on consent`, {
            field: `decisions.${i}.purpose`,
          });
        }
        purposes.push(p);
      }
      const subjectId = (await deps.subjects.resolveRef(tx, tenantId, input.subject, {
        create: true,
        field: 'subject',
      }))!;
      const now = clock.now();
      const rows: ConsentRecordRow[] = [];
      // The audit chain is one row lock per tenant: append last, so the lock is held only until the commit.
      const audits: Parameters<typeof audit.append>[2][] = [];
      for (const [i, d] of input.decisions.entries()) {
        const prev = await repo.lockState(tx, tenantId, subjectId, d.purpose);
        const wasGranted = prev?.state === 'granted' || prev?.state === 'pending_confirmation';
        const decision = d.granted ? 'grant' : wasGranted ? 'withdraw' : 'refuse';
        const pending =
          d.granted && needsConfirmation(settings, purposes[i]!, input.method, prev?.state) ? 'confirmation' : 'no';
        const row: ConsentRecordRow = {
          tenantId,
          id: newId('consent', now.getTime()),
          submissionId,
          subjectId,
          purposeKey: d.purpose,
          purposeVersion: purposes[i]!.version,
          decision,
          pending,
          confirms: null,
          noticeVersionId: notice.id,
          noticeHash: input.noticeHash,
          locale: input.locale,
          method: input.method,
          affirmativeAction: input.affirmativeAction,
          collectionPoint: input.collectionPoint,
          evidence: {
            ...(input.evidence ?? {}),
            ...(input.guardian ? { guardian: input.guardian } : {}),
            ...(input.age !== undefined ? { ageDeclared: input.age } : {}),
          },
          ipPrefix: truncateIp(ctx.ip),
          userAgent: coarseUserAgent(ctx.userAgent),
          actor: ctx.actor,
          recordedAt: now,
        };
        await repo.insertRecord(tx, row);
        await repo.upsertState(tx, {
          tenantId,
          subjectId,
          purposeKey: d.purpose,
          state: pending === 'confirmation' ? 'pending_confirmation' : stateOf(decision),
          recordId: row.id,
          since: now,
        });
        audits.push({
          actor: ctx.actor,
          action: pending === 'confirmation' ? 'consent.grant.pending' : `consent.${decision}`,
          target: row.id,
          subjectId,
          details: { purpose: d.purpose, method: input.method },
        });
        await deps.changed?.(tx, tenantId, {
          subjectId,
          purposeKey: d.purpose,
          decision,
          recordId: row.id,
          method: input.method,
          pending: pending === 'confirmation',
        });
        rows.push(row);
      }
      const waiting = rows.filter((r) => r.pending === 'confirmation');
      if (waiting.length > 0) {
        await deps.pendingConfirmation?.(tx, tenantId, {
          subjectId,
          submissionId,
          locale: input.locale,
          purposes: waiting.map((r) => r.purposeKey),
        });
      }
      const grants = rows.filter((r) => r.decision === 'grant' && r.pending === 'no');
      const receipt =
        grants.length === 0
          ? null
          : await issueReceipt(tx, tenantId, {
              locale: input.locale,
              method: input.method,
              subjectId,
              recordedAt: now,
              submissionId,
              grants: grants.map((g) => ({
                row: g,
                purpose: purposes[input.decisions.findIndex((d) => d.purpose === g.purposeKey)]!,
              })),
            });
      const result: ConsentResult = {
        records: rows.map(toRecord),
        receipt,
        pendingConfirmation: waiting.length > 0,
      };
      if (key) await repo.saveResponse(tx, tenantId, key, result as unknown as Record<string, unknown>);
      for (const a of audits) await audit.append(tx, tenantId, a);
      return result;
    }
  };

  /** A signed Kantara receipt for granted purposes (at record time, on confirmation, or on request). */
  const issueReceipt = async (
    tx: Queryable,
    tenantId: string,
    r: {
      locale: string;
      method: string;
      subjectId: string;
      recordedAt: Date;
      submissionId: string;
      grants: { row: ConsentRecordRow; purpose: Purpose }[];
    },
  ): Promise<string> => {
    const settings = await deps.tenantSettings(tx, tenantId);
    const controller = await deps.noticesRepo.controller(tx, tenantId);
    const c = controller?.controller;
    const seed = await deps.vault.tenantDerivedKey(tx, tenantId, 'receipts');
    return signReceipt(
      tenantId,
      seed,
      buildReceipt({
        tenantId,
        controller: c
          ? {
              name: c.name,
              contact: controller?.dpo?.email ?? c.email,
              address: c.address,
              email: c.email,
              phone: c.phone,
            }
          : null,
        policyUrl: null,
        jurisdiction: settings.jurisdiction.toUpperCase(),
        language: r.locale,
        subjectId: r.subjectId,
        collectionMethod: r.method,
        recordedAt: r.recordedAt,
        submissionId: r.submissionId,
        sensitive: false,
        purposes: r.grants.map(({ row, purpose: p }) => {
          const t = p.locales[r.locale] ?? Object.values(p.locales)[0]!;
          return {
            key: p.key,
            name: t.name,
            categories: p.dataCategories,
            recordId: row.id,
            thirdParties: p.recipients.map((x) => x.name),
          };
        }),
      }),
    );
  };

  /** Current state per purpose, as the projection holds it. */
  const state = async (q: Queryable, tenantId: string, subjectId: string): Promise<ConsentStateItem[]> =>
    (await repo.states(q, tenantId, subjectId)).map((s) => ({
      purpose: s.purposeKey,
      state: s.state,
      recordId: s.recordId,
      since: s.since.toISOString(),
    }));

  /** The state at any past instant, rebuilt from the records alone (check 9). */
  const stateAsOf = async (
    q: Queryable,
    tenantId: string,
    subjectId: string,
    at: Date,
  ): Promise<ConsentStateItem[]> => {
    const last = new Map<string, ConsentRecordRow>();
    for (const r of await repo.history(q, tenantId, subjectId, at)) last.set(r.purposeKey, r);
    return [...last.values()]
      .sort((a, b) => a.purposeKey.localeCompare(b.purposeKey))
      .map((r) => ({
        purpose: r.purposeKey,
        state: r.pending === 'confirmation' ? 'pending_confirmation' : stateOf(r.decision),
        recordId: r.id,
        since: r.recordedAt.toISOString(),
      }));
  };

  return {
    record,
    recordIn,
    state,
    stateAsOf,
    history: async (q: Queryable, tenantId: string, subjectId: string) =>
      (await repo.history(q, tenantId, subjectId)).map(toRecord),
    /**
     * The ConsentLookup port of lawful basis: the consent is live while the subject's state is granted. A grant that
     * waited for double opt-in is live only once confirmed, i.e. when the state rests on the record confirming it.
     */
    isLive: async (q: Queryable, tenantId: string, subjectId: string, purposeKey: string, recordId: string) => {
      const r = await repo.record(q, tenantId, recordId);
      if (!r || r.subjectId !== subjectId || r.purposeKey !== purposeKey || r.decision !== 'grant') return false;
      const [s] = (await repo.states(q, tenantId, subjectId)).filter((x) => x.purposeKey === purposeKey);
      if (s?.state !== 'granted') return false;
      if (r.pending === 'no') return true;
      return (await repo.record(q, tenantId, s.recordId))?.confirms === r.id;
    },
    /**
     * Double opt-in: the person clicked the e-mailed link. Writes a `grant` (method `double_opt_in`) confirming each
     * grant of the submission that still waits; what was withdrawn meanwhile stays withdrawn.
     */
    confirm: (tenantId: string, submissionId: string, ctx: ConsentContext) =>
      db.tenant(tenantId, async (tx) => {
        const now = clock.now();
        const confirmedId = newId('consent', now.getTime()).replace('cns_', 'sbm_');
        const todo = await pendingToConfirm(repo, tx, tenantId, submissionId);
        const rows: ConsentRecordRow[] = [];
        const grants: { row: ConsentRecordRow; purpose: Purpose }[] = [];
        for (const p of todo) {
          const purpose = toPurpose(await deps.purposes.current(tx, tenantId, p.purposeKey));
          const row: ConsentRecordRow = {
            ...p,
            id: newId('consent', now.getTime()),
            submissionId: confirmedId,
            purposeVersion: purpose.version,
            pending: 'no',
            confirms: p.id,
            method: 'double_opt_in',
            affirmativeAction: { kind: 'button_pressed', label: 'confirm', preTicked: false },
            ipPrefix: truncateIp(ctx.ip),
            userAgent: coarseUserAgent(ctx.userAgent),
            actor: ctx.actor,
            recordedAt: now,
          };
          await repo.insertRecord(tx, row);
          await repo.upsertState(tx, {
            tenantId,
            subjectId: row.subjectId,
            purposeKey: row.purposeKey,
            state: 'granted',
            recordId: row.id,
            since: now,
          });
          await audit.append(tx, tenantId, {
            actor: ctx.actor,
            action: 'consent.grant',
            target: row.id,
            subjectId: row.subjectId,
            details: { purpose: row.purposeKey, method: 'double_opt_in', confirms: p.id },
          });
          await deps.changed?.(tx, tenantId, {
            subjectId: row.subjectId,
            purposeKey: row.purposeKey,
            decision: 'grant',
            recordId: row.id,
            method: 'double_opt_in',
            pending: false,
          });
          rows.push(row);
          grants.push({ row, purpose });
        }
        const first = rows[0];
        const receipt = first
          ? await issueReceipt(tx, tenantId, {
              locale: first.locale,
              method: 'double_opt_in',
              subjectId: first.subjectId,
              recordedAt: now,
              submissionId: confirmedId,
              grants,
            })
          : null;
        return { records: rows.map(toRecord), receipt, pendingConfirmation: false } satisfies ConsentResult;
      }),
    /** A freshly signed receipt for everything the subject has granted now (the preference centre's download). */
    currentReceipt: async (q: Queryable, tenantId: string, subjectId: string, locale: string) => {
      const grants: { row: ConsentRecordRow; purpose: Purpose }[] = [];
      for (const s of await repo.states(q, tenantId, subjectId)) {
        if (s.state !== 'granted') continue;
        const row = await repo.record(q, tenantId, s.recordId);
        if (row) grants.push({ row, purpose: toPurpose(await deps.purposes.current(q, tenantId, s.purposeKey)) });
      }
      if (grants.length === 0) return null;
      return issueReceipt(q, tenantId, {
        locale,
        method: 'preference_centre',
        subjectId,
        recordedAt: clock.now(),
        submissionId: grants
          .map((g) => g.row.submissionId)
          .sort()
          .at(-1)!,
        grants,
      });
    },
    liveAmong: async (
      q: Queryable,
      tenantId: string,
      purposeKey: string,
      items: { subjectId: string; consentRecordId: string }[],
    ) => {
      const granted = new Set(
        (
          await repo.grantedAmong(
            q,
            tenantId,
            purposeKey,
            items.map((i) => i.subjectId),
          )
        ).map((r) => r.subjectId),
      );
      return new Set(items.filter((i) => granted.has(i.subjectId)).map((i) => i.consentRecordId));
    },
    jwks: (tenantId: string) =>
      db.tenant(tenantId, async (tx) =>
        tenantJwks(tenantId, await deps.vault.tenantDerivedKey(tx, tenantId, 'receipts')),
      ),
  };
};
export type ConsentService = ReturnType<typeof createConsentService>;
