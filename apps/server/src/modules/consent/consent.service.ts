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
import { buildReceipt, signReceipt, tenantJwks } from './consent.receipt.ts';
import type { ConsentRecordRow, ConsentRepo } from './consent.repo.ts';

export type ConsentChange = {
  subjectId: string;
  purposeKey: string;
  decision: 'grant' | 'refuse' | 'withdraw';
  recordId: string;
  method: string;
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
    db.tenant(tenantId, async (tx) => {
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
      for (const [i, d] of input.decisions.entries()) {
        const prev = await repo.lockState(tx, tenantId, subjectId, d.purpose);
        const wasGranted = prev?.state === 'granted' || prev?.state === 'pending_confirmation';
        const decision = d.granted ? 'grant' : wasGranted ? 'withdraw' : 'refuse';
        const row: ConsentRecordRow = {
          tenantId,
          id: newId('consent', now.getTime()),
          submissionId,
          subjectId,
          purposeKey: d.purpose,
          purposeVersion: purposes[i]!.version,
          decision,
          pending: 'no',
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
          state: stateOf(decision),
          recordId: row.id,
          since: now,
        });
        await audit.append(tx, tenantId, {
          actor: ctx.actor,
          action: `consent.${decision}`,
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
        });
        rows.push(row);
      }
      const grants = rows.filter((r) => r.decision === 'grant');
      let receipt: string | null = null;
      if (grants.length > 0) {
        const controller = await deps.noticesRepo.controller(tx, tenantId);
        const c = controller?.controller;
        const seed = await deps.vault.tenantDerivedKey(tx, tenantId, 'receipts');
        receipt = await signReceipt(
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
            language: input.locale,
            subjectId,
            collectionMethod: input.method,
            recordedAt: now,
            submissionId,
            sensitive: false,
            purposes: grants.map((g) => {
              const p = purposes[input.decisions.findIndex((d) => d.purpose === g.purposeKey)]!;
              const t = p.locales[input.locale] ?? Object.values(p.locales)[0]!;
              return {
                key: p.key,
                name: t.name,
                categories: p.dataCategories,
                recordId: g.id,
                thirdParties: p.recipients.map((r) => r.name),
              };
            }),
          }),
        );
      }
      const result: ConsentResult = { records: rows.map(toRecord), receipt, pendingConfirmation: false };
      if (key) await repo.saveResponse(tx, tenantId, key, result as unknown as Record<string, unknown>);
      return result;
    });

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
        state: stateOf(r.decision),
        recordId: r.id,
        since: r.recordedAt.toISOString(),
      }));
  };

  return {
    record,
    state,
    stateAsOf,
    history: async (q: Queryable, tenantId: string, subjectId: string) =>
      (await repo.history(q, tenantId, subjectId)).map(toRecord),
    /** The ConsentLookup port of lawful basis: the consent is live while the subject's state is granted. */
    isLive: async (q: Queryable, tenantId: string, subjectId: string, purposeKey: string, recordId: string) => {
      const r = await repo.record(q, tenantId, recordId);
      if (!r || r.subjectId !== subjectId || r.purposeKey !== purposeKey || r.decision !== 'grant') return false;
      const [s] = (await repo.states(q, tenantId, subjectId)).filter((x) => x.purposeKey === purposeKey);
      return s?.state === 'granted';
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
