import type { BasisEvidence, LawfulBasis, PurposeDefinition } from '@lawful/contract';
import type { RawExecutor } from '../../db/client.ts';

export type DecisionFacts = {
  version: number;
  definition: PurposeDefinition;
  subject_id: string | null;
  erased: boolean | null;
  basis: LawfulBasis | null;
  evidence: BasisEvidence | null;
  restricted: boolean;
  objection_pending: boolean;
  objection_upheld: boolean;
  dm_objected: boolean;
  suppressed: boolean;
};

// One round trip, every lookup on a primary key or index prefix. $1 tenant, $2 subject, $3 purpose.
export const FACTS_SQL = `
with p as (
  select version, definition from purpose_versions
  where tenant_id = $1 and purpose_key = $3 order by version desc limit 1
)
select p.version, p.definition, s.id as subject_id, s.erased_at is not null as erased, b.basis, b.evidence,
  exists (select 1 from restrictions r where r.tenant_id = $1 and r.subject_id = $2 and r.lifted_at is null
          and (r.purpose_key is null or r.purpose_key = $3)) as restricted,
  exists (select 1 from objections o where o.tenant_id = $1 and o.subject_id = $2 and o.purpose_key = $3
          and o.kind = 'public_or_legitimate_interest' and o.status = 'pending') as objection_pending,
  exists (select 1 from objections o where o.tenant_id = $1 and o.subject_id = $2 and o.purpose_key = $3
          and o.kind = 'public_or_legitimate_interest' and o.status = 'upheld') as objection_upheld,
  exists (select 1 from objections o where o.tenant_id = $1 and o.subject_id = $2
          and o.kind = 'direct_marketing') as dm_objected,
  exists (select 1 from subject_identifiers si join suppressions sp
            on sp.tenant_id = si.tenant_id and sp.kind = si.kind and sp.blind_index = si.blind_index
          where si.tenant_id = $1 and si.subject_id = $2 and sp.scope = 'direct_marketing') as suppressed
from p
left join subjects s on s.tenant_id = $1 and s.id = $2
left join lawful_bases b on b.tenant_id = $1 and b.subject_id = $2 and b.purpose_key = $3`;

/**
 * The audience join: identifiers (as kind + blind index) → subjects whose basis for the purpose is in force and not
 * blocked. $1 tenant, $2 kinds, $3 blind indexes, $4 purpose, $5 bases the purpose allows, $6 direct marketing.
 * Returns the 1-based position of each allowed input. The input identifier is one of the subject's, so the subject-wide
 * suppression check covers it; an erased subject has no identifiers left and never joins.
 */
const AUDIENCE = `
select t.ord::int as ord, b.basis, b.evidence->>'consentRecordId' as consent_id, si.subject_id
from unnest($2::text[], $3::text[]) with ordinality as t(kind, bidx, ord)
join subject_identifiers si on si.tenant_id = $1 and si.kind = t.kind and si.blind_index = t.bidx
join subjects s on s.tenant_id = $1 and s.id = si.subject_id and s.erased_at is null
join lawful_bases b on b.tenant_id = $1 and b.subject_id = si.subject_id and b.purpose_key = $4
  and b.basis = any($5::text[])
where not exists (select 1 from restrictions r where r.tenant_id = $1 and r.subject_id = si.subject_id
                  and r.lifted_at is null and (r.purpose_key is null or r.purpose_key = $4))
  and not exists (select 1 from objections o where o.tenant_id = $1 and o.subject_id = si.subject_id
                  and ((o.purpose_key = $4 and o.kind = 'public_or_legitimate_interest' and o.status <> 'overridden')
                       or ($6::boolean and o.kind = 'direct_marketing')))
  and not ($6::boolean and exists (
        select 1 from subject_identifiers si2 join suppressions sp
          on sp.tenant_id = si2.tenant_id and sp.kind = si2.kind and sp.blind_index = si2.blind_index
        where si2.tenant_id = $1 and si2.subject_id = si.subject_id and sp.scope = 'direct_marketing'))`;

export type AudienceRow = { ord: number; basis: LawfulBasis; consent_id: string | null; subject_id: string };

export const createDecisionsRepo = () => ({
  facts: async (raw: RawExecutor, tenantId: string, subjectId: string, purposeKey: string) => {
    const { rows } = await raw.query<DecisionFacts>(FACTS_SQL, [tenantId, subjectId, purposeKey]);
    return rows[0];
  },
  audience: async (
    raw: RawExecutor,
    tenantId: string,
    purposeKey: string,
    kinds: string[],
    blindIndexes: string[],
    allowedBases: string[],
    directMarketing: boolean,
  ) => {
    const { rows } = await raw.query<AudienceRow>(AUDIENCE, [
      tenantId,
      kinds,
      blindIndexes,
      purposeKey,
      allowedBases,
      directMarketing,
    ]);
    return rows;
  },
});
export type DecisionsRepo = ReturnType<typeof createDecisionsRepo>;
